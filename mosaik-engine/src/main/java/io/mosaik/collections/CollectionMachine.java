package io.mosaik.collections;

import io.mosaik.codec.Codec;
import io.mosaik.groups.ApplyContext;
import io.mosaik.groups.StateMachine;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The state machine of one collection on one node, and the holder of its state: every handle on the
 * collection on this node reads the state this instance publishes.
 *
 * <p>The state is an immutable (persistent) structure, replaced after every applied write: readers on
 * any thread see one committed state without locks, and a snapshot captures it in constant time and
 * writes it in the background. Commands are bytes ({@link Ops}); keys and values inside them are encoded
 * by the node's codec, so equality (compare-and-set) and order (iteration, snapshots, ties) are those of
 * the encoded bytes, the same on every replica.
 *
 * @param <S> the immutable state
 */
abstract class CollectionMachine<S> implements StateMachine<byte[], byte[], Boolean> {

    private static final int SNAPSHOT_MAGIC = 0x4D4F5343; // "MOSC"
    private static final int SNAPSHOT_FORMAT = 1;

    /** The published state: the data and the version of the last write in it. */
    record State<S>(S data, Version version) {
    }

    /** What a command did: the state after it, and whether it changed anything. */
    record Applied<S>(S state, boolean changed) {
    }

    private record Waiter<S>(Predicate<State<S>> condition, CompletableFuture<State<S>> future) {
    }

    final CollectionKind kind;
    final Codec codec;
    private final String signature;
    private volatile State<S> current;
    private final List<Waiter<S>> waiters = new ArrayList<>();
    private volatile long restores;

    CollectionMachine(CollectionKind kind, Codec codec, String signature, S empty) {
        this.kind = kind;
        this.codec = codec;
        this.signature = signature;
        this.current = new State<>(empty, Version.ZERO);
    }

    /** The state readers see now. */
    final State<S> state() {
        return current;
    }

    /** Snapshots installed into this replica (catch-up of a late or lagging node, or a restart). */
    final long restores() {
        return restores;
    }

    /** Completes (on a pool thread, never the group's) once a published state meets the condition. */
    final CompletableFuture<State<S>> await(Predicate<State<S>> condition) {
        CompletableFuture<State<S>> future = new CompletableFuture<>();
        synchronized (waiters) {
            State<S> now = current;
            if (condition.test(now)) {
                future.complete(now);
                return future;
            }
            Waiter<S> waiter = new Waiter<>(condition, future);
            waiters.add(waiter);
            // a caller that gives up (orTimeout, cancel) must not leave its waiter behind
            future.whenComplete((state, error) -> {
                synchronized (waiters) {
                    waiters.remove(waiter);
                }
            });
        }
        return future;
    }

    /** The number of elements in a state. */
    abstract long size(S state);

    /** Applies one command; throws {@link IllegalArgumentException} (changing nothing) if it is invalid. */
    abstract Applied<S> apply(S state, Ops.Reader command);

    /** Writes a state's elements in canonical order. */
    abstract void writeItems(S state, DataOutputStream out) throws IOException;

    /** Reads {@code count} elements written by {@link #writeItems}. */
    abstract S readItems(DataInputStream in, long count) throws IOException;

    /** Decodes a field as the given type. */
    final <T> T decode(byte[] bytes, Class<T> type) {
        return codec.decode(bytes, type);
    }

    @Override
    public final Class<byte[]> commandType() {
        return byte[].class;
    }

    @Override
    public final Class<byte[]> queryType() {
        return byte[].class;
    }

    @Override
    public final Class<Boolean> resultType() {
        return Boolean.class;
    }

    @Override
    public final String signature() {
        return signature;
    }

    @Override
    public final Boolean apply(byte[] command, ApplyContext context) {
        Applied<S> applied = apply(current.data(), new Ops.Reader(command));
        publish(new State<>(applied.state(), new Version(context.index())));
        return applied.changed();
    }

    @Override
    public final Boolean query(byte[] query) {
        throw new UnsupportedOperationException("a collection is read from its handles, not queried");
    }

    @Override
    public final SnapshotTask capture() {
        State<S> captured = current;
        return out -> {
            DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, 1 << 16));
            data.writeInt(SNAPSHOT_MAGIC);
            data.writeByte(SNAPSHOT_FORMAT);
            data.writeUTF(kind.configName());
            data.writeLong(captured.version().index());
            data.writeLong(size(captured.data()));
            writeItems(captured.data(), data);
            data.flush();
        };
    }

    @Override
    public final void restore(InputStream snapshot) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(snapshot, 1 << 16));
        if (in.readInt() != SNAPSHOT_MAGIC || in.readByte() != SNAPSHOT_FORMAT) {
            throw new IOException("not a collection snapshot of a format this version reads");
        }
        String snapshotKind = in.readUTF();
        if (!snapshotKind.equals(kind.configName())) {
            throw new IOException("a snapshot of a " + snapshotKind + " cannot restore a " + kind.configName());
        }
        long version = in.readLong();
        long count = in.readLong();
        if (count < 0 || version < 0) {
            throw new IOException("a collection snapshot holds a negative count or version");
        }
        S data = readItems(in, count);
        if (in.read() != -1) {
            throw new IOException("a collection snapshot holds bytes after its last element");
        }
        restores++;
        publish(new State<>(data, new Version(version)));
    }

    private void publish(State<S> next) {
        current = next;
        List<Waiter<S>> met = null;
        synchronized (waiters) {
            if (waiters.isEmpty()) {
                return;
            }
            for (Iterator<Waiter<S>> it = waiters.iterator(); it.hasNext(); ) {
                Waiter<S> waiter = it.next();
                if (waiter.future().isDone()) {
                    it.remove();
                } else if (waiter.condition().test(next)) {
                    it.remove();
                    (met == null ? met = new ArrayList<>() : met).add(waiter);
                }
            }
        }
        if (met != null) {
            for (Waiter<S> waiter : met) {
                waiter.future().completeAsync(() -> next);
            }
        }
    }
}

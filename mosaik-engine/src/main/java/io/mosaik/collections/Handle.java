package io.mosaik.collections;

import io.mosaik.groups.GroupId;
import io.mosaik.groups.GroupStatus;
import io.mosaik.primitives.PeerId;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * What every collection handle does: reads the shared state of its store, and turns writes into
 * commands for the store's group.
 *
 * @param <S> the state
 */
abstract class Handle<S> implements ReplicatedCollection {

    final Store<S> store;
    private final CollectionRole role;
    private final AtomicBoolean closed = new AtomicBoolean();

    Handle(Store<S> store, CollectionRole role) {
        this.store = store;
        this.role = role;
    }

    /** The state reads see now. */
    final S data() {
        return store.machine().state().data();
    }

    /** Encodes a key or value with the node's codec. */
    final byte[] encode(Object value) {
        return store.machine().codec.encode(Objects.requireNonNull(value, "collections hold no null values"));
    }

    /** Encodes a value that may be absent. */
    final byte[] encodeOptional(Object value) {
        return value == null ? null : encode(value);
    }

    /** Runs a write built by {@code command} (whose encoding failures fail the future). */
    final CompletableFuture<Version> write(Supplier<byte[]> command, Object input) {
        return submit(command, input).thenApply(committed -> new Version(committed.index()));
    }

    /** Runs a conditional write; its result tells whether the condition held. */
    final CompletableFuture<CasResult> conditional(Supplier<byte[]> command, Object input) {
        return submit(command, input).thenApply(committed -> new CasResult(new Version(committed.index()),
                Boolean.TRUE.equals(committed.result())));
    }

    /**
     * Writes a batch: the operation, the count, then each item encoded. An empty batch writes nothing
     * and completes with the current version.
     */
    final CompletableFuture<Version> writeAll(int op, java.util.Collection<?> items) {
        if (items.isEmpty()) {
            return unchanged();
        }
        return write(() -> {
            java.util.List<?> all = java.util.List.copyOf(items);
            Ops.Writer command = new Ops.Writer(op).number(all.size());
            all.forEach(item -> command.bytes(encode(item)));
            return command.build();
        }, items);
    }

    /** A batch write of nothing: writes nothing, completes with the current version. */
    final CompletableFuture<Version> unchanged() {
        return closed.get() ? CompletableFuture.failedFuture(store.closed())
                : CompletableFuture.completedFuture(version());
    }

    private CompletableFuture<io.mosaik.groups.Committed<Boolean>> submit(Supplier<byte[]> command, Object input) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(store.closed());
        }
        byte[] bytes;
        try {
            bytes = command.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return store.write(bytes, input);
    }

    @Override
    public final StoreId storeId() {
        return store.id();
    }

    @Override
    public final CollectionKind kind() {
        return store.machine().kind;
    }

    @Override
    public final CollectionRole role() {
        return role;
    }

    @Override
    public final GroupId groupId() {
        return store.group().id();
    }

    @Override
    public final Version version() {
        return store.machine().state().version();
    }

    @Override
    public final long size() {
        return store.machine().size(data());
    }

    @Override
    public final boolean isOnline() {
        return store.group().status().online();
    }

    @Override
    public final Optional<PeerId> leader() {
        return store.group().leader();
    }

    @Override
    public final GroupStatus status() {
        return store.group().status();
    }

    @Override
    public final CollectionWhen when() {
        return new CollectionWhen(store);
    }

    @Override
    public final void close() {
        if (closed.compareAndSet(false, true)) {
            store.release();
        }
    }

    @Override
    public String toString() {
        return kind().configName() + " " + store.id().displayName() + " (" + role.name().toLowerCase() + ", "
                + version() + ", " + size() + " elements)";
    }
}

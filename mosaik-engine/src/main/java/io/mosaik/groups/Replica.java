package io.mosaik.groups;

import io.mosaik.codec.Codec;
import io.mosaik.groups.raft.ClientEvent;
import io.mosaik.groups.raft.LogEntry;
import io.mosaik.groups.raft.LogPosition;
import io.mosaik.groups.raft.RaftCore;
import io.mosaik.groups.raft.RaftReady;
import io.mosaik.groups.raft.Snapshot;
import io.mosaik.groups.raft.SnapshotWriter;
import io.mosaik.primitives.PeerId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A {@link RaftCore} with its state machine and the requests of local callers: it applies committed
 * entries in order, answers each command with the result its own replica computed, detects commands
 * whose index another leader's entry took, and answers strong queries once the state has caught up with
 * their read index. Like the core it has no I/O and no clock; the group's loop (or the simulator) calls
 * it from one thread.
 *
 * <p>A command entry carries the id of the node that issued it and that node's request id, so the
 * issuing node recognises its command when it applies it, whichever way the leader's acknowledgement
 * went.
 */
final class Replica<C, Q, R> {

    private static final int HEADER = PeerId.LENGTH + Long.BYTES;
    private static final java.lang.invoke.VarHandle LONG =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    private final RaftCore core;
    private final StateMachine<C, Q, R> machine;
    private final Codec codec;
    private final Executor completions;
    private final byte[] selfBytes;
    private final long maxCommandBytes;
    private long nextRequestId;
    private long appliedIndex;
    private boolean closed;
    private long rejected;
    private long appliedTerm;
    private long restoredUpTo;
    private boolean snapshots = true;
    private PendingSnapshot snapshotting;
    /** Captured by {@link #process}, not yet handed over by {@link #captureSnapshot}. */
    private PendingSnapshot captured;
    private RuntimeException captureFailure;
    private long snapshotEvery;

    /**
     * A snapshot captured on the group's thread, written by {@link #write} on another, then committed by
     * {@link #snapshotWritten} on the group's thread again.
     *
     * @param position the position of the last entry it includes
     * @param task     what writes the captured state
     * @param writer   where it goes
     */
    record PendingSnapshot(LogPosition position, StateMachine.SnapshotTask task, SnapshotWriter writer) {

        /** Writes the state and makes it durable (on a background thread). */
        void write() throws IOException {
            task.writeTo(writer.stream());
            writer.prepare();
        }
    }

    private final Map<Long, PendingCommand<R>> commands = new HashMap<>();
    // Request ids of commands accepted at an index and not yet applied: a Long, or a List<Long> when
    // several were (successive leaders), so the usual single one costs no list. A hash map, written and
    // read once per command; the rare scans (a snapshot restored, a new term applied) sort what they visit.
    private final HashMap<Long, Object> acceptedAt = new HashMap<>();
    private final Map<Long, PendingQuery<Q, R>> queries = new HashMap<>();
    private final TreeMap<Long, List<PendingQuery<Q, R>>> queriesAt = new TreeMap<>();

    private static final class PendingCommand<R> {
        final CompletableFuture<Committed<R>> result;
        final CompletableFuture<LogPosition> accepted;
        /** The term of the leader that appended it, once known. */
        long acceptedTerm;

        PendingCommand(CompletableFuture<Committed<R>> result, CompletableFuture<LogPosition> accepted) {
            this.result = result;
            this.accepted = accepted;
        }
    }

    private record PendingQuery<Q, R>(Q query, CompletableFuture<R> result) {
    }

    /**
     * A replica.
     *
     * @param core          the Raft core (fresh, or over storage that outlived a restart)
     * @param machine       the state machine, in its initial state
     * @param codec         encodes commands and results
     * @param completions   where futures are completed (never the caller's loop: callbacks may block)
     * @param firstRequestId where request ids start; random, so that ids never repeat across restarts
     * @param maxCommandBytes  the largest command entry the core accepts (its append limit)
     */
    Replica(RaftCore core, StateMachine<C, Q, R> machine, Codec codec, Executor completions, long firstRequestId,
            long maxCommandBytes) {
        this.core = core;
        this.maxCommandBytes = maxCommandBytes;
        this.machine = machine;
        this.codec = codec;
        this.completions = completions;
        this.selfBytes = core.self().toBytes();
        this.nextRequestId = firstRequestId;
    }

    /** The Raft core. */
    RaftCore core() {
        return core;
    }

    /** The state machine (read it only on the loop). */
    StateMachine<C, Q, R> machine() {
        return machine;
    }

    /** Commands whose apply threw (or that did not decode) so far. */
    long rejected() {
        return rejected;
    }

    /** The index of the last applied entry. */
    long appliedIndex() {
        return appliedIndex;
    }

    /**
     * Proposes a command and completes with its result once this replica has applied it.
     *
     * @param command the command
     * @param now     the current time
     * @return the result and position, or a {@link GroupException}
     */
    CompletableFuture<Committed<R>> execute(C command, long now) {
        PendingCommand<R> pending = new PendingCommand<>(new CompletableFuture<>(), null);
        propose(command, pending, now);
        return pending.result;
    }

    /**
     * Encodes a command as {@link #executeEncoded} takes it; safe from any thread, so that callers
     * encode their own commands rather than the group's loop.
     *
     * @param command the command
     * @return its encoded body
     * @throws GroupException if it does not encode, or encodes too large
     */
    byte[] encodeCommand(C command) {
        byte[] body;
        try {
            body = codec.encode(command);
        } catch (RuntimeException e) {
            throw new GroupException("cannot encode command " + command.getClass().getName() + ": " + e.getMessage());
        }
        if (body.length + HEADER > maxCommandBytes) {
            throw new GroupException("the command encodes to " + body.length + " bytes, more than the "
                    + (maxCommandBytes - HEADER) + " a group command may take; split it or store large data"
                    + " elsewhere and replicate a reference");
        }
        return body;
    }

    /**
     * {@link #execute} for a command already encoded by {@link #encodeCommand}, completing the caller's
     * future (a handle's future is the one the replica completes, no second future chained behind it).
     *
     * @param body   the encoded command
     * @param result completed with the result and position, or a {@link GroupException}
     * @param now    the current time
     * @return {@code result}
     */
    CompletableFuture<Committed<R>> executeEncoded(byte[] body, CompletableFuture<Committed<R>> result, long now) {
        propose(body, new PendingCommand<>(result, null), now);
        return result;
    }

    /**
     * Proposes a command and completes the caller's future once a leader has appended it (not waiting for
     * the commit).
     *
     * @param command  the command
     * @param accepted completed with where it was appended, or a {@link GroupException}
     * @param now      the current time
     * @return {@code accepted}
     */
    CompletableFuture<LogPosition> feed(C command, CompletableFuture<LogPosition> accepted, long now) {
        propose(command, new PendingCommand<>(null, accepted), now);
        return accepted;
    }

    private void propose(C command, PendingCommand<R> pending, long now) {
        byte[] body;
        try {
            body = encodeCommand(command);
        } catch (GroupException e) {
            fail(pending, e);
            return;
        }
        propose(body, pending, now);
    }

    private void propose(byte[] body, PendingCommand<R> pending, long now) {
        if (closed) {
            fail(pending, new GroupClosedException("the group is closed"));
            return;
        }
        long id = nextRequestId++;
        byte[] data = new byte[HEADER + body.length];
        System.arraycopy(selfBytes, 0, data, 0, PeerId.LENGTH);
        LONG.set(data, PeerId.LENGTH, id);
        System.arraycopy(body, 0, data, HEADER, body.length);
        commands.put(id, pending);
        core.propose(id, data, now);
    }

    /**
     * Answers a query.
     *
     * @param query       the query
     * @param consistency how fresh the state must be
     * @param now         the current time
     * @return the answer, or the query's exception, or a {@link GroupException}
     */
    CompletableFuture<R> query(Q query, Consistency consistency, long now) {
        return query(query, consistency, new CompletableFuture<>(), now);
    }

    /**
     * {@link #query(Object, Consistency, long)} completing the caller's future.
     *
     * @param query       the query
     * @param consistency how fresh the state must be
     * @param result      completed with the answer, the query's exception, or a {@link GroupException}
     * @param now         the current time
     * @return {@code result}
     */
    CompletableFuture<R> query(Q query, Consistency consistency, CompletableFuture<R> result, long now) {
        if (closed) {
            completions.execute(() -> result.completeExceptionally(new GroupClosedException("the group is closed")));
        } else if (consistency == Consistency.WEAK) {
            answer(new PendingQuery<>(query, result));
        } else {
            long id = nextRequestId++;
            queries.put(id, new PendingQuery<>(query, result));
            core.read(id, now);
        }
        return result;
    }

    /**
     * Carries out the application side of a ready: request outcomes, then committed entries, then the
     * strong queries that the applied state can now answer.
     *
     * @param ready what the core produced
     */
    void process(RaftReady ready) {
        if (ready.snapshot() != null) {
            restore(ready.snapshot());
        }
        for (ClientEvent event : ready.events()) {
            onEvent(event);
        }
        for (LogEntry entry : ready.committed()) {
            applyEntry(entry);
            captureAt(entry);
        }
        answerCaughtUpQueries();
    }

    private void onEvent(ClientEvent event) {
        switch (event) {
            case ClientEvent.CommandAccepted a -> {
                PendingCommand<R> pending = commands.get(a.requestId());
                if (pending == null) {
                    return;
                }
                if (pending.accepted != null) {
                    commands.remove(a.requestId());
                    completions.execute(() -> pending.accepted.complete(a.position()));
                } else if (a.position().index() <= restoredUpTo) {
                    // A snapshot covered its index before the acknowledgement came: it may be in it.
                    commands.remove(a.requestId());
                    fail(pending, coveredBySnapshot());
                } else if (a.position().index() <= appliedIndex) {
                    // Its index was applied before the acknowledgement came, and not with this command
                    // (that would have completed it).
                    commands.remove(a.requestId());
                    fail(pending, overwritten(a.position().index()));
                } else if (a.position().term() < appliedTerm) {
                    // An entry of a later term is applied before its index: logs never go back to an
                    // earlier term, so its entry can no longer commit.
                    commands.remove(a.requestId());
                    fail(pending, overwritten(a.position().index()));
                } else {
                    pending.acceptedTerm = a.position().term();
                    addAccepted(a.position().index(), a.requestId());
                }
            }
            case ClientEvent.CommandFailed f -> {
                PendingCommand<R> pending = commands.remove(f.requestId());
                if (pending != null) {
                    fail(pending, f.failure().mayHaveApplied()
                            ? new CommandOutcomeUnknownException("the leader did not confirm the command in time;"
                                    + " it may or may not be applied: check the state before retrying")
                            : new NoLeaderException("no leader accepted the command in time; it was not applied:"
                                    + " retry when the group has a leader (see group.when().leaderElected())"));
                }
            }
            case ClientEvent.ReadReady r -> {
                PendingQuery<Q, R> pending = queries.remove(r.requestId());
                if (pending != null) {
                    if (r.index() <= appliedIndex) {
                        answer(pending);
                    } else {
                        queriesAt.computeIfAbsent(r.index(), k -> new ArrayList<>()).add(pending);
                    }
                }
            }
            case ClientEvent.ReadFailed f -> {
                PendingQuery<Q, R> pending = queries.remove(f.requestId());
                if (pending != null) {
                    completions.execute(() -> pending.result.completeExceptionally(new NoLeaderException(
                            "no leader confirmed a read index in time; retry, or use Consistency.WEAK")));
                }
            }
        }
    }

    /** Replaces the state with a snapshot's (on start, or installed from the leader). */
    private void restore(Snapshot snapshot) {
        try (InputStream in = snapshot.data().open()) {
            machine.restore(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the snapshot at " + snapshot.position() + " to restore it: "
                    + e + "; the state machine's state is unknown, so this member stops", e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the state machine " + machine.getClass().getName() + " failed to restore"
                    + " the snapshot at " + snapshot.position() + "; its state is unknown, so this member stops. "
                    + "Fix its restore method and start the member again", e);
        }
        appliedIndex = snapshot.position().index();
        restoredUpTo = appliedIndex;
        appliedTerm = snapshot.position().term();
        // Commands whose index the snapshot covers: whether they are in it cannot be told from here.
        for (long covered : acceptedIndices(index -> index <= appliedIndex)) {
            for (long id : ids(acceptedAt.remove(covered))) {
                PendingCommand<R> pending = commands.remove(id);
                if (pending != null) {
                    fail(pending, coveredBySnapshot());
                }
            }
        }
        failAcceptedBeyond(appliedIndex, appliedTerm);
    }

    /**
     * The snapshot captured while the last entries were applied, if any: the state right after an entry
     * whose index is a multiple of {@code every}, if the state machine can snapshot and no other snapshot
     * was being written then (see {@link #snapshotEvery(long)}). It is to be
     * {@linkplain PendingSnapshot#write() written} (on another thread) and then handed to
     * {@link #snapshotWritten}.
     *
     * @return the captured snapshot, or {@code null}
     */
    PendingSnapshot captureSnapshot() {
        PendingSnapshot made = captured;
        captured = null;
        return made;
    }

    /** The last capture failure since the previous call (cleared by reading it), or {@code null}. */
    RuntimeException takeCaptureFailure() {
        RuntimeException failure = captureFailure;
        captureFailure = null;
        return failure;
    }

    /**
     * Sets the snapshot interval: the state is captured right after every entry whose index is a
     * multiple of it.
     *
     * @param every entries between snapshots (0: never)
     */
    void snapshotEvery(long every) {
        this.snapshotEvery = every;
    }

    /**
     * Captures the state right after the entry at a multiple of the snapshot interval, if none is being
     * written: every member snapshots at the same positions, so members whose state machines write
     * identical bytes for identical states hold identical snapshots, and a member catching up can fetch
     * one from several of them.
     */
    private void captureAt(LogEntry entry) {
        long every = snapshotEvery;
        if (every <= 0 || !snapshots || snapshotting != null || entry.index() % every != 0) {
            return;
        }
        StateMachine.SnapshotTask task;
        LogPosition position = new LogPosition(appliedTerm, appliedIndex);
        try {
            task = machine.capture();
            snapshotting = new PendingSnapshot(position, task, core.beginSnapshot(position));
        } catch (UnsupportedOperationException e) {
            snapshots = false; // this state machine keeps its whole log
            return;
        } catch (RuntimeException e) {
            // the state machine (or the snapshot store) failed: no snapshot this time, the log is kept and
            // the group goes on applying; the next multiple of the interval tries again
            captureFailure = e;
            return;
        }
        captured = snapshotting;
    }

    /**
     * A captured snapshot was written (or failed to be): it is committed and the log compacted behind it.
     *
     * @param snapshot  what {@link #captureSnapshot} returned
     * @param failure   why writing failed, or {@code null}
     * @param retain    entries the log keeps before a snapshot
     * @param allowance more entries a leader keeps for a lagging bonded follower
     * @return the committed snapshot, or {@code null} if it failed or a later one was installed meanwhile
     * @throws IOException if committing failed
     */
    Snapshot snapshotWritten(PendingSnapshot snapshot, Throwable failure, long retain, long allowance)
            throws IOException {
        if (snapshotting == snapshot) {
            snapshotting = null;
        }
        try (SnapshotWriter writer = snapshot.writer()) {
            if (failure != null) {
                return null;
            }
            Snapshot committed = writer.commit();
            if (committed != null) {
                core.snapshotTaken(committed, retain, allowance);
            }
            return committed;
        }
    }

    private void applyEntry(LogEntry entry) {
        long previousTerm = appliedTerm;
        appliedIndex = entry.index();
        appliedTerm = entry.term();
        PendingCommand<R> mine = null;
        long myId = 0;
        if (entry.kind() == LogEntry.Kind.COMMAND && entry.data().length >= HEADER
                && Arrays.equals(entry.data(), 0, PeerId.LENGTH, selfBytes, 0, PeerId.LENGTH)) {
            myId = (long) LONG.get(entry.data(), PeerId.LENGTH);
            mine = commands.remove(myId);
        }
        Object outcome = entry.kind() == LogEntry.Kind.COMMAND ? applyCommand(entry) : null;
        if (outcome instanceof CommandRejectedException) {
            rejected++;
        }
        if (mine != null && mine.accepted != null) {
            // A feed whose acknowledgement has not arrived yet: its entry is the acknowledgement.
            CompletableFuture<LogPosition> accepted = mine.accepted;
            completions.execute(() -> accepted.complete(entry.position()));
        } else if (mine != null) {
            PendingCommand<R> done = mine;
            if (outcome instanceof GroupException rejected) {
                fail(done, rejected);
            } else {
                @SuppressWarnings("unchecked")
                Committed<R> committed = new Committed<>((R) outcome, entry.term(), entry.index());
                completions.execute(() -> done.result.complete(committed));
            }
        }
        Object waiting = acceptedAt.remove(entry.index());
        if (waiting != null) {
            for (long id : ids(waiting)) {
                PendingCommand<R> other = commands.remove(id);
                if (other != null) {
                    fail(other, overwritten(entry.index()));
                }
            }
        }
        if (entry.term() > previousTerm) {
            failAcceptedBeyond(entry.index(), entry.term());
        }
    }

    /**
     * Fails the commands accepted after {@code index} by a leader of a term before {@code term}, once an
     * entry of {@code term} is applied at {@code index}: a log's terms never decrease, so their entries
     * were lost with their leader and can never commit. Without this their callers would wait for
     * indexes that may never be filled if no new commands came.
     */
    private void failAcceptedBeyond(long index, long term) {
        for (long at : acceptedIndices(later -> later > index)) {
            List<Long> kept = new ArrayList<>();
            for (long id : ids(acceptedAt.get(at))) {
                PendingCommand<R> pending = commands.get(id);
                if (pending != null && pending.acceptedTerm < term) {
                    commands.remove(id);
                    fail(pending, overwritten(at));
                } else if (pending != null) {
                    kept.add(id);
                }
            }
            if (kept.isEmpty()) {
                acceptedAt.remove(at);
            } else {
                acceptedAt.put(at, kept.size() == 1 ? kept.getFirst() : kept);
            }
        }
    }

    /** The indices with accepted commands that {@code which} selects, in order. */
    private long[] acceptedIndices(java.util.function.LongPredicate which) {
        return acceptedAt.keySet().stream().mapToLong(Long::longValue).filter(which).sorted().toArray();
    }

    private void addAccepted(long index, long requestId) {
        Object before = acceptedAt.putIfAbsent(index, requestId);
        if (before instanceof Long single) {
            List<Long> several = new ArrayList<>(2);
            several.add(single);
            several.add(requestId);
            acceptedAt.put(index, several);
        } else if (before != null) {
            @SuppressWarnings("unchecked")
            List<Long> several = (List<Long>) before;
            several.add(requestId);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Long> ids(Object accepted) {
        return accepted instanceof Long single ? List.of(single) : (List<Long>) accepted;
    }

    /** Applies a command entry; returns the result, or a {@link CommandRejectedException}. */
    private Object applyCommand(LogEntry entry) {
        byte[] data = entry.data();
        if (data.length < HEADER) {
            return new CommandRejectedException("a command entry without its header (" + data.length + " bytes)");
        }
        C command;
        try {
            command = codec.decode(Arrays.copyOfRange(data, HEADER, data.length), machine.commandType());
        } catch (RuntimeException e) {
            return new CommandRejectedException("cannot decode the command as " + machine.commandType().getName()
                    + ": " + e.getMessage());
        }
        try {
            return machine.apply(command, new ApplyContext(entry.term(), entry.index()));
        } catch (RuntimeException e) {
            return new CommandRejectedException(e.getClass().getName() + ": " + e.getMessage());
        }
    }

    private void answerCaughtUpQueries() {
        while (!queriesAt.isEmpty() && queriesAt.firstKey() <= appliedIndex) {
            for (PendingQuery<Q, R> pending : queriesAt.pollFirstEntry().getValue()) {
                answer(pending);
            }
        }
    }

    private void answer(PendingQuery<Q, R> pending) {
        try {
            R value = machine.query(pending.query);
            completions.execute(() -> pending.result.complete(value));
        } catch (RuntimeException e) {
            completions.execute(() -> pending.result.completeExceptionally(e));
        }
    }

    /** Fails everything still waiting: the group is closing. */
    void close() {
        closed = true;
        GroupClosedException e = new GroupClosedException("the group was closed before the operation completed");
        for (PendingCommand<R> pending : commands.values()) {
            fail(pending, e);
        }
        commands.clear();
        acceptedAt.clear();
        for (PendingQuery<Q, R> pending : queries.values()) {
            completions.execute(() -> pending.result.completeExceptionally(e));
        }
        queries.clear();
        for (List<PendingQuery<Q, R>> list : queriesAt.values()) {
            for (PendingQuery<Q, R> pending : list) {
                completions.execute(() -> pending.result.completeExceptionally(e));
            }
        }
        queriesAt.clear();
    }

    private static CommandOutcomeUnknownException coveredBySnapshot() {
        return new CommandOutcomeUnknownException("this node caught up from a snapshot that covers the command's"
                + " index, so whether the command is in it cannot be told here; check the state before retrying");
    }

    private static CommandOverwrittenException overwritten(long index) {
        return new CommandOverwrittenException("the command was appended at index " + index
                + " by a leader that lost its leadership before it committed, and the next leader's log does"
                + " not have it. It was not applied: retry it");
    }

    private void fail(PendingCommand<R> pending, GroupException e) {
        CompletableFuture<?> future = pending.result != null ? pending.result : pending.accepted;
        completions.execute(() -> future.completeExceptionally(e));
    }
}

package io.mosaik.groups;

import io.mosaik.groups.raft.LogPosition;
import io.mosaik.primitives.PeerId;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A handle on a group this node is a member of: a replicated state machine kept by Raft among every node
 * that joined with the same key, consensus settings and state machine.
 *
 * <p>Commands go through the leader (a follower forwards them) and are applied on every member in log
 * order; {@link #execute} completes with the result this node's replica computed and the position the
 * command committed at. Queries read this node's replica: {@link Consistency#WEAK} as it is now,
 * {@link Consistency#STRONG} after catching up with a read index the leader confirmed.
 *
 * <p>Handles are counted: joining the same group twice on one node gives two handles on one member, and
 * the member leaves the group when the last handle is closed (or the network closes).
 *
 * @param <C> the commands
 * @param <Q> the queries
 * @param <R> the results
 */
public final class Group<C, Q, R> implements AutoCloseable {

    private final GroupWorker<C, Q, R> worker;
    private final Groups groups;
    private final AtomicBoolean closed = new AtomicBoolean();

    Group(GroupWorker<C, Q, R> worker, Groups groups) {
        this.worker = worker;
        this.groups = groups;
    }

    /** The group's id. */
    public GroupId id() {
        return worker.id;
    }

    /** The consensus settings this member runs with. */
    public ConsensusConfig consensus() {
        return worker.consensus;
    }

    /** This member's leadership preference (from the builder, else the state machine's). */
    public io.mosaik.groups.raft.LeadershipPreference leadershipPreference() {
        return worker.preference;
    }

    /**
     * A snapshot of this node's view of the group: a change of role, term, leader, online state or bonds
     * shows at once; the indices and follower details may be up to 10 ms old under load (to wait for an
     * index, use {@link #when()}, which is exact).
     */
    public GroupStatus status() {
        return worker.status();
    }

    /** Whether this node leads the group now. */
    public boolean isLeader() {
        return worker.status().isLeader();
    }

    /** The leader this node knows, if any. */
    public Optional<PeerId> leader() {
        return Optional.ofNullable(worker.status().leader());
    }

    /** Conditions on the group, as futures. */
    public GroupWhen when() {
        return new GroupWhen(worker);
    }

    /**
     * Runs a command through the group and completes once this node has applied it.
     *
     * @param command the command
     * @return the state machine's result and where the command committed; or fails with
     *         {@link NoLeaderException} (not applied), {@link CommandOverwrittenException} (not applied),
     *         {@link CommandOutcomeUnknownException} (maybe applied), {@link CommandRejectedException}
     *         (apply threw, on every member), {@link GroupClosedException}. Waits as long as it takes for
     *         the commit: add {@code orTimeout} for a limit.
     */
    public CompletableFuture<Committed<R>> execute(C command) {
        Objects.requireNonNull(command, "command");
        return open() ? worker.execute(command) : CompletableFuture.failedFuture(closedException());
    }

    /**
     * Hands a command to the leader without waiting for it to commit.
     *
     * @param command the command
     * @return where the leader appended it (it takes effect if that entry commits)
     */
    public CompletableFuture<LogPosition> feed(C command) {
        Objects.requireNonNull(command, "command");
        return open() ? worker.feed(command) : CompletableFuture.failedFuture(closedException());
    }

    /**
     * Answers a query from this node's replica.
     *
     * @param query       the query
     * @param consistency {@link Consistency#WEAK} (local state now) or {@link Consistency#STRONG}
     *                    (linearizable)
     * @return the answer
     */
    public CompletableFuture<R> query(Q query, Consistency consistency) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(consistency, "consistency");
        return open() ? worker.query(query, consistency) : CompletableFuture.failedFuture(closedException());
    }

    /**
     * Asks the leader to remove a voter for good (a member that will not come back). Only the leader
     * can; it completes with {@code false} elsewhere, while another change is under way, or if the peer
     * is not a voter.
     *
     * @param voter the voter to remove
     * @return whether the change was appended
     */
    public CompletableFuture<Boolean> removeVoter(PeerId voter) {
        Objects.requireNonNull(voter, "voter");
        return open() ? worker.removeVoter(voter) : CompletableFuture.failedFuture(closedException());
    }

    /** Releases this handle; the node leaves the group when its last handle is released. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            groups.release(worker);
        }
    }

    private boolean open() {
        return !closed.get() && worker.isRunning();
    }

    private GroupClosedException closedException() {
        return new GroupClosedException("this handle on group " + worker.id.toShortString()
                + " is closed; join the group again for a new one");
    }

    @Override
    public String toString() {
        return "Group[" + worker.id.toShortString() + " " + worker.status().role() + "]";
    }
}

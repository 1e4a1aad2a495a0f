package io.mosaik.groups;

import io.mosaik.groups.raft.LeadershipPreference;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The replicated state of a group: every member applies the same committed commands in the same order
 * to its own instance, so all instances go through the same states.
 *
 * <p>{@link #apply} must be deterministic: its result and its effect may depend only on the state and
 * the command (no clock, no randomness, no I/O, no iteration order of hash-based collections of
 * unordered keys). An exception thrown by {@code apply} is that command's result on every member (the
 * caller of {@code execute} gets a {@link CommandRejectedException}) and the group goes on; check a
 * command before changing anything, so that a rejected command leaves the state as it was.
 *
 * @param <C> the commands
 * @param <Q> the queries
 * @param <R> the results of commands and queries
 */
public interface StateMachine<C, Q, R> {

    /** The command type, for decoding commands from the log. */
    Class<C> commandType();

    /** The query type, for decoding forwarded queries. */
    Class<Q> queryType();

    /** The result type. */
    Class<R> resultType();

    /**
     * Applies a committed command.
     *
     * @param command the command
     * @param context where it is in the log
     * @return its result, handed to the caller of {@code execute} on the node that issued it
     */
    R apply(C command, ApplyContext context);

    /**
     * Answers a query from the current state, without changing it.
     *
     * @param query the query
     * @return the answer
     */
    R query(Q query);

    /**
     * A name for the semantics of this state machine. It is part of the group id: members whose state
     * machines have different signatures never form one group. Change it whenever {@code apply} changes
     * meaning. The default is the class name.
     */
    default String signature() {
        return getClass().getName();
    }

    /**
     * The whole state as bytes, for a snapshot that lets the log be compacted and a new member catch up
     * without replaying it from the start. The default cannot: such a group keeps its whole log. For a
     * large state, implement {@link #capture()} and {@link #restore(InputStream)} instead.
     *
     * @return the state
     * @throws UnsupportedOperationException if this state machine does not snapshot
     */
    default byte[] snapshot() {
        throw new UnsupportedOperationException(getClass().getName() + " does not take snapshots");
    }

    /**
     * Replaces the state with a snapshot taken by {@link #snapshot()} on some member.
     *
     * @param snapshot the bytes
     * @throws UnsupportedOperationException if this state machine does not snapshot
     */
    default void restore(byte[] snapshot) {
        throw new UnsupportedOperationException(getClass().getName() + " does not restore snapshots");
    }

    /**
     * Captures the state for a snapshot. Called on the group's thread between two commands; the returned
     * task then writes the captured state on a background thread while the group goes on applying
     * commands, so it must not read anything {@link #apply} changes later: let it write an immutable copy,
     * a persistent (copy-on-write) structure, or data that is only ever appended to. The default calls
     * {@link #snapshot()} here and writes its bytes later, so only the writing to disk is in the
     * background; override it when the state is large.
     *
     * @return the task that writes the captured state
     * @throws UnsupportedOperationException if this state machine does not snapshot
     */
    default SnapshotTask capture() {
        byte[] state = snapshot();
        return out -> out.write(state);
    }

    /**
     * Replaces the state with a snapshot written by {@link #capture()} (or {@link #snapshot()}) on some
     * member. The stream holds exactly the bytes written. The default reads them all and calls
     * {@link #restore(byte[])}; override it when the state is large. If it throws, the member stops, as
     * its state is then unknown.
     *
     * @param snapshot the bytes, closed by the caller
     * @throws IOException                   if reading fails
     * @throws UnsupportedOperationException if this state machine does not snapshot
     */
    default void restore(InputStream snapshot) throws IOException {
        restore(snapshot.readAllBytes());
    }

    /** Writes a captured state; see {@link StateMachine#capture()}. */
    @FunctionalInterface
    interface SnapshotTask {

        /**
         * Writes the captured state (on a background thread).
         *
         * @param out where to write it; not to be closed
         * @throws IOException if writing fails (the snapshot is then abandoned and the log kept)
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /** How eager this node is to lead; the default is {@link LeadershipPreference#NORMAL}. */
    default LeadershipPreference leadershipPreference() {
        return LeadershipPreference.NORMAL;
    }
}

package io.mosaik.groups.raft;

/**
 * What became of a local command or read request given to a {@link RaftCore}.
 */
public sealed interface ClientEvent {

    /** The request id given with the command or read. */
    long requestId();

    /**
     * A leader appended the command at this position. It takes effect if and when the entry at that
     * index commits with that term; if another entry commits at that index, it never will.
     *
     * @param requestId the request
     * @param position  where it was appended
     */
    record CommandAccepted(long requestId, LogPosition position) implements ClientEvent {
    }

    /**
     * The command was not accepted.
     *
     * @param requestId the request
     * @param failure   why; see {@link Failure#mayHaveApplied()}
     */
    record CommandFailed(long requestId, Failure failure) implements ClientEvent {
    }

    /**
     * The read index of a read: state applied up to this index answers the read linearizably.
     *
     * @param requestId the request
     * @param index     the read index
     */
    record ReadReady(long requestId, long index) implements ClientEvent {
    }

    /**
     * The read could not be served.
     *
     * @param requestId the request
     * @param failure   why
     */
    record ReadFailed(long requestId, Failure failure) implements ClientEvent {
    }

    /** Why a request failed. */
    enum Failure {
        /** No leader accepted the request within the forward timeout; a command was not applied. */
        NO_LEADER(false),
        /**
         * The request went to the leader, which did not answer within the forward timeout: a command may
         * or may not be applied.
         */
        LEADER_UNRESPONSIVE(true);

        private final boolean mayHaveApplied;

        Failure(boolean mayHaveApplied) {
            this.mayHaveApplied = mayHaveApplied;
        }

        /** Whether a command that failed this way may still take effect. */
        public boolean mayHaveApplied() {
            return mayHaveApplied;
        }
    }
}

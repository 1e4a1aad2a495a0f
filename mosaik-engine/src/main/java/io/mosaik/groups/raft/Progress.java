package io.mosaik.groups.raft;

import java.util.ArrayDeque;

/**
 * What a leader knows about one follower's log. A follower is either being probed (one append at a time,
 * walking back to where the logs agree) or replicated to (appends pipelined up to a window).
 */
final class Progress {

    /** The highest index known to match the leader's log. */
    long match;
    /** The index of the next entry to send. */
    long next;
    /** Pipelining (true) or probing (false). */
    boolean replicating;
    /** While probing: an append is out and unanswered. */
    boolean probeOut;
    /** Last indices of unacknowledged appends while replicating, oldest first. */
    final ArrayDeque<Long> inflight = new ArrayDeque<>();
    /** When the follower last answered, in core time. */
    long lastContact;
    /** The highest read probe it echoed in this term. */
    long probeAck;
    /** The read probe last sent to it. */
    long sentProbe;
    /** The commit index last sent to it. */
    long sentCommit;
    /**
     * The highest index it waits to hear committed: a command it forwarded was appended there, or a read
     * it asked for was answered with it. A commit that reaches it is sent at once.
     */
    long awaitedCommit;
    /**
     * The snapshot being sent to it, or {@code null}: kept (and so readable) until it has it, even if a
     * newer one replaces it in the store meanwhile, so that a long transfer is not started over.
     */
    Snapshot snapshotSending;
    /** Where the next chunk of that snapshot starts. */
    long snapshotOffset;
    /** How much of that snapshot it acknowledged. */
    long snapshotAcked;
    /** The offset the sending last went back to after a refused chunk, -1 if none since progress. */
    long snapshotRewind = -1;
    /** Whether no answer came since the last heartbeat (two such heartbeats: resend what is unanswered). */
    boolean snapshotStalled;
    /** The commit index its current catch-up round must reach (0: no round yet); see RaftCore.caughtUp. */
    long roundTarget;
    /** When that round began. */
    long roundStarted;
    /** Its last index as it last reported it (for the status). */
    long reportedLast;

    Progress(long next, long now) {
        this.next = next;
        this.lastContact = now;
    }

    /** Whether another append may go out now. */
    boolean canSend(int maxInflight) {
        return replicating ? inflight.size() < maxInflight : !probeOut;
    }

    /** An append ending at {@code lastIndex} went out. */
    void sent(long lastIndex) {
        if (replicating) {
            inflight.addLast(lastIndex);
            next = lastIndex + 1;
        } else {
            probeOut = true;
        }
    }

    /**
     * The follower matches up to {@code index}.
     *
     * @return whether the match index advanced
     */
    boolean acknowledged(long index) {
        boolean advanced = index > match;
        if (advanced) {
            match = index;
        }
        if (!replicating) {
            replicating = true;
            next = match + 1;
        } else {
            next = Math.max(next, match + 1);
        }
        probeOut = false;
        while (!inflight.isEmpty() && inflight.peekFirst() <= index) {
            inflight.removeFirst();
        }
        return advanced;
    }

    /**
     * The follower refused an append after {@code rejected}, saying its log may agree at or below
     * {@code hint}. A refusal of an older append (already overtaken) changes nothing.
     */
    void refused(long rejected, long hint) {
        if (replicating ? rejected <= match : rejected != next - 1) {
            return;
        }
        replicating = false;
        inflight.clear();
        probeOut = false;
        next = Math.max(match + 1, Math.min(rejected, hint + 1));
    }

    /** Forgets unacknowledged appends (the link dropped them) and probes again from the match. */
    void reset() {
        replicating = false;
        inflight.clear();
        probeOut = false;
        next = match + 1;
    }
}

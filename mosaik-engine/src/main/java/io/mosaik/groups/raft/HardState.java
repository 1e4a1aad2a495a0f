package io.mosaik.groups.raft;

import io.mosaik.primitives.PeerId;

/**
 * What a Raft node must remember across restarts besides its log: the latest term it has seen and
 * whom it voted for in that term. Forgetting either lets a node vote twice in one term.
 *
 * @param term     the current term
 * @param votedFor the candidate voted for in {@code term}, or {@code null}
 */
public record HardState(long term, PeerId votedFor) {

    /** A node that has never seen a term. */
    public static final HardState INITIAL = new HardState(0, null);

    /** Validates. */
    public HardState {
        if (term < 0) {
            throw new IllegalArgumentException("negative term");
        }
    }
}

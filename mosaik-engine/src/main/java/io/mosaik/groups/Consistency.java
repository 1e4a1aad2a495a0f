package io.mosaik.groups;

/**
 * How fresh the state a query reads must be.
 */
public enum Consistency {
    /**
     * The local state as applied so far: fast and always available, possibly behind the leader (and,
     * on a node cut off from its group, arbitrarily behind).
     */
    WEAK,
    /**
     * Linearizable: the answer reflects every command whose {@code execute} completed before the query
     * began, anywhere in the group. The node asks the leader for a read index (the leader confirms its
     * leadership with a majority of voters first), waits until it has applied up to it, then reads
     * locally. Fails with {@link NoLeaderException} when no leader answers in time.
     */
    STRONG
}

package io.mosaik.discovery;

/**
 * The version of a peer's catalog entry: when the node's current run started and when its entry last
 * changed, both in milliseconds since the epoch. Ordered by {@code (start, update)}, so a restarted node
 * (a later start) supersedes every entry of its previous run.
 *
 * @param start  when the node's run started (fixed for the run)
 * @param update when the entry last changed; strictly increasing within a run
 */
public record EntryVersion(long start, long update) implements Comparable<EntryVersion> {

    /** The version of an entry created now. */
    public static EntryVersion initial(long nowMillis) {
        return new EntryVersion(nowMillis, nowMillis);
    }

    /**
     * The next version: {@code update = max(update, now) + 1}, so versions increase even when the clock
     * goes backwards.
     */
    public EntryVersion next(long nowMillis) {
        return new EntryVersion(start, Math.max(update, nowMillis) + 1);
    }

    /** Whether this version supersedes {@code other}. */
    public boolean isNewerThan(EntryVersion other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(EntryVersion other) {
        int byStart = Long.compare(start, other.start);
        return byStart != 0 ? byStart : Long.compare(update, other.update);
    }
}

package io.mosaik.collections;

import java.util.Objects;

/**
 * A range of priorities, for {@link ReplicatedPriorityQueueWriter#removeRange}: each end is open,
 * inclusive or exclusive.
 *
 * @param from          the lower end, or {@code null} for none
 * @param fromInclusive whether the lower end is in the range
 * @param to            the upper end, or {@code null} for none
 * @param toInclusive   whether the upper end is in the range
 * @param <P>           the priority type
 */
public record PriorityRange<P extends Comparable<? super P>>(P from, boolean fromInclusive, P to,
                                                             boolean toInclusive) {

    /** Every priority. */
    public static <P extends Comparable<? super P>> PriorityRange<P> all() {
        return new PriorityRange<>(null, false, null, false);
    }

    /** Priorities below {@code to}. */
    public static <P extends Comparable<? super P>> PriorityRange<P> below(P to) {
        return new PriorityRange<>(null, false, Objects.requireNonNull(to, "to"), false);
    }

    /** Priorities at most {@code to}. */
    public static <P extends Comparable<? super P>> PriorityRange<P> atMost(P to) {
        return new PriorityRange<>(null, false, Objects.requireNonNull(to, "to"), true);
    }

    /** Priorities above {@code from}. */
    public static <P extends Comparable<? super P>> PriorityRange<P> above(P from) {
        return new PriorityRange<>(Objects.requireNonNull(from, "from"), false, null, false);
    }

    /** Priorities at least {@code from}. */
    public static <P extends Comparable<? super P>> PriorityRange<P> atLeast(P from) {
        return new PriorityRange<>(Objects.requireNonNull(from, "from"), true, null, false);
    }

    /** Priorities from {@code from} (inclusive) to {@code to} (exclusive), like a half-open interval. */
    public static <P extends Comparable<? super P>> PriorityRange<P> between(P from, P to) {
        return new PriorityRange<>(Objects.requireNonNull(from, "from"), true, Objects.requireNonNull(to, "to"), false);
    }

    /** Whether a priority is in the range. */
    public boolean contains(P priority) {
        if (from != null) {
            int c = priority.compareTo(from);
            if (c < 0 || (c == 0 && !fromInclusive)) {
                return false;
            }
        }
        if (to != null) {
            int c = priority.compareTo(to);
            return c < 0 || (c == 0 && toInclusive);
        }
        return true;
    }
}

package io.mosaik.groups.raft.sim;

import io.mosaik.groups.raft.sim.RegisterHistory.Operation;
import io.mosaik.groups.raft.sim.RegisterHistory.Outcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Checks that a {@link RegisterHistory} of a single read/write register (a {@code long}, initially
 * {@code 0}) is linearizable: that there is a total order of its operations which respects real
 * time (an operation that completed before another was invoked comes first) and in which every read
 * returns the value of the latest write before it.
 *
 * <h2>What is checked</h2>
 *
 * <ul>
 *   <li>OK operations must all be linearized, each somewhere inside its interval {@code [invoke,
 *       complete]}.
 *   <li>FAILED operations are dropped, and so are UNKNOWN reads (they observed nothing).
 *   <li>An OK read of a value other than the initial {@code 0} that no OK or UNKNOWN write invoked
 *       before the read completed could have written is reported at once, without a search.
 *   <li>An UNKNOWN write may take effect at any time after its invocation, or never: its completion
 *       is {@code +infinity} and it is optional.
 * </ul>
 *
 * <h2>Algorithm</h2>
 *
 * Wing &amp; Gong's search with Lowe's just-in-time linearization and memoization, as in Knossos and
 * Porcupine. The invocations and completions of the operations are sorted by time into a doubly
 * linked list (at equal times invocations come first: closed intervals that touch overlap). The
 * depth-first search walks the list from its head: an invocation names a "minimal" operation (one
 * invoked before the earliest completion of every operation still to be placed), which it tries to
 * place next; if the register allows it and the pair (set of placed operations as a bit set,
 * register value) has not been seen before, the operation is lifted out of the list (with its
 * completion) and the walk restarts from the head. Reaching a completion means that operation can no
 * longer be placed after what is placed: the search backtracks, restores the last lifted operation and
 * tries its next option, then the candidates after it. A pair seen before is a dead end (the search
 * from it failed, or it would have finished). The search succeeds once every OK operation is placed.
 *
 * <p>UNKNOWN writes get special treatment, which is what keeps them cheap. Take any linearization and
 * remove every UNKNOWN write that is not immediately followed by a read: all reads stay valid (no read
 * saw the removed write's value). So the search only needs linearizations in which each UNKNOWN write
 * comes right before a read of its value: UNKNOWN writes are not in the list, and an OK read {@code r}
 * has, besides "place {@code r} alone", one option per UNKNOWN write of its value: "place that write
 * and then {@code r}", when the write is minimal too. (Up front the checker drops UNKNOWN writes that
 * no OK read completing after their invocation could observe.) Without this an UNKNOWN write that
 * took effect long after its invocation would double the states for its whole span; with it, and
 * distinct written values, the placed UNKNOWN writes follow from the placed reads.
 *
 * <h2>Complexity</h2>
 *
 * Checking linearizability is NP-complete in general (Gibbons &amp; Korach), so the worst case is
 * exponential. But the memoization bounds the work by the number of distinct (placed set, value)
 * pairs, and a placed set is always "every operation that completed before some point, plus a subset
 * of the operations in flight at that point". With at most {@code c} OK operations in flight at a
 * time (one per client) that is about {@code n * 2^c} sets times the few values the register can
 * hold there, each step costing {@code O(n / 64)} to hash the set: a history of 500 operations from
 * five clients takes a few thousand steps, about a millisecond once warm; 5,000 operations with
 * many UNKNOWN writes some tens of thousands. Splitting the history at quiescent points (no operation
 * in flight, no UNKNOWN write spanning it) would not help further: at such a point the placed set is
 * forced, so the memo already collapses every way of linearizing the prefix into at most one state per
 * value the register can hold there. Many concurrent writes followed by reads that no order
 * satisfies do blow up ({@code 2^writes}), hence the step budget: past it the result is {@link
 * Verdict#UNDECIDED} rather than a hang. A step is one visit of a list entry or one option tried.
 *
 * <p>Memory: one memo entry per state visited, with the placed set stored compactly (the leading
 * all-placed words are stored as a count), so long histories stay cheap too.
 */
public final class LinearizabilityChecker {

    /** Default number of search steps before giving up with {@link Verdict#UNDECIDED}. */
    public static final long DEFAULT_STEP_BUDGET = 5_000_000L;

    /** The checker's answer. */
    public enum Verdict {
        /** A linearization exists (see {@link Result#linearization()}). */
        LINEARIZABLE,
        /** No linearization exists. */
        NOT_LINEARIZABLE,
        /** The step budget ran out before the search could tell. */
        UNDECIDED
    }

    /**
     * The result of a check.
     *
     * @param verdict linearizable, not linearizable or undecided
     * @param explanation a short human-readable reason: for a violation, the operation the search got
     *     stuck at furthest along, the values the register held there, the operations overlapping it
     *     and the time window they span
     * @param steps the search steps spent
     * @param linearization when linearizable, a witness: every OK operation and the UNKNOWN writes that
     *     took effect, in linearization order (empty otherwise)
     */
    public record Result(Verdict verdict, String explanation, long steps, List<Operation> linearization) {

        /** {@code true} only when the history was proven linearizable. */
        public boolean linearizable() {
            return verdict == Verdict.LINEARIZABLE;
        }

        /** {@code false} when the step budget ran out before a verdict. */
        public boolean decided() {
            return verdict != Verdict.UNDECIDED;
        }

        @Override
        public String toString() {
            return explanation;
        }
    }

    private LinearizabilityChecker() {
    }

    /** Checks a history with the {@link #DEFAULT_STEP_BUDGET}. */
    public static Result check(RegisterHistory history) {
        return check(history.operations(), DEFAULT_STEP_BUDGET);
    }

    /** Checks a history, giving up with {@link Verdict#UNDECIDED} after {@code stepBudget} steps. */
    public static Result check(RegisterHistory history, long stepBudget) {
        return check(history.operations(), stepBudget);
    }

    /** Checks operations as returned by {@link RegisterHistory#operations()}. */
    public static Result check(List<Operation> operations, long stepBudget) {
        if (stepBudget <= 0) {
            throw new IllegalArgumentException("step budget must be positive: " + stepBudget);
        }
        return new Search(operations, stepBudget).run();
    }

    // ------------------------------------------------------------------------------ the search

    /** One invocation ({@code call}) or completion of an operation in the time-ordered list. */
    private static final class Entry {
        final int op;
        final boolean call;
        final long time;
        Entry match; // of an invocation: its completion
        Entry prev;
        Entry next;

        Entry(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    /**
     * A memo key: the placed set (words {@code [0, prefix)} of the OK part all ones, then {@code tail}:
     * the OK words up to the last non-zero one followed by the fixed-size UNKNOWN part) and the value.
     */
    private static final class Key {
        final long value;
        final int prefix;
        final long[] tail;
        final int hash;

        Key(long value, int prefix, long[] tail) {
            this.value = value;
            this.prefix = prefix;
            this.tail = tail;
            this.hash = (Long.hashCode(value * 0x9E3779B97F4A7C15L) * 31 + prefix) * 31 + Arrays.hashCode(tail);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.value == value && k.prefix == prefix
                    && Arrays.equals(k.tail, tail);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private static final class Search {
        private final List<Operation> all;
        private final long budget;

        // dense operations: OK ones [0, nOk), observable UNKNOWN writes [nOk, n)
        private Operation[] ops;
        private int nOk;
        private int n;
        private boolean[] write;
        private long[] value;
        private int[][] unknownsObservedBy; // per OK read: the UNKNOWN writes it could observe

        private long[] okBits;
        private long[] unknownBits;
        private final Set<Key> memo = new HashSet<>();
        private final Entry head = new Entry(-1, true, Long.MIN_VALUE);

        private int droppedFailed;
        private int droppedUnknownReads;
        private int droppedUnobservedWrites;

        // the furthest the search got: how many OK ops were placed when it got stuck, and where
        private int bestDepth = -1;
        private int blocker = -1;
        private final Map<Long, Integer> blockedValues = new LinkedHashMap<>(); // value -> writer (-1: initial)
        private List<Integer> blockedPath = List.of();

        Search(List<Operation> all, long budget) {
            this.all = all;
            this.budget = budget;
        }

        Result run() {
            String impossibleRead = prepare();
            if (impossibleRead != null) {
                return new Result(Verdict.NOT_LINEARIZABLE, impossibleRead, 0, List.of());
            }
            // one frame per placed OK op: its invocation entry, the option taken (0: alone, k > 0: right
            // after the UNKNOWN write unknownsObservedBy[op][k - 1]) and the register value before it
            Entry[] stack = new Entry[nOk];
            int[] stackOption = new int[nOk];
            long[] stackValue = new long[nOk];
            int top = 0;
            long state = 0;
            long steps = 0;
            Entry entry = head.next;
            int option = 0;
            while (true) {
                if (top == nOk) {
                    return success(stack, stackOption, top, steps);
                }
                if (steps >= budget) {
                    return undecided(steps);
                }
                steps++;
                if (entry != null && entry.call) {
                    int i = entry.op;
                    int options = write[i] ? 1 : 1 + unknownsObservedBy[i].length;
                    long firstCompletion = Long.MIN_VALUE;
                    int u = -1;
                    boolean placed = false;
                    for (; option < options; option++) {
                        if (option == 0) {
                            u = -1;
                            if (!write[i] && state != value[i]) {
                                continue;
                            }
                        } else {
                            steps++;
                            u = unknownsObservedBy[i][option - 1];
                            if (isSet(u)) {
                                continue;
                            }
                            if (firstCompletion == Long.MIN_VALUE) {
                                firstCompletion = firstCompletionAfter(entry);
                            }
                            if (ops[u].invokeTime() > firstCompletion) {
                                continue; // not minimal: some unplaced op completed before it was invoked
                            }
                            set(u, true);
                        }
                        set(i, true);
                        if (memo.add(key(value[i]))) { // a write sets it; a read returns (and keeps) it
                            placed = true;
                            break;
                        }
                        set(i, false);
                        if (u >= 0) {
                            set(u, false);
                        }
                    }
                    if (placed) {
                        stack[top] = entry;
                        stackOption[top] = option;
                        stackValue[top++] = state;
                        state = value[i];
                        lift(entry);
                        entry = head.next;
                    } else {
                        entry = entry.next;
                    }
                    option = 0;
                } else {
                    // a completion (or, defensively, the end): that op can no longer be placed: backtrack
                    if (entry != null) {
                        noteStuck(entry.op, state, stack, stackOption, top);
                    }
                    if (top == 0) {
                        return violation(steps);
                    }
                    Entry last = stack[--top];
                    state = stackValue[top];
                    int u = unknownOf(last.op, stackOption[top]);
                    set(last.op, false);
                    unlift(last);
                    if (u >= 0) {
                        set(u, false);
                    }
                    entry = last;
                    option = stackOption[top] + 1; // try its next option, then the ops after it
                }
            }
        }

        /** The UNKNOWN write placed right before OK op {@code i} by {@code option}, or -1. */
        private int unknownOf(int i, int option) {
            return option == 0 ? -1 : unknownsObservedBy[i][option - 1];
        }

        /** The time of the first completion in the list after {@code entry} (only invocations precede it). */
        private static long firstCompletionAfter(Entry entry) {
            Entry e = entry.next;
            while (e != null && e.call) {
                e = e.next;
            }
            return e == null ? Long.MAX_VALUE : e.time;
        }

        /** Filters and indexes the operations; returns an explanation if a read is plainly impossible. */
        private String prepare() {
            List<Operation> okOps = new ArrayList<>();
            List<Operation> unknownWrites = new ArrayList<>();
            Map<Long, List<Operation>> writesByValue = new HashMap<>();
            Map<Long, List<Operation>> failedWritesByValue = new HashMap<>();
            for (Operation op : all) {
                switch (op.outcome()) {
                    case OK -> okOps.add(op);
                    case FAILED -> droppedFailed++;
                    case UNKNOWN -> {
                        if (op.isWrite()) {
                            unknownWrites.add(op);
                        } else {
                            droppedUnknownReads++;
                        }
                    }
                }
                if (op.isWrite()) {
                    (op.outcome() == Outcome.FAILED ? failedWritesByValue : writesByValue)
                            .computeIfAbsent(op.value(), v -> new ArrayList<>()).add(op);
                }
            }
            Comparator<Operation> byInvoke = Comparator.comparingLong(Operation::invokeTime)
                    .thenComparingLong(Operation::id);
            okOps.sort(byInvoke);
            unknownWrites.sort(byInvoke);

            // a read of a non-initial value that no write invoked before the read completed could produce
            Map<Long, List<Operation>> readsByValue = new HashMap<>();
            for (Operation op : okOps) {
                if (op.isWrite()) {
                    continue;
                }
                readsByValue.computeIfAbsent(op.value(), v -> new ArrayList<>()).add(op);
                if (op.value() != 0 && writesByValue.getOrDefault(op.value(), List.of()).stream()
                        .noneMatch(w -> w.invokeTime() <= op.completeTime())) {
                    List<Operation> failed = failedWritesByValue.getOrDefault(op.value(), List.of());
                    List<Operation> later = writesByValue.getOrDefault(op.value(), List.of());
                    return "not linearizable: " + op + " read a value no write could have written by then"
                            + (failed.isEmpty() ? "" : "; only FAILED writes wrote it: " + list(failed))
                            + (later.isEmpty() ? "" : "; writes of it were invoked only later: " + list(later));
                }
            }

            // UNKNOWN writes no OK read could observe are irrelevant
            List<Operation> observable = new ArrayList<>();
            for (Operation w : unknownWrites) {
                if (readsByValue.getOrDefault(w.value(), List.of()).stream()
                        .anyMatch(r -> r.completeTime() >= w.invokeTime())) {
                    observable.add(w);
                } else {
                    droppedUnobservedWrites++;
                }
            }

            nOk = okOps.size();
            n = nOk + observable.size();
            ops = new Operation[n];
            write = new boolean[n];
            value = new long[n];
            for (int i = 0; i < n; i++) {
                ops[i] = i < nOk ? okOps.get(i) : observable.get(i - nOk);
                write[i] = ops[i].isWrite();
                value[i] = ops[i].value();
            }
            unknownsObservedBy = new int[nOk][];
            for (int i = 0; i < nOk; i++) {
                List<Integer> observes = new ArrayList<>();
                for (int u = nOk; u < n && !write[i]; u++) {
                    if (value[u] == value[i] && ops[i].completeTime() >= ops[u].invokeTime()) {
                        observes.add(u);
                    }
                }
                unknownsObservedBy[i] = observes.stream().mapToInt(Integer::intValue).toArray();
            }
            okBits = new long[(nOk + 63) >>> 6];
            unknownBits = new long[(n - nOk + 63) >>> 6];

            // the time-ordered list of invocations and completions of the OK ops, at equal times
            // invocations first (UNKNOWN writes are not in it: they are only placed with a read)
            List<Entry> entries = new ArrayList<>(2 * nOk);
            for (int i = 0; i < nOk; i++) {
                Entry call = new Entry(i, true, ops[i].invokeTime());
                Entry done = new Entry(i, false, ops[i].completeTime());
                call.match = done;
                entries.add(call);
                entries.add(done);
            }
            entries.sort(Comparator.<Entry>comparingLong(e -> e.time).thenComparing(e -> !e.call)
                    .thenComparingInt(e -> e.op));
            Entry prev = head;
            for (Entry e : entries) {
                prev.next = e;
                e.prev = prev;
                prev = e;
            }
            return null;
        }

        private void set(int i, boolean placed) {
            long[] bits = i < nOk ? okBits : unknownBits;
            int bit = i < nOk ? i : i - nOk;
            if (placed) {
                bits[bit >>> 6] |= 1L << bit;
            } else {
                bits[bit >>> 6] &= ~(1L << bit);
            }
        }

        private boolean isSet(int i) {
            long[] bits = i < nOk ? okBits : unknownBits;
            int bit = i < nOk ? i : i - nOk;
            return (bits[bit >>> 6] & 1L << bit) != 0;
        }

        private Key key(long registerValue) {
            int prefix = 0;
            while (prefix < okBits.length && okBits[prefix] == -1L) {
                prefix++;
            }
            int last = okBits.length - 1;
            while (last >= prefix && okBits[last] == 0) {
                last--;
            }
            int okLength = last - prefix + 1;
            long[] tail = new long[okLength + unknownBits.length];
            System.arraycopy(okBits, prefix, tail, 0, okLength);
            System.arraycopy(unknownBits, 0, tail, okLength, unknownBits.length);
            return new Key(registerValue, prefix, tail);
        }

        /** Unlinks an invocation and its completion (dancing links: {@link #unlift} undoes it, LIFO). */
        private static void lift(Entry call) {
            unlink(call);
            unlink(call.match);
        }

        private static void unlift(Entry call) {
            relink(call.match);
            relink(call);
        }

        private static void unlink(Entry e) {
            e.prev.next = e.next;
            if (e.next != null) {
                e.next.prev = e.prev;
            }
        }

        private static void relink(Entry e) {
            e.prev.next = e;
            if (e.next != null) {
                e.next.prev = e;
            }
        }

        /** Remembers where the search got stuck furthest along (most OK ops placed), for the explanation. */
        private void noteStuck(int op, long state, Entry[] stack, int[] options, int top) {
            if (top > bestDepth) {
                bestDepth = top;
                blocker = op;
                blockedValues.clear();
                List<Integer> path = placed(stack, options, top);
                blockedPath = List.copyOf(path.subList(Math.max(0, path.size() - 4), path.size()));
            }
            if (top == bestDepth && op == blocker && blockedValues.size() < 4 && !blockedValues.containsKey(state)) {
                int writer = -1;
                for (int k = top - 1; k >= 0 && writer < 0; k--) {
                    int u = unknownOf(stack[k].op, options[k]);
                    writer = u >= 0 ? u : write[stack[k].op] ? stack[k].op : -1;
                }
                blockedValues.put(state, writer);
            }
        }

        /** The ops placed by the frames on the stack, in order. */
        private List<Integer> placed(Entry[] stack, int[] options, int top) {
            List<Integer> order = new ArrayList<>(top);
            for (int k = 0; k < top; k++) {
                int u = unknownOf(stack[k].op, options[k]);
                if (u >= 0) {
                    order.add(u);
                }
                order.add(stack[k].op);
            }
            return order;
        }

        private Result success(Entry[] stack, int[] options, int top, long steps) {
            List<Operation> order = placed(stack, options, top).stream().map(k -> ops[k]).toList();
            long unknownPlaced = order.size() - (long) nOk;
            String text = "linearizable: " + nOk + " OK ops placed, " + unknownPlaced + " of " + (n - nOk)
                    + " observable UNKNOWN writes took effect" + dropped() + "; " + steps + " steps, "
                    + memo.size() + " states";
            return new Result(Verdict.LINEARIZABLE, text, steps, order);
        }

        private Result violation(long steps) {
            return new Result(Verdict.NOT_LINEARIZABLE, "not linearizable: " + stuck() + dropped() + "; " + steps
                    + " steps, " + memo.size() + " states", steps, List.of());
        }

        private Result undecided(long steps) {
            return new Result(Verdict.UNDECIDED, "undecided: step budget of " + budget + " exhausted (" + memo.size()
                    + " states); furthest so far: " + stuck(), steps, List.of());
        }

        private String dropped() {
            return droppedFailed + droppedUnknownReads + droppedUnobservedWrites == 0 ? ""
                    : " (ignored " + droppedFailed + " FAILED ops, " + droppedUnknownReads + " UNKNOWN reads, "
                            + droppedUnobservedWrites + " UNKNOWN writes no read observed)";
        }

        /** Describes where the search got stuck furthest along, with the window of operations around it. */
        private String stuck() {
            if (blocker < 0) {
                return "no operation could be placed";
            }
            Operation b = ops[blocker];
            StringBuilder out = new StringBuilder();
            out.append(b).append(" cannot be placed by its completion after ").append(bestDepth).append(" of ")
                    .append(nOk).append(" OK ops");
            long from = b.invokeTime();
            StringJoiner held = new StringJoiner(", ", "{", "}");
            for (Map.Entry<Long, Integer> e : blockedValues.entrySet()) {
                int writer = e.getValue();
                held.add(e.getKey() + (writer < 0 ? " initial" : " from " + ops[writer]));
                if (writer >= 0) {
                    from = Math.min(from, ops[writer].invokeTime());
                }
            }
            out.append(b.isWrite() ? "; the register held " : "; it read " + b.value() + " but the register held ")
                    .append(held);
            List<Operation> overlapping = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Operation o = ops[i];
                if (i != blocker && o.invokeTime() <= b.completeTime() && o.completeTime() >= b.invokeTime()) {
                    overlapping.add(o);
                    from = Math.min(from, o.invokeTime());
                }
            }
            out.append("; overlapping: ").append(overlapping.isEmpty() ? "none" : list(overlapping));
            if (!blockedPath.isEmpty()) {
                out.append("; last placed before it: ")
                        .append(list(blockedPath.stream().map(k -> ops[k]).toList()));
            }
            out.append("; window [").append(from).append(", ").append(b.completeTime()).append(']');
            return out.toString();
        }

        private static String list(List<Operation> ops) {
            int shown = Math.min(ops.size(), 8);
            StringJoiner out = new StringJoiner(", ");
            ops.subList(0, shown).forEach(o -> out.add(o.toString()));
            return out + (ops.size() > shown ? ", +" + (ops.size() - shown) + " more" : "");
        }
    }
}

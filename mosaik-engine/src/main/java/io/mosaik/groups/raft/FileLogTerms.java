package io.mosaik.groups.raft;

import java.util.Arrays;

/**
 * The terms of a log's entries as runs: a run starts at an index and holds every entry up to the next
 * run's start. Terms change only with leaders, so a log of millions of entries has a handful of runs,
 * and {@link #termAt(long)} is a binary search over them.
 */
final class FileLogTerms {

    private long[] starts = new long[16];
    private long[] terms = new long[16];
    private int runs;

    /** Notes the entry at {@code index} (the one after the last noted) has this term. */
    void add(long index, long term) {
        if (runs > 0 && terms[runs - 1] == term) {
            return;
        }
        if (runs == starts.length) {
            starts = Arrays.copyOf(starts, runs * 2);
            terms = Arrays.copyOf(terms, runs * 2);
        }
        starts[runs] = index;
        terms[runs] = term;
        runs++;
    }

    /** The term of the run holding {@code index}, or -1 if the index is before every run. */
    long termAt(long index) {
        int run = runOf(index);
        return run < 0 ? -1 : terms[run];
    }

    /** The term of the last run, or 0 if there is none. */
    long lastTerm() {
        return runs == 0 ? 0 : terms[runs - 1];
    }

    /** Forgets the entries from {@code index} on. */
    void truncateFrom(long index) {
        while (runs > 0 && starts[runs - 1] >= index) {
            runs--;
        }
    }

    /** Forgets the runs that end before {@code index} (the one holding it stays). */
    void dropBefore(long index) {
        int keep = runOf(index);
        if (keep > 0) {
            System.arraycopy(starts, keep, starts, 0, runs - keep);
            System.arraycopy(terms, keep, terms, 0, runs - keep);
            runs -= keep;
        }
    }

    /** Forgets everything. */
    void clear() {
        runs = 0;
    }

    /**
     * The runs that hold entries from {@code first} to {@code last}, as start/term pairs, the first
     * starting at {@code first} (entries before the earliest run kept, which are compacted, get its term).
     */
    long[] runsBetween(long first, long last) {
        int from = Math.max(0, runOf(first));
        int to = Math.max(from, runOf(last));
        long[] out = new long[(to - from + 1) * 2];
        for (int run = from; run <= to; run++) {
            out[(run - from) * 2] = run == from ? first : starts[run];
            out[(run - from) * 2 + 1] = terms[run];
        }
        return out;
    }

    private int runOf(long index) {
        int found = Arrays.binarySearch(starts, 0, runs, index);
        return found >= 0 ? found : -found - 2;
    }
}

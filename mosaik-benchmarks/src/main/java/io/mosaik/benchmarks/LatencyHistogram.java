package io.mosaik.benchmarks;

import java.util.Arrays;

/** Records latencies in nanoseconds into a growable array and reports percentiles. */
final class LatencyHistogram {

    private long[] samples = new long[1 << 16];
    private int count;

    void record(long nanos) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, samples.length * 2);
        }
        samples[count++] = nanos;
    }

    int count() {
        return count;
    }

    /** The percentile in microseconds, e.g. {@code percentileMicros(99.0)}. */
    double percentileMicros(double percentile) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        int index = (int) Math.min(count - 1, Math.ceil(percentile / 100.0 * count) - 1);
        return sorted[Math.max(0, index)] / 1_000.0;
    }
}

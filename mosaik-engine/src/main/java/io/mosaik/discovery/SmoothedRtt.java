package io.mosaik.discovery;

import java.time.Duration;

/**
 * A peer's smoothed round-trip time, as RFC 6298 keeps it (spec §2.10): the first sample R gives
 * SRTT = R and RTTVAR = R/2; each later one RTTVAR = ¾·RTTVAR + ¼·|SRTT − R|, then SRTT = ⅞·SRTT + ⅛·R.
 * Only SRTT is shown; one slow answer moves it by an eighth of the difference, not all the way.
 *
 * @param srttNanos   the smoothed round-trip time, in nanoseconds
 * @param rttvarNanos its variation, in nanoseconds
 */
record SmoothedRtt(long srttNanos, long rttvarNanos) {

    /** The estimate after a first sample. */
    static SmoothedRtt first(Duration sample) {
        long r = sample.toNanos();
        return new SmoothedRtt(r, r / 2);
    }

    /** The estimate after one more sample. */
    SmoothedRtt next(Duration sample) {
        long r = sample.toNanos();
        long rttvar = (3 * rttvarNanos + Math.abs(srttNanos - r)) / 4;
        long srtt = (7 * srttNanos + r) / 8;
        return new SmoothedRtt(srtt, rttvar);
    }

    /** The smoothed round-trip time. */
    Duration srtt() {
        return Duration.ofNanos(srttNanos);
    }
}

package io.mosaik.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** RFC 6298's smoothing of round-trip samples (spec §2.10). */
class SmoothedRttTest {

    @Test
    void theFirstSampleIsTheEstimateAndItsVariationIsHalfOfIt() {
        SmoothedRtt first = SmoothedRtt.first(Duration.ofMillis(80));
        assertThat(first.srtt()).isEqualTo(Duration.ofMillis(80));
        assertThat(first.rttvarNanos()).isEqualTo(Duration.ofMillis(40).toNanos());
    }

    @Test
    void aLaterSampleMovesTheEstimateByAnEighthOfTheDifference() {
        SmoothedRtt next = SmoothedRtt.first(Duration.ofMillis(80)).next(Duration.ofMillis(160));
        assertThat(next.srtt()).isEqualTo(Duration.ofMillis(90)); // 7/8 * 80 + 1/8 * 160
        assertThat(next.rttvarNanos()).isEqualTo(Duration.ofMillis(50).toNanos()); // 3/4 * 40 + 1/4 * |80 - 160|
    }

    @Test
    void oneSlowAnswerAmongFastOnesBarelyMovesIt() {
        SmoothedRtt rtt = SmoothedRtt.first(Duration.ofMillis(2));
        for (int i = 0; i < 20; i++) {
            rtt = rtt.next(Duration.ofMillis(2));
        }
        rtt = rtt.next(Duration.ofMillis(500));
        assertThat(rtt.srtt()).isBetween(Duration.ofMillis(60), Duration.ofMillis(70)); // 2 + 498 / 8
        rtt = rtt.next(Duration.ofMillis(2));
        assertThat(rtt.srtt()).isLessThan(Duration.ofMillis(60));
    }
}

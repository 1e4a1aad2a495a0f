package io.mosaik.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeadlineTest {

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void aStepThatFinishesInTimeWinsAndTheExpiryNeverRuns() throws Exception {
        AtomicInteger expired = new AtomicInteger();
        Deadline deadline = Deadline.start(timers, Runnable::run, Duration.ofMillis(50), expired::incrementAndGet);
        assertThat(deadline.disarm()).isTrue();
        assertThat(deadline.disarm()).isFalse();
        // the timer would have fired by now; a task queued behind it proves it did not act
        timers.schedule(() -> { }, 100, TimeUnit.MILLISECONDS).get();
        assertThat(expired).hasValue(0);
    }

    @Test
    void onceTheExpiryHasStartedTheStepLosesEvenWhileTheTimerTaskIsStillRunning() throws Exception {
        CountDownLatch expiryRunning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // the expiry runs on the timer thread here and blocks: the timer task has not finished yet
        Deadline deadline = Deadline.start(timers, Runnable::run, Duration.ofMillis(10), () -> {
            expiryRunning.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(expiryRunning.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(deadline.disarm()).isFalse();
        release.countDown();
    }

    @Test
    void aClosedTimerNeverFiresAndDoesNotThrow() {
        timers.shutdownNow();
        AtomicInteger expired = new AtomicInteger();
        Deadline deadline = Deadline.start(timers, Runnable::run, Duration.ofMillis(1), expired::incrementAndGet);
        await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(1)).untilAsserted(
                () -> assertThat(expired).hasValue(0));
        assertThat(deadline.disarm()).isTrue();
    }
}

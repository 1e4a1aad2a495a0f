package io.mosaik.network;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A time limit on a step (a handshake, a link header) where exactly one of two things happens: the
 * step finishes and {@link #disarm()} wins, or the limit passes and the expiry action runs. A
 * {@link ScheduledFuture}'s {@code cancel} cannot decide that alone: it still succeeds while the timer
 * task is running, so an expiry that already acted could be followed by a successful cancel.
 */
final class Deadline {

    private final AtomicBoolean decided = new AtomicBoolean();
    private final ScheduledFuture<?> timer;

    private Deadline(ScheduledExecutorService timers, Executor workers, Duration limit, Runnable onExpiry) {
        ScheduledFuture<?> scheduled;
        try {
            scheduled = timers.schedule(() -> {
                if (decided.compareAndSet(false, true)) {
                    workers.execute(onExpiry); // off the single timer thread: closing may block briefly
                }
            }, limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            scheduled = null; // the network is closing and will close everything itself
        }
        this.timer = scheduled;
    }

    /** Starts the clock; {@code onExpiry} runs on {@code workers} unless {@link #disarm()} comes first. */
    static Deadline start(ScheduledExecutorService timers, Executor workers, Duration limit, Runnable onExpiry) {
        return new Deadline(timers, workers, limit, onExpiry);
    }

    /**
     * Stops the clock.
     *
     * @return {@code true} if the step finished in time (the expiry action will never run), {@code false}
     *         if the expiry action has run or is running
     */
    boolean disarm() {
        boolean won = decided.compareAndSet(false, true);
        if (won && timer != null) {
            timer.cancel(false);
        }
        return won;
    }
}

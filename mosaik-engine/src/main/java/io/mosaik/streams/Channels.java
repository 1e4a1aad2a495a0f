package io.mosaik.streams;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The channels of one producer or one consumer, and the conditions waiting on them: every change (a
 * channel added, connected, terminated) re-checks the waiting conditions and tells the listeners.
 */
final class Channels {

    private final ConcurrentHashMap<Long, Channel> channels = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    long add(Channel channel) {
        long id = ids.incrementAndGet();
        channels.put(id, channel);
        changed();
        return id;
    }

    void state(Channel channel, ChannelState state) {
        channel.state(state);
        changed();
    }

    void remove(long id) {
        Channel removed = channels.remove(id);
        if (removed != null) {
            removed.state(ChannelState.TERMINATED);
            changed();
        }
    }

    List<Channel> all() {
        return List.copyOf(channels.values());
    }

    List<ChannelInfo> snapshot() {
        return channels.values().stream().map(Channel::info).toList();
    }

    /** Runs {@code listener} after every change. */
    void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** A future completed the first time {@code conditions} hold (now, or after a later change). */
    CompletableFuture<Void> await(ChannelConditions conditions) {
        Waiter waiter = new Waiter(conditions, new CompletableFuture<>());
        waiters.add(waiter);
        waiter.future.whenComplete((done, error) -> waiters.remove(waiter));
        waiter.check();
        return waiter.future;
    }

    /** Fails every waiting future: the producer or consumer closed. */
    void closeWaiters(String why) {
        waiters.forEach(waiter -> waiter.future.completeExceptionally(new IllegalStateException(why)));
    }

    void changed() {
        // listeners first: they keep derived state (a producer's online flag) that a completed waiter's
        // caller may read at once
        listeners.forEach(Runnable::run);
        waiters.forEach(Waiter::check);
    }

    private record Waiter(ChannelConditions conditions, CompletableFuture<Void> future) {
        void check() {
            if (!future.isDone() && conditions.isMet()) {
                future.complete(null);
            }
        }
    }
}

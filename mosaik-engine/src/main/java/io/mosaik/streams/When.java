package io.mosaik.streams;

import java.util.concurrent.CompletableFuture;

/**
 * Conditions on the channels of a {@link Producer} or a {@link Consumer}, as futures (spec §3.7):
 * whether it is online, and how many matching subscriptions are connected.
 */
public final class When {
    private final Channels channels;
    private final ChannelConditions online;

    When(Channels channels, ChannelConditions online) {
        this.channels = channels;
        this.online = online;
    }

    /** Completes when online (at once if online now). */
    public CompletableFuture<Void> online() {
        return online.future();
    }

    /** Completes when offline (at once if offline now). */
    public CompletableFuture<Void> offline() {
        return online.unmet().future();
    }

    /** A condition on subscriptions, by default "at least one connected". */
    public ChannelConditions subscribed() {
        return ChannelConditions.of(channels, 1);
    }

    /** The negation of {@link #subscribed()}: no connected subscription. */
    public ChannelConditions unsubscribed() {
        return subscribed().unmet();
    }
}

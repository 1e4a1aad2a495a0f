package io.mosaik.streams;

import io.mosaik.discovery.PeerEntry;
import io.mosaik.primitives.Tag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * A condition on the channels of a producer or a consumer (spec §3.7): "at least {@code n} connected
 * channels whose peer carries these tags and passes these predicates", or its negation. Immutable: every
 * method returns a new condition.
 *
 * <pre>{@code
 * producer.when().subscribed().minimumOf(2).withTags(Tag.of("eu-west")).future().get(10, SECONDS);
 * consumer.when().unsubscribed().future().thenRun(() -> log.warn("no producer left"));
 * }</pre>
 */
public final class ChannelConditions {

    private final Channels channels;
    private final int minimum;
    private final List<Predicate<PeerEntry>> predicates;
    private final boolean inverted;

    ChannelConditions(Channels channels, int minimum, List<Predicate<PeerEntry>> predicates, boolean inverted) {
        this.channels = channels;
        this.minimum = minimum;
        this.predicates = List.copyOf(predicates);
        this.inverted = inverted;
    }

    static ChannelConditions of(Channels channels, int minimum) {
        return new ChannelConditions(channels, minimum, List.of(), false);
    }

    /** At least {@code count} matching connected channels. */
    public ChannelConditions minimumOf(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("a minimum of channels cannot be negative, was " + count);
        }
        return new ChannelConditions(channels, count, predicates, inverted);
    }

    /** Only channels whose peer carries every one of these tags count. */
    public ChannelConditions withTags(Tag... tags) {
        List<Tag> required = List.copyOf(Arrays.asList(tags));
        return withPredicate(entry -> required.stream().allMatch(entry::hasTag));
    }

    /** Only channels whose peer passes {@code predicate} count (and-ed with the others). */
    public ChannelConditions withPredicate(Predicate<PeerEntry> predicate) {
        Objects.requireNonNull(predicate, "predicate");
        List<Predicate<PeerEntry>> more = new ArrayList<>(predicates);
        more.add(predicate);
        return new ChannelConditions(channels, minimum, more, inverted);
    }

    /** The negation: holds exactly when this condition does not. */
    public ChannelConditions unmet() {
        return new ChannelConditions(channels, minimum, predicates, !inverted);
    }

    /** Whether the condition holds now. */
    public boolean isMet() {
        long matching = channels.all().stream().filter(channel -> channel.state() == ChannelState.CONNECTED)
                .filter(channel -> predicates.stream().allMatch(predicate -> safeTest(predicate, channel.peer)))
                .count();
        return (matching >= minimum) != inverted;
    }

    /**
     * A future completed as soon as the condition holds: at once if it holds now, else at the change that
     * makes it hold. Each call gives a new future, so waiting again after it completed waits for the next
     * time the condition becomes true only if it is false by then.
     */
    public CompletableFuture<Void> future() {
        return channels.await(this);
    }

    private static boolean safeTest(Predicate<PeerEntry> predicate, PeerEntry entry) {
        try {
            return predicate.test(entry);
        } catch (RuntimeException e) {
            return false; // a failing predicate does not match, and does not break the caller
        }
    }

    @Override
    public String toString() {
        return (inverted ? "not " : "") + "at least " + minimum + " connected channel(s)"
                + (predicates.isEmpty() ? "" : " matching " + predicates.size() + " predicate(s)");
    }
}

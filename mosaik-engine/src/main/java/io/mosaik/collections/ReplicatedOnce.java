package io.mosaik.collections;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a replicated once-cell: empty until the first write, which no later write changes.
 *
 * @param <T> the value type
 */
public interface ReplicatedOnce<T> extends ReplicatedCollection {

    /** The value, if it was written. */
    Optional<T> get();

    /** Whether it was written. */
    default boolean isPresent() {
        return get().isPresent();
    }

    /** Completes with the value once this node has it (at once if it has). */
    CompletableFuture<T> awaitValue();
}

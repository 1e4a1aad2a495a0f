package io.mosaik.collections;

import java.util.Optional;

/**
 * Reads a replicated cell: one value or none (the original mosaik's register).
 *
 * @param <T> the value type
 */
public interface ReplicatedCell<T> extends ReplicatedCollection {

    /** The value, if the cell holds one. */
    Optional<T> get();

    /** Whether the cell holds a value. */
    default boolean isPresent() {
        return get().isPresent();
    }
}

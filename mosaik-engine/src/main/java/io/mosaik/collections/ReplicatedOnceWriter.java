package io.mosaik.collections;

import java.util.concurrent.CompletableFuture;

/**
 * Writes and reads a replicated once-cell: of every write from every node, the first to commit sets
 * the value for good; the others take a version and change nothing.
 *
 * @param <T> the value type
 */
public interface ReplicatedOnceWriter<T> extends ReplicatedOnce<T> {

    /**
     * Writes the value if none was written before; fails with {@link CollectionOfflineException} when
     * the collection is offline.
     *
     * @param value the value
     * @return the version, and whether this write was the first (so that its value is the cell's)
     */
    CompletableFuture<CasResult> set(T value);
}

package io.mosaik.collections;

import io.mosaik.groups.GroupId;
import java.util.Objects;

/**
 * Opens a collection as a writer or a reader. Obtained from {@link ReplicatedCollections}, for example
 * {@code network.collections().map("balances", String.class, Long.class).writer()}.
 *
 * @param <R> the reader type
 * @param <W> the writer type
 */
public final class CollectionBuilder<R extends ReplicatedCollection, W extends R> {

    private final ReplicatedCollections collections;
    private final ReplicatedCollections.Spec<?> spec;
    private CollectionConfig config = CollectionConfig.defaults();

    CollectionBuilder(ReplicatedCollections collections, ReplicatedCollections.Spec<?> spec) {
        this.collections = collections;
        this.spec = spec;
    }

    /** How the collection is replicated (default {@link CollectionConfig#defaults()}). */
    public CollectionBuilder<R, W> config(CollectionConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        return this;
    }

    /** The id of the collection's group with the settings given so far. */
    public GroupId groupId() {
        return collections.groupId(spec, config);
    }

    /**
     * Opens a writer: this node becomes a full member of the collection's group (it may vote and lead).
     * Construction does not wait: reads work at once (on an empty or restored state) and writes fail
     * with {@link CollectionOfflineException} until {@code when().online()} completes.
     *
     * @throws IllegalArgumentException if this node has the store open already with another
     *                                  {@link CollectionConfig} (handles on one store share one replica)
     */
    @SuppressWarnings("unchecked")
    public W writer() {
        return (W) collections.open(spec, config, CollectionRole.WRITER);
    }

    /**
     * Opens a reader: this node replicates the collection as an observer (it never votes or leads). Reads
     * work at once and show the collection as this node has caught up with it.
     *
     * @throws IllegalArgumentException if this node has the store open already with another
     *                                  {@link CollectionConfig} (handles on one store share one replica)
     */
    @SuppressWarnings("unchecked")
    public R reader() {
        return (R) collections.open(spec, config, CollectionRole.READER);
    }

    /** Opens a writer or a reader. */
    public R open(CollectionRole role) {
        return Objects.requireNonNull(role, "role") == CollectionRole.WRITER ? writer() : reader();
    }
}

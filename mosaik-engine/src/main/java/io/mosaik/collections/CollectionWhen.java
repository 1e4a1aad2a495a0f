package io.mosaik.collections;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Conditions on a collection on this node, as futures that complete when the condition holds (at once
 * if it holds now). Obtained from {@link ReplicatedCollection#when()}.
 */
public final class CollectionWhen {

    private final Store<?> store;

    CollectionWhen(Store<?> store) {
        this.store = store;
    }

    /** Completes when the collection is online here: writes can go through. */
    public CompletableFuture<Void> online() {
        return store.group().when().online();
    }

    /** Completes when the collection is offline here. */
    public CompletableFuture<Void> offline() {
        return store.group().when().offline();
    }

    /** Completes with the new version at the next write this node applies (or snapshot it installs). */
    public CompletableFuture<Version> updated() {
        Version now = store.machine().state().version();
        return store.machine().await(state -> state.version().index() > now.index())
                .thenApply(CollectionMachine.State::version);
    }

    /**
     * Completes once this node's replica holds every write up to {@code version} (a version a writer's
     * write completed with, on any node): reads here then see that write.
     */
    public CompletableFuture<Version> reaches(Version version) {
        Objects.requireNonNull(version, "version");
        return store.group().when().applied(version.index()).thenApply(index -> store.machine().state().version());
    }
}

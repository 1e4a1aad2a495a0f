package io.mosaik.collections;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mosaik.groups.CommandOverwrittenException;
import io.mosaik.groups.Committed;
import io.mosaik.groups.Group;
import io.mosaik.groups.GroupClosedException;
import io.mosaik.groups.NoLeaderException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One collection on one node: its group membership and its state machine (which holds the state every
 * handle reads), shared by every handle on the store and counted, so that the node leaves the group when
 * the last handle is closed.
 *
 * @param <S> the state
 */
final class Store<S> {

    private final StoreId id;
    private final CollectionMachine<S> machine;
    private final Group<byte[], byte[], Boolean> group;
    private final CollectionRole memberRole;
    private final CollectionConfig config;
    private final List<String> typeNames;
    private final java.util.function.Consumer<Store<?>> releaser;
    private final List<Meter> meters;
    private final MeterRegistry registry;
    private int handles;

    Store(StoreId id, CollectionMachine<S> machine, Group<byte[], byte[], Boolean> group, CollectionRole memberRole,
          CollectionConfig config, List<String> typeNames, MeterRegistry registry,
          java.util.function.Consumer<Store<?>> releaser) {
        this.id = id;
        this.machine = machine;
        this.group = group;
        this.memberRole = memberRole;
        this.config = config;
        this.typeNames = typeNames;
        this.releaser = releaser;
        String kind = machine.kind.configName();
        String group16 = group.id().toShortString();
        this.meters = List.of(
                Gauge.builder("mosaik.collections.size", machine, m -> m.size(m.state().data()))
                        .description("Elements in the collection on this node").tag("kind", kind)
                        .tag("store", id.displayName()).tag("group", group16).register(registry),
                FunctionCounter.builder("mosaik.collections.syncs", machine, CollectionMachine::restores)
                        .description("Snapshots of the collection installed on this node (catch-up and restarts)")
                        .tag("kind", kind).tag("store", id.displayName()).tag("group", group16).register(registry));
        this.registry = registry;
    }

    StoreId id() {
        return id;
    }

    CollectionMachine<S> machine() {
        return machine;
    }

    Group<byte[], byte[], Boolean> group() {
        return group;
    }

    /** The role this node's member has (that of the first handle opened on the store). */
    CollectionRole memberRole() {
        return memberRole;
    }

    /** The settings the store was opened with (those of the first handle). */
    CollectionConfig config() {
        return config;
    }

    List<String> typeNames() {
        return typeNames;
    }

    synchronized void retain() {
        handles++;
    }

    synchronized int handles() {
        return handles;
    }

    /** Releases a handle: the last one leaves the group (the caller holds the collections' lock). */
    void release() {
        releaser.accept(this);
    }

    /** Counts a handle released; returns the handles left. */
    synchronized int released() {
        return --handles;
    }

    /** Leaves the group and removes the meters. */
    void shutdown() {
        meters.forEach(registry::remove);
        group.close();
    }

    /**
     * Runs a write through the group: fails with {@link CollectionOfflineException} (not applied, input
     * handed back) if the collection is offline here or no leader took the write.
     *
     * @param command the encoded command
     * @param input   what the caller wrote, handed back if the write cannot go through
     * @return the write's version and whether it changed anything
     */
    CompletableFuture<Committed<Boolean>> write(byte[] command, Object input) {
        if (!group.status().online()) {
            return CompletableFuture.failedFuture(new CollectionOfflineException("collection " + id.displayName()
                    + " is offline on this node (its group has no leader it follows); the write was not applied:"
                    + " retry it once when().online() completes", input));
        }
        return group.execute(command).handle((committed, error) -> {
            if (error == null) {
                return committed;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof NoLeaderException || cause instanceof CommandOverwrittenException) {
                throw new CompletionException(new CollectionOfflineException("collection " + id.displayName()
                        + " lost its leader before the write committed; it was not applied: " + cause.getMessage(),
                        input));
            }
            throw cause instanceof CompletionException ce ? ce : new CompletionException(cause);
        });
    }

    /** A failure for a write on a closed handle. */
    GroupClosedException closed() {
        return new GroupClosedException("this handle on collection " + id.displayName()
                + " is closed; open the collection again for a new one");
    }
}

package io.mosaik.collections;

import io.micrometer.core.instrument.MeterRegistry;
import io.mosaik.codec.Codec;
import io.mosaik.groups.Group;
import io.mosaik.groups.GroupBuilder;
import io.mosaik.groups.GroupId;
import io.mosaik.groups.GroupKey;
import io.mosaik.groups.Groups;
import io.mosaik.groups.raft.LeadershipPreference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicated collections of one node: opens maps, vecs, sets, cells, once-cells and priority queues
 * that every node opening the same store shares. Obtained from {@code network.collections()}.
 *
 * <pre>{@code
 * ReplicatedMapWriter<String, Long> balances = network.collections()
 *         .map("balances", String.class, Long.class).writer();
 * balances.when().online().join();
 * Version v = balances.put("alice", 100L).join();
 * }</pre>
 *
 * <p>Each collection is a Raft group of its own whose state machine is the data structure; writers are
 * full members, readers observers. Its group id derives from the kind, the store id, the element types
 * (their class names), a priority queue's capacity, the secret if any, and the consensus heartbeat
 * settings: nodes that differ in any of them do not share the collection. Every node must use the same codec.
 */
public final class ReplicatedCollections implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicatedCollections.class);

    /**
     * What a collection is: kind, store, element types, and how to make its state machine and handles.
     *
     * @param <S> the state
     */
    record Spec<S>(CollectionKind kind, StoreId store, List<Class<?>> types, long capacity,
                   Function<String, CollectionMachine<S>> machine,
                   BiFunction<Store<S>, CollectionRole, ReplicatedCollection> handle) {

        String signature() {
            StringBuilder signature = new StringBuilder("mosaik_collections_").append(kind.configName()).append('/')
                    .append(store.digest().toHex());
            types.forEach(type -> signature.append('/').append(type.getName()));
            if (kind == CollectionKind.PRIORITY_QUEUE) {
                signature.append("/capacity=").append(capacity);
            }
            return signature.toString();
        }
    }

    private final Groups groups;
    private final Codec codec;
    private final MeterRegistry registry;
    private final Map<GroupId, Store<?>> stores = new HashMap<>();
    /** Collections whose last handle was closed, while the node leaves their group. */
    private final Map<GroupId, CompletableFuture<Void>> closing = new HashMap<>();
    private boolean closed;

    /**
     * The collections of a node; the network creates it.
     *
     * @param groups   the node's groups
     * @param codec    the codec for keys and values
     * @param registry where meters go
     */
    public ReplicatedCollections(Groups groups, Codec codec, MeterRegistry registry) {
        this.groups = Objects.requireNonNull(groups, "groups");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** A map of the store named {@code store}. */
    public <K, V> CollectionBuilder<ReplicatedMap<K, V>, ReplicatedMapWriter<K, V>> map(String store, Class<K> keyType,
                                                                                      Class<V> valueType) {
        return map(StoreId.of(store), keyType, valueType);
    }

    /** A map of a store. */
    public <K, V> CollectionBuilder<ReplicatedMap<K, V>, ReplicatedMapWriter<K, V>> map(StoreId store, Class<K> keyType,
                                                                                      Class<V> valueType) {
        requireTypes(keyType, valueType);
        return new CollectionBuilder<>(this, new Spec<>(CollectionKind.MAP, store, List.of(keyType, valueType), 0,
                signature -> new MapMachine<>(codec, signature, keyType, valueType),
                (s, role) -> role == CollectionRole.WRITER ? new MapHandles.Writer<>(s, keyType)
                        : new MapHandles.Reader<>(s, role, keyType)));
    }

    /** A vec of the store named {@code store}. */
    public <T> CollectionBuilder<ReplicatedVec<T>, ReplicatedVecWriter<T>> vec(String store, Class<T> type) {
        return vec(StoreId.of(store), type);
    }

    /** A vec of a store. */
    public <T> CollectionBuilder<ReplicatedVec<T>, ReplicatedVecWriter<T>> vec(StoreId store, Class<T> type) {
        requireTypes(type);
        return new CollectionBuilder<>(this, new Spec<>(CollectionKind.VEC, store, List.of(type), 0,
                signature -> new VecMachine<>(codec, signature, type),
                (s, role) -> role == CollectionRole.WRITER ? new VecHandles.Writer<>(s) : new VecHandles.Reader<>(s, role)));
    }

    /** A set of the store named {@code store}. */
    public <T> CollectionBuilder<ReplicatedSet<T>, ReplicatedSetWriter<T>> set(String store, Class<T> type) {
        return set(StoreId.of(store), type);
    }

    /** A set of a store. */
    public <T> CollectionBuilder<ReplicatedSet<T>, ReplicatedSetWriter<T>> set(StoreId store, Class<T> type) {
        requireTypes(type);
        return new CollectionBuilder<>(this, new Spec<>(CollectionKind.SET, store, List.of(type), 0,
                signature -> new SetMachine<>(codec, signature, type),
                (s, role) -> role == CollectionRole.WRITER ? new SetHandles.Writer<>(s, type)
                        : new SetHandles.Reader<>(s, role, type)));
    }

    /** A cell of the store named {@code store}. */
    public <T> CollectionBuilder<ReplicatedCell<T>, ReplicatedCellWriter<T>> cell(String store, Class<T> type) {
        return cell(StoreId.of(store), type);
    }

    /** A cell of a store. */
    public <T> CollectionBuilder<ReplicatedCell<T>, ReplicatedCellWriter<T>> cell(StoreId store, Class<T> type) {
        requireTypes(type);
        return new CollectionBuilder<>(this, new Spec<>(CollectionKind.CELL, store, List.of(type), 0,
                signature -> new CellMachine<>(CollectionKind.CELL, codec, signature, type),
                (s, role) -> role == CollectionRole.WRITER ? new CellHandles.Writer<>(s)
                        : new CellHandles.Reader<>(s, role)));
    }

    /** A once-cell of the store named {@code store}. */
    public <T> CollectionBuilder<ReplicatedOnce<T>, ReplicatedOnceWriter<T>> once(String store, Class<T> type) {
        return once(StoreId.of(store), type);
    }

    /** A once-cell of a store. */
    public <T> CollectionBuilder<ReplicatedOnce<T>, ReplicatedOnceWriter<T>> once(StoreId store, Class<T> type) {
        requireTypes(type);
        return new CollectionBuilder<>(this, new Spec<>(CollectionKind.ONCE, store, List.of(type), 0,
                signature -> new CellMachine<>(CollectionKind.ONCE, codec, signature, type),
                (s, role) -> role == CollectionRole.WRITER ? new CellHandles.OnceWriter<>(s)
                        : new CellHandles.OnceReader<>(s, role)));
    }

    /** An unbounded priority queue of the store named {@code store}. */
    public <P extends Comparable<? super P>, K, V>
    CollectionBuilder<ReplicatedPriorityQueue<P, K, V>, ReplicatedPriorityQueueWriter<P, K, V>> priorityQueue(
            String store, Class<P> priorityType, Class<K> keyType, Class<V> valueType) {
        return priorityQueue(StoreId.of(store), priorityType, keyType, valueType, Long.MAX_VALUE);
    }

    /**
     * A priority queue of a store.
     *
     * @param capacity the most entries it holds ({@link Long#MAX_VALUE}: unbounded); part of its identity
     */
    public <P extends Comparable<? super P>, K, V>
    CollectionBuilder<ReplicatedPriorityQueue<P, K, V>, ReplicatedPriorityQueueWriter<P, K, V>> priorityQueue(
            StoreId store, Class<P> priorityType, Class<K> keyType, Class<V> valueType, long capacity) {
        requireTypes(priorityType, keyType, valueType);
        if (capacity < 1) {
            throw new IllegalArgumentException("a priority queue holds at least one entry; capacity " + capacity
                    + " is not possible (Long.MAX_VALUE for unbounded)");
        }
        if (!Comparable.class.isAssignableFrom(priorityType)) {
            throw new IllegalArgumentException("priorities must be Comparable: " + priorityType.getName());
        }
        return new CollectionBuilder<>(this, new Spec<>(CollectionKind.PRIORITY_QUEUE, store,
                List.of(priorityType, keyType, valueType), capacity,
                signature -> new PriorityQueueMachine<>(codec, signature, priorityType, keyType, valueType, capacity),
                (s, role) -> role == CollectionRole.WRITER ? new PriorityQueueHandles.Writer<>(s)
                        : new PriorityQueueHandles.Reader<>(s, role)));
    }

    /** What this node has of each collection it opened. */
    public synchronized List<CollectionInfo> list() {
        List<CollectionInfo> all = new ArrayList<>();
        for (Store<?> store : stores.values()) {
            all.add(info(store));
        }
        all.sort(java.util.Comparator.comparing(CollectionInfo::store).thenComparing(CollectionInfo::kind));
        return all;
    }

    private static <S> CollectionInfo info(Store<S> store) {
        CollectionMachine<S> machine = store.machine();
        CollectionMachine.State<S> state = machine.state();
        io.mosaik.groups.GroupStatus status = store.group().status();
        return new CollectionInfo(store.id().displayName(), machine.kind, store.memberRole(),
                store.typeNames(), machine.size(state.data()), state.version(), status.online(), status.leader(),
                store.group().id(), store.handles(),
                machine instanceof PriorityQueueMachine<?, ?, ?> queue ? queue.capacity() : 0, machine.restores());
    }

    <S> GroupId groupId(Spec<S> spec, CollectionConfig config) {
        return groupBuilder(spec, config, spec.machine().apply(spec.signature()), CollectionRole.READER).id();
    }

    private <S> GroupBuilder<byte[], byte[], Boolean> groupBuilder(Spec<S> spec, CollectionConfig config,
                                                                    CollectionMachine<S> machine, CollectionRole role) {
        GroupKey key = GroupKey.fromBytes(config.secretValue()
                .map(secret -> spec.store().digest().derive("mosaik_collections_secret/" + secret))
                .orElse(spec.store().digest()).toBytes());
        GroupBuilder<byte[], byte[], Boolean> builder = groups.builder(key, machine)
                .consensus(config.consensus())
                .leadershipPreference(role == CollectionRole.WRITER ? LeadershipPreference.NORMAL
                        : LeadershipPreference.OBSERVER)
                .snapshots(config.snapshotEvery(), config.snapshotRetain());
        if (config.dataDirectory() != null) {
            builder.dataDirectory(config.dataDirectory(), config.syncPolicy());
        }
        return builder;
    }

    <S> ReplicatedCollection open(Spec<S> spec, CollectionConfig config, CollectionRole role) {
        while (true) {
            CompletableFuture<Void> leaving;
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("the network is closed; collections can no longer be opened");
                }
                CollectionMachine<S> machine = spec.machine().apply(spec.signature());
                GroupBuilder<byte[], byte[], Boolean> builder = groupBuilder(spec, config, machine, role);
                GroupId id = builder.id();
                leaving = closing.get(id);
                if (leaving == null) {
                    return open(spec, config, role, machine, builder, id);
                }
            }
            // its last handle was just closed and the node is leaving the group: joining now would get a
            // handle on the leaving member, whose state machine is not this one; wait, then join afresh
            leaving.join();
        }
    }

    private <S> ReplicatedCollection open(Spec<S> spec, CollectionConfig config, CollectionRole role,
                                          CollectionMachine<S> machine, GroupBuilder<byte[], byte[], Boolean> builder,
                                          GroupId id) {
        @SuppressWarnings("unchecked")
        Store<S> store = (Store<S>) stores.get(id);
        if (store == null) {
            Group<byte[], byte[], Boolean> group = builder.join();
            store = new Store<>(spec.store(), machine, group, role, config, typeNames(spec), registry,
                    this::release);
            stores.put(id, store);
            log.info("opened {} {} as {} (group {})", spec.kind().configName(), spec.store().displayName(),
                    role.name().toLowerCase(), id.toShortString());
        } else if (!config.equals(store.config())) {
            // the handle would share the first one's replica, whose settings (snapshots, data directory,
            // election timings: none of them in the group id) are not these
            throw new IllegalArgumentException(spec.kind().configName() + " " + spec.store().displayName()
                    + " is open on this node already with other settings (" + store.config().differencesFrom(config)
                    + ", open first vs now); every handle on one store on one node shares one replica, so they"
                    + " must all give the same CollectionConfig");
        } else if (role == CollectionRole.WRITER && store.memberRole() == CollectionRole.READER) {
            log.warn("{} {} is open as a reader on this node already: the new writer writes through the group's"
                    + " leader, but this node stays an observer (it does not vote). Open the writer first for a"
                    + " voting member.", spec.kind().configName(), spec.store().displayName());
        }
        store.retain();
        return spec.handle().apply(store, role);
    }

    private static List<String> typeNames(Spec<?> spec) {
        return spec.types().stream().map(Class::getSimpleName).toList();
    }

    private void release(Store<?> store) {
        GroupId id = store.group().id();
        CompletableFuture<Void> left = new CompletableFuture<>();
        synchronized (this) {
            if (store.released() > 0) {
                return;
            }
            stores.remove(id, store);
            closing.put(id, left);
        }
        // outside the lock, so that other collections open and list meanwhile: leaving the group may hand
        // its leadership over first, which takes a while; the same collection waits (see open)
        try {
            store.shutdown();
            log.info("closed {} {}", store.machine().kind.configName(), store.id().displayName());
        } finally {
            synchronized (this) {
                closing.remove(id, left);
            }
            left.complete(null);
        }
    }

    /** Forgets every collection (the network leaves their groups as it closes). */
    @Override
    public synchronized void close() {
        closed = true;
        stores.clear();
    }

    private static void requireTypes(Class<?>... types) {
        for (Class<?> type : types) {
            Objects.requireNonNull(type, "element types are required");
        }
    }
}

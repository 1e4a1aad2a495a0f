package io.mosaik.collections;

import io.mosaik.codec.Codec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.pcollections.TreePMap;

/**
 * The state machine of a {@link ReplicatedPriorityQueue}: entries by key, and by rank (priority, then
 * encoded key bytes). The rank decides everything order-dependent the same way on every replica: the
 * first rank is the minimum and is evicted first from a full bounded queue, the last is the maximum.
 */
final class PriorityQueueMachine<P extends Comparable<? super P>, K, V>
        extends CollectionMachine<PriorityQueueMachine.Queue<P, K, V>> {

    static final int CLEAR = 1;
    static final int INSERT = 2;
    static final int EXTEND = 3;
    static final int UPDATE_PRIORITY = 4;
    static final int UPDATE_VALUE = 5;
    static final int COMPARE_AND_SET_VALUE = 6;
    static final int REMOVE_KEYS = 7;
    static final int REMOVE_RANGE = 8;

    /** Range ends in a {@link #REMOVE_RANGE} command. */
    static final int UNBOUNDED = 0;
    static final int INCLUSIVE = 1;
    static final int EXCLUSIVE = 2;

    /** One entry, decoded and encoded. */
    record Item<P, K, V>(P priority, byte[] priorityBytes, Encoded key, K k, V value, byte[] valueBytes) {
    }

    /**
     * Where an entry ranks: by priority, then by encoded key. A rank without a key is an edge of its
     * priority: before every key ({@code edge < 0}) or after ({@code edge > 0}).
     */
    record Rank<P>(P priority, Encoded key, int edge) {
    }

    /** The two indices of one state. */
    record Queue<P, K, V>(TreePMap<Encoded, Item<P, K, V>> byKey, TreePMap<Rank<P>, Item<P, K, V>> byRank) {
    }

    private final Class<P> priorityType;
    private final Class<K> keyType;
    private final Class<V> valueType;
    private final long capacity;
    private final TreePMap<Rank<P>, Item<P, K, V>> emptyRanks;

    PriorityQueueMachine(Codec codec, String signature, Class<P> priorityType, Class<K> keyType, Class<V> valueType,
                         long capacity) {
        this(codec, signature, priorityType, keyType, valueType, capacity, TreePMap.empty(rankOrder()));
    }

    private PriorityQueueMachine(Codec codec, String signature, Class<P> priorityType, Class<K> keyType,
                                 Class<V> valueType, long capacity, TreePMap<Rank<P>, Item<P, K, V>> emptyRanks) {
        super(CollectionKind.PRIORITY_QUEUE, codec, signature, new Queue<>(TreePMap.empty(), emptyRanks));
        this.priorityType = priorityType;
        this.keyType = keyType;
        this.valueType = valueType;
        this.capacity = capacity;
        this.emptyRanks = emptyRanks;
    }

    static <P extends Comparable<? super P>> Comparator<Rank<P>> rankOrder() {
        return (a, b) -> {
            int c = a.priority().compareTo(b.priority());
            if (c != 0) {
                return c;
            }
            if (a.key() == null || b.key() == null) {
                int ea = a.key() == null ? a.edge() : 0;
                int eb = b.key() == null ? b.edge() : 0;
                return Integer.compare(ea, eb);
            }
            return a.key().compareTo(b.key());
        };
    }

    long capacity() {
        return capacity;
    }

    @Override
    long size(Queue<P, K, V> state) {
        return state.byKey().size();
    }

    @Override
    Applied<Queue<P, K, V>> apply(Queue<P, K, V> state, Ops.Reader command) {
        switch (command.op()) {
            case CLEAR -> {
                command.end();
                return new Applied<>(new Queue<>(TreePMap.empty(), emptyRanks), !state.byKey().isEmpty());
            }
            case INSERT, EXTEND -> {
                int count = command.op() == INSERT ? 1 : command.count();
                Queue<P, K, V> next = state;
                for (int i = 0; i < count; i++) {
                    byte[] priority = command.bytes();
                    byte[] key = command.bytes();
                    byte[] value = command.bytes();
                    next = evict(put(next, item(priority, key, value)));
                }
                command.end();
                return new Applied<>(next, next != state);
            }
            case UPDATE_PRIORITY -> {
                Encoded key = new Encoded(command.bytes());
                byte[] priority = command.bytes();
                command.end();
                Item<P, K, V> present = state.byKey().get(key);
                if (present == null) {
                    return new Applied<>(state, false);
                }
                return new Applied<>(put(state, new Item<>(decode(priority, priorityType), priority, key, present.k(),
                        present.value(), present.valueBytes())), true);
            }
            case UPDATE_VALUE -> {
                Encoded key = new Encoded(command.bytes());
                byte[] value = command.bytes();
                command.end();
                Item<P, K, V> present = state.byKey().get(key);
                if (present == null) {
                    return new Applied<>(state, false);
                }
                return new Applied<>(put(state, withValue(present, value)), true);
            }
            case COMPARE_AND_SET_VALUE -> {
                Encoded key = new Encoded(command.bytes());
                byte[] expected = command.bytes();
                byte[] replacement = command.optional();
                command.end();
                Item<P, K, V> present = state.byKey().get(key);
                if (present == null || !Arrays.equals(present.valueBytes(), expected)) {
                    return new Applied<>(state, false);
                }
                return new Applied<>(replacement == null ? remove(state, present)
                        : put(state, withValue(present, replacement)), true);
            }
            case REMOVE_KEYS -> {
                int count = command.count();
                Queue<P, K, V> next = state;
                for (int i = 0; i < count; i++) {
                    Item<P, K, V> present = next.byKey().get(new Encoded(command.bytes()));
                    if (present != null) {
                        next = remove(next, present);
                    }
                }
                command.end();
                return new Applied<>(next, next != state);
            }
            case REMOVE_RANGE -> {
                Rank<P> from = bound(command, true);
                Rank<P> to = bound(command, false);
                command.end();
                TreePMap<Rank<P>, Item<P, K, V>> ranks = state.byRank();
                if (ranks.isEmpty()) {
                    return new Applied<>(state, false);
                }
                Rank<P> low = from != null ? from : ranks.firstKey();
                Rank<P> high = to != null ? to : ranks.lastKey();
                if (ranks.comparator().compare(low, high) > 0) {
                    return new Applied<>(state, false);
                }
                List<Item<P, K, V>> doomed = new ArrayList<>(ranks.subMap(low, true, high, true).values());
                Queue<P, K, V> next = state;
                for (Item<P, K, V> item : doomed) {
                    next = remove(next, item);
                }
                return new Applied<>(next, !doomed.isEmpty());
            }
            default -> throw new IllegalArgumentException("unknown priority queue operation " + command.op());
        }
    }

    /** A range end: for the lower end, inclusive sorts before the priority's keys, exclusive after. */
    private Rank<P> bound(Ops.Reader command, boolean lower) {
        long kind = command.number();
        if (kind == UNBOUNDED) {
            return null;
        }
        if (kind != INCLUSIVE && kind != EXCLUSIVE) {
            throw new IllegalArgumentException("unknown range end " + kind);
        }
        P priority = decode(command.bytes(), priorityType);
        boolean before = lower == (kind == INCLUSIVE);
        return new Rank<>(priority, null, before ? -1 : 1);
    }

    private Item<P, K, V> item(byte[] priority, byte[] key, byte[] value) {
        return new Item<>(decode(priority, priorityType), priority, new Encoded(key), decode(key, keyType),
                decode(value, valueType), value);
    }

    private Item<P, K, V> withValue(Item<P, K, V> item, byte[] value) {
        return new Item<>(item.priority(), item.priorityBytes(), item.key(), item.k(), decode(value, valueType), value);
    }

    private static <P, K, V> Rank<P> rank(Item<P, K, V> item) {
        return new Rank<>(item.priority(), item.key(), 0);
    }

    /** Inserts or replaces the entry of the item's key. */
    private Queue<P, K, V> put(Queue<P, K, V> state, Item<P, K, V> item) {
        Item<P, K, V> previous = state.byKey().get(item.key());
        TreePMap<Rank<P>, Item<P, K, V>> ranks = previous == null ? state.byRank() : state.byRank().minus(rank(previous));
        return new Queue<>(state.byKey().plus(item.key(), item), ranks.plus(rank(item), item));
    }

    private Queue<P, K, V> remove(Queue<P, K, V> state, Item<P, K, V> item) {
        return new Queue<>(state.byKey().minus(item.key()), state.byRank().minus(rank(item)));
    }

    /** Drops the lowest-ranked entries of a full bounded queue (perhaps the one just inserted). */
    private Queue<P, K, V> evict(Queue<P, K, V> state) {
        Queue<P, K, V> next = state;
        while (next.byKey().size() > capacity) {
            next = remove(next, next.byRank().firstEntry().getValue());
        }
        return next;
    }

    @Override
    void writeItems(Queue<P, K, V> state, DataOutputStream out) throws IOException {
        for (Item<P, K, V> item : state.byRank().values()) {
            Ops.writeField(out, item.priorityBytes());
            Ops.writeField(out, item.key().bytes());
            Ops.writeField(out, item.valueBytes());
        }
    }

    @Override
    Queue<P, K, V> readItems(DataInputStream in, long count) throws IOException {
        java.util.TreeMap<Encoded, Item<P, K, V>> byKey = new java.util.TreeMap<>();
        java.util.TreeMap<Rank<P>, Item<P, K, V>> byRank = new java.util.TreeMap<>(emptyRanks.comparator());
        for (long i = 0; i < count; i++) {
            Item<P, K, V> item = item(Ops.readField(in), Ops.readField(in), Ops.readField(in));
            if (byKey.put(item.key(), item) != null) {
                throw new IOException("a priority queue snapshot holds a key twice");
            }
            byRank.put(rank(item), item);
        }
        return new Queue<>(TreePMap.fromSortedMap(byKey), TreePMap.fromSortedMap(byRank));
    }
}

package io.mosaik.collections;

import io.mosaik.codec.Codec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.pcollections.TreePMap;

/** The state machine of a {@link ReplicatedMap}: entries sorted by encoded key, and a hash index of them. */
final class MapMachine<K, V> extends CollectionMachine<MapMachine.Entries<K, V>> {

    static final int CLEAR = 1;
    static final int INSERT = 2;
    static final int COMPARE_AND_SET = 3;
    static final int REMOVE_MANY = 4;
    static final int EXTEND = 5;

    /** One entry, decoded and encoded. */
    record Entry<K, V>(K key, V value, byte[] valueBytes) {
    }

    /**
     * The entries of one state: sorted by encoded key, for iteration, snapshots and writes in canonical
     * order, and their values in a {@link HashIndex}, for point reads (a lookup in a map of a million
     * entries takes about four steps there instead of twenty in the tree, and finds the value itself).
     */
    record Entries<K, V>(TreePMap<Encoded, Entry<K, V>> sorted, HashIndex<V> index) {

        static <K, V> Entries<K, V> empty() {
            return new Entries<>(TreePMap.empty(), HashIndex.empty());
        }

        /** The value of a key, or {@code null}. */
        V value(Encoded key) {
            return index.get(key);
        }

        int size() {
            return sorted.size();
        }

        boolean isEmpty() {
            return sorted.isEmpty();
        }

        Entries<K, V> plus(Encoded key, Entry<K, V> entry) {
            return new Entries<>(sorted.plus(key, entry), index.plus(key, entry.value()));
        }

        Entries<K, V> minus(Encoded key) {
            TreePMap<Encoded, Entry<K, V>> next = sorted.minus(key);
            return next == sorted ? this : new Entries<>(next, index.minus(key));
        }

        /** Several changes to these entries, for one write of many keys. */
        Changes<K, V> changes() {
            return new Changes<>(sorted, index.batch());
        }
    }

    /** Changes made one after another; the index takes them as a batch (in place on the nodes it copied). */
    static final class Changes<K, V> {
        private TreePMap<Encoded, Entry<K, V>> sorted;
        private final HashIndex.Batch<V> index;

        Changes(TreePMap<Encoded, Entry<K, V>> sorted, HashIndex.Batch<V> index) {
            this.sorted = sorted;
            this.index = index;
        }

        void put(Encoded key, Entry<K, V> entry) {
            sorted = sorted.plus(key, entry);
            index.plus(key, entry.value());
        }

        void remove(Encoded key) {
            sorted = sorted.minus(key);
            index.minus(key);
        }

        Entries<K, V> done() {
            return new Entries<>(sorted, index.build());
        }
    }

    private final Class<K> keyType;
    private final Class<V> valueType;

    MapMachine(Codec codec, String signature, Class<K> keyType, Class<V> valueType) {
        super(CollectionKind.MAP, codec, signature, Entries.empty());
        this.keyType = keyType;
        this.valueType = valueType;
    }

    @Override
    long size(Entries<K, V> state) {
        return state.size();
    }

    @Override
    Applied<Entries<K, V>> apply(Entries<K, V> state, Ops.Reader command) {
        switch (command.op()) {
            case CLEAR -> {
                command.end();
                return new Applied<>(Entries.empty(), !state.isEmpty());
            }
            case INSERT -> {
                byte[] key = command.bytes();
                byte[] value = command.bytes();
                command.end();
                return new Applied<>(put(state, key, value), true);
            }
            case EXTEND -> {
                int count = command.count();
                Changes<K, V> changes = state.changes();
                for (int i = 0; i < count; i++) {
                    byte[] key = command.bytes();
                    changes.put(new Encoded(key), entry(key, command.bytes()));
                }
                command.end();
                return new Applied<>(changes.done(), count > 0);
            }
            case REMOVE_MANY -> {
                int count = command.count();
                Changes<K, V> changes = state.changes();
                for (int i = 0; i < count; i++) {
                    changes.remove(new Encoded(command.bytes()));
                }
                command.end();
                Entries<K, V> next = changes.done();
                return new Applied<>(next, next.size() != state.size());
            }
            case COMPARE_AND_SET -> {
                Encoded key = new Encoded(command.bytes());
                byte[] expected = command.optional();
                byte[] replacement = command.optional();
                command.end();
                Entry<K, V> present = state.sorted().get(key);
                boolean holds = present == null ? expected == null
                        : expected != null && Arrays.equals(present.valueBytes(), expected);
                if (!holds || (present == null && replacement == null)) {
                    return new Applied<>(state, holds); // (absent, absent) holds and changes nothing
                }
                return new Applied<>(replacement == null ? state.minus(key) : put(state, key.bytes(), replacement),
                        true);
            }
            default -> throw new IllegalArgumentException("unknown map operation " + command.op());
        }
    }

    private Entries<K, V> put(Entries<K, V> state, byte[] key, byte[] value) {
        return state.plus(new Encoded(key), entry(key, value));
    }

    private Entry<K, V> entry(byte[] key, byte[] value) {
        return new Entry<>(decode(key, keyType), decode(value, valueType), value);
    }

    @Override
    void writeItems(Entries<K, V> state, DataOutputStream out) throws IOException {
        for (java.util.Map.Entry<Encoded, Entry<K, V>> entry : state.sorted().entrySet()) {
            Ops.writeField(out, entry.getKey().bytes());
            Ops.writeField(out, entry.getValue().valueBytes());
        }
    }

    @Override
    Entries<K, V> readItems(DataInputStream in, long count) throws IOException {
        java.util.TreeMap<Encoded, Entry<K, V>> entries = new java.util.TreeMap<>();
        for (long i = 0; i < count; i++) {
            byte[] key = Ops.readField(in);
            byte[] value = Ops.readField(in);
            entries.put(new Encoded(key), entry(key, value));
        }
        HashIndex<V> index = HashIndex.ofDistinct(entries.keySet().toArray(Encoded[]::new),
                entries.values().stream().map(Entry::value).toArray());
        return new Entries<>(TreePMap.fromSortedMap(entries), index);
    }
}

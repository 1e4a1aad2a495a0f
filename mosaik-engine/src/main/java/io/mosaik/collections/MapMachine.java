package io.mosaik.collections;

import io.mosaik.codec.Codec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.pcollections.TreePMap;

/** The state machine of a {@link ReplicatedMap}: entries sorted by encoded key. */
final class MapMachine<K, V> extends CollectionMachine<TreePMap<Encoded, MapMachine.Entry<K, V>>> {

    static final int CLEAR = 1;
    static final int INSERT = 2;
    static final int COMPARE_AND_SET = 3;
    static final int REMOVE_MANY = 4;
    static final int EXTEND = 5;

    /** One entry, decoded and encoded. */
    record Entry<K, V>(K key, V value, byte[] valueBytes) {
    }

    private final Class<K> keyType;
    private final Class<V> valueType;

    MapMachine(Codec codec, String signature, Class<K> keyType, Class<V> valueType) {
        super(CollectionKind.MAP, codec, signature, TreePMap.empty());
        this.keyType = keyType;
        this.valueType = valueType;
    }

    @Override
    long size(TreePMap<Encoded, Entry<K, V>> state) {
        return state.size();
    }

    @Override
    Applied<TreePMap<Encoded, Entry<K, V>>> apply(TreePMap<Encoded, Entry<K, V>> state, Ops.Reader command) {
        switch (command.op()) {
            case CLEAR -> {
                command.end();
                return new Applied<>(TreePMap.empty(), !state.isEmpty());
            }
            case INSERT -> {
                byte[] key = command.bytes();
                byte[] value = command.bytes();
                command.end();
                return new Applied<>(put(state, key, value), true);
            }
            case EXTEND -> {
                int count = command.count();
                TreePMap<Encoded, Entry<K, V>> next = state;
                for (int i = 0; i < count; i++) {
                    next = put(next, command.bytes(), command.bytes());
                }
                command.end();
                return new Applied<>(next, count > 0);
            }
            case REMOVE_MANY -> {
                int count = command.count();
                TreePMap<Encoded, Entry<K, V>> next = state;
                for (int i = 0; i < count; i++) {
                    next = next.minus(new Encoded(command.bytes()));
                }
                command.end();
                return new Applied<>(next, next.size() != state.size());
            }
            case COMPARE_AND_SET -> {
                Encoded key = new Encoded(command.bytes());
                byte[] expected = command.optional();
                byte[] replacement = command.optional();
                command.end();
                Entry<K, V> present = state.get(key);
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

    private TreePMap<Encoded, Entry<K, V>> put(TreePMap<Encoded, Entry<K, V>> state, byte[] key, byte[] value) {
        return state.plus(new Encoded(key), new Entry<>(decode(key, keyType), decode(value, valueType), value));
    }

    @Override
    void writeItems(TreePMap<Encoded, Entry<K, V>> state, DataOutputStream out) throws IOException {
        for (java.util.Map.Entry<Encoded, Entry<K, V>> entry : state.entrySet()) {
            Ops.writeField(out, entry.getKey().bytes());
            Ops.writeField(out, entry.getValue().valueBytes());
        }
    }

    @Override
    TreePMap<Encoded, Entry<K, V>> readItems(DataInputStream in, long count) throws IOException {
        java.util.TreeMap<Encoded, Entry<K, V>> entries = new java.util.TreeMap<>();
        for (long i = 0; i < count; i++) {
            byte[] key = Ops.readField(in);
            byte[] value = Ops.readField(in);
            entries.put(new Encoded(key), new Entry<>(decode(key, keyType), decode(value, valueType), value));
        }
        return TreePMap.fromSortedMap(entries);
    }
}

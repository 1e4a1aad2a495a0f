package io.mosaik.collections;

import io.mosaik.codec.Codec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.pcollections.TreePMap;

/** The state machine of a {@link ReplicatedSet}: elements sorted by their encoding. */
final class SetMachine<T> extends CollectionMachine<TreePMap<Encoded, T>> {

    static final int CLEAR = 1;
    static final int INSERT = 2;
    static final int REMOVE_MANY = 4;
    static final int EXTEND = 5;

    private final Class<T> type;

    SetMachine(Codec codec, String signature, Class<T> type) {
        super(CollectionKind.SET, codec, signature, TreePMap.empty());
        this.type = type;
    }

    @Override
    long size(TreePMap<Encoded, T> state) {
        return state.size();
    }

    @Override
    Applied<TreePMap<Encoded, T>> apply(TreePMap<Encoded, T> state, Ops.Reader command) {
        switch (command.op()) {
            case CLEAR -> {
                command.end();
                return new Applied<>(TreePMap.empty(), !state.isEmpty());
            }
            case INSERT, EXTEND -> {
                int count = command.op() == INSERT ? 1 : command.count();
                TreePMap<Encoded, T> next = state;
                for (int i = 0; i < count; i++) {
                    next = add(next, command.bytes());
                }
                command.end();
                return new Applied<>(next, next.size() != state.size());
            }
            case REMOVE_MANY -> {
                int count = command.count();
                TreePMap<Encoded, T> next = state;
                for (int i = 0; i < count; i++) {
                    next = next.minus(new Encoded(command.bytes()));
                }
                command.end();
                return new Applied<>(next, next.size() != state.size());
            }
            default -> throw new IllegalArgumentException("unknown set operation " + command.op());
        }
    }

    private TreePMap<Encoded, T> add(TreePMap<Encoded, T> state, byte[] element) {
        Encoded key = new Encoded(element);
        return state.containsKey(key) ? state : state.plus(key, decode(element, type));
    }

    @Override
    void writeItems(TreePMap<Encoded, T> state, DataOutputStream out) throws IOException {
        for (Encoded element : state.keySet()) {
            Ops.writeField(out, element.bytes());
        }
    }

    @Override
    TreePMap<Encoded, T> readItems(DataInputStream in, long count) throws IOException {
        java.util.TreeMap<Encoded, T> elements = new java.util.TreeMap<>();
        for (long i = 0; i < count; i++) {
            byte[] element = Ops.readField(in);
            elements.put(new Encoded(element), decode(element, type));
        }
        return TreePMap.fromSortedMap(elements);
    }
}

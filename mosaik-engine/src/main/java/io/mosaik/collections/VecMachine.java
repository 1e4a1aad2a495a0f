package io.mosaik.collections;

import io.mosaik.codec.Codec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.pcollections.TreePVector;

/** The state machine of a {@link ReplicatedVec}: a persistent vector, O(log n) at any index. */
final class VecMachine<T> extends CollectionMachine<TreePVector<VecMachine.Item<T>>> {

    static final int CLEAR = 1;
    static final int PUSH_BACK = 2;
    static final int PUSH_FRONT = 3;
    static final int INSERT = 4;
    static final int EXTEND = 5;
    static final int POP_BACK = 6;
    static final int POP_FRONT = 7;
    static final int REMOVE = 8;
    static final int SWAP = 9;
    static final int TRUNCATE = 10;

    /** The most elements a vec holds (its persistent vector is indexed by {@code int}). */
    static final long MAX_SIZE = Integer.MAX_VALUE - 8;

    /** One element, decoded and encoded. */
    record Item<T>(T value, byte[] bytes) {
    }

    private final Class<T> type;

    VecMachine(Codec codec, String signature, Class<T> type) {
        super(CollectionKind.VEC, codec, signature, TreePVector.empty());
        this.type = type;
    }

    @Override
    long size(TreePVector<Item<T>> state) {
        return state.size();
    }

    @Override
    Applied<TreePVector<Item<T>>> apply(TreePVector<Item<T>> state, Ops.Reader command) {
        int size = state.size();
        switch (command.op()) {
            case CLEAR -> {
                command.end();
                return new Applied<>(TreePVector.empty(), size > 0);
            }
            case PUSH_BACK, PUSH_FRONT -> {
                Item<T> item = item(command.bytes());
                command.end();
                checkRoom(size, 1);
                return new Applied<>(command.op() == PUSH_BACK ? state.plus(item) : state.plus(0, item), true);
            }
            case INSERT -> {
                long index = command.number();
                Item<T> item = item(command.bytes());
                command.end();
                if (index < 0 || index > size) {
                    throw new IndexOutOfBoundsException("cannot insert at index " + index + " of a vec of "
                            + size + " elements (at most its length, to append)");
                }
                checkRoom(size, 1);
                return new Applied<>(state.plus((int) index, item), true);
            }
            case EXTEND -> {
                int count = command.count();
                List<Item<T>> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    items.add(item(command.bytes()));
                }
                command.end();
                checkRoom(size, count);
                return new Applied<>(state.plusAll(items), count > 0);
            }
            case POP_BACK, POP_FRONT -> {
                command.end();
                if (size == 0) {
                    return new Applied<>(state, false);
                }
                return new Applied<>(state.minus(command.op() == POP_BACK ? size - 1 : 0), true);
            }
            case REMOVE -> {
                long index = command.number();
                command.end();
                if (index < 0 || index >= size) {
                    return new Applied<>(state, false);
                }
                return new Applied<>(state.minus((int) index), true);
            }
            case SWAP -> {
                long i = command.number();
                long j = command.number();
                command.end();
                if (i < 0 || j < 0 || i >= size || j >= size) {
                    return new Applied<>(state, false);
                }
                Item<T> a = state.get((int) i);
                Item<T> b = state.get((int) j);
                return new Applied<>(swapped(state, (int) i, (int) j, a, b), i != j);
            }
            case TRUNCATE -> {
                long length = command.number();
                command.end();
                if (length < 0 || length >= size) {
                    return new Applied<>(state, false);
                }
                return new Applied<>(state.subList(0, (int) length), true);
            }
            default -> throw new IllegalArgumentException("unknown vec operation " + command.op());
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> TreePVector<Item<T>> swapped(TreePVector<Item<T>> state, int i, int j, Item<T> a, Item<T> b) {
        // TreePVector.with returns a TreePVector (declared as PVector)
        return (TreePVector<Item<T>>) ((TreePVector<Item<T>>) state.with(i, b)).with(j, a);
    }

    private Item<T> item(byte[] bytes) {
        return new Item<>(decode(bytes, type), bytes);
    }

    private static void checkRoom(int size, int more) {
        if (size + (long) more > MAX_SIZE) {
            throw new IllegalStateException("a vec holds at most " + MAX_SIZE + " elements");
        }
    }

    @Override
    void writeItems(TreePVector<Item<T>> state, DataOutputStream out) throws IOException {
        for (Item<T> item : state) {
            Ops.writeField(out, item.bytes());
        }
    }

    @Override
    TreePVector<Item<T>> readItems(DataInputStream in, long count) throws IOException {
        if (count > MAX_SIZE) {
            throw new IOException("a vec snapshot holds " + count + " elements");
        }
        List<Item<T>> items = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            items.add(item(Ops.readField(in)));
        }
        return TreePVector.from(items);
    }
}

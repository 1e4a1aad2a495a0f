package io.mosaik.collections;

import io.mosaik.codec.Codec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;

/**
 * The state machine of a {@link ReplicatedCell} and, write-once, of a {@link ReplicatedOnce} (whose
 * only command is a write that takes effect on an empty cell).
 */
final class CellMachine<T> extends CollectionMachine<Optional<CellMachine.Value<T>>> {

    static final int CLEAR = 1;
    static final int WRITE = 2;
    static final int COMPARE_AND_SET = 3;

    /** The value, decoded and encoded. */
    record Value<T>(T value, byte[] bytes) {
    }

    private final Class<T> type;
    private final boolean once;

    CellMachine(CollectionKind kind, Codec codec, String signature, Class<T> type) {
        super(kind, codec, signature, Optional.empty());
        this.type = type;
        this.once = kind == CollectionKind.ONCE;
    }

    @Override
    long size(Optional<Value<T>> state) {
        return state.isPresent() ? 1 : 0;
    }

    @Override
    Applied<Optional<Value<T>>> apply(Optional<Value<T>> state, Ops.Reader command) {
        int op = command.op();
        if (once && op != WRITE) {
            throw new IllegalArgumentException("a once cell is only ever written");
        }
        switch (op) {
            case CLEAR -> {
                command.end();
                return new Applied<>(Optional.empty(), state.isPresent());
            }
            case WRITE -> {
                byte[] value = command.bytes();
                command.end();
                if (once && state.isPresent()) {
                    return new Applied<>(state, false); // the first write won
                }
                return new Applied<>(Optional.of(new Value<>(decode(value, type), value)), true);
            }
            case COMPARE_AND_SET -> {
                byte[] expected = command.optional();
                byte[] replacement = command.optional();
                command.end();
                boolean holds = state.isEmpty() ? expected == null
                        : expected != null && Arrays.equals(state.get().bytes(), expected);
                if (!holds) {
                    return new Applied<>(state, false);
                }
                return new Applied<>(replacement == null ? Optional.empty()
                        : Optional.of(new Value<>(decode(replacement, type), replacement)), true);
            }
            default -> throw new IllegalArgumentException("unknown cell operation " + op);
        }
    }

    @Override
    void writeItems(Optional<Value<T>> state, DataOutputStream out) throws IOException {
        if (state.isPresent()) {
            Ops.writeField(out, state.get().bytes());
        }
    }

    @Override
    Optional<Value<T>> readItems(DataInputStream in, long count) throws IOException {
        if (count > 1) {
            throw new IOException("a cell snapshot holds " + count + " values");
        }
        if (count == 0) {
            return Optional.empty();
        }
        byte[] value = Ops.readField(in);
        return Optional.of(new Value<>(decode(value, type), value));
    }
}

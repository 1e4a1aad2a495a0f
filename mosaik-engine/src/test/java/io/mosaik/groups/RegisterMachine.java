package io.mosaik.groups;

import java.util.ArrayList;
import java.util.List;

/**
 * A replicated register for tests: a command writes its value (a negative value is rejected by
 * throwing), any query reads the value; it snapshots as its value repeated (over 1 KB, checked on restore). It remembers where each applied command was in the log, so the
 * simulator can check that every replica applies the same entries in the same order.
 */
final class RegisterMachine implements StateMachine<Long, Long, Long> {

    long value;
    final List<long[]> applied = new ArrayList<>();
    int restores;
    private static final int COPIES = 126;

    @Override
    public Class<Long> commandType() {
        return Long.class;
    }

    @Override
    public Class<Long> queryType() {
        return Long.class;
    }

    @Override
    public Class<Long> resultType() {
        return Long.class;
    }

    @Override
    public Long apply(Long command, ApplyContext context) {
        applied.add(new long[] {context.index(), context.term(), command});
        if (command < 0) {
            throw new IllegalArgumentException("negative value " + command);
        }
        long previous = value;
        value = command;
        return previous;
    }

    @Override
    public Long query(Long query) {
        return value;
    }

    @Override
    public byte[] snapshot() {
        // The value 126 times: over 1 KB, so that the simulator sends it in several chunks when its
        // appends are small, and restore() can tell a snapshot put together wrongly.
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(8 * COPIES);
        for (int i = 0; i < COPIES; i++) {
            bytes.putLong(value ^ i);
        }
        return bytes.array();
    }

    @Override
    public void restore(byte[] snapshot) {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(snapshot);
        if (snapshot.length != 8 * COPIES) {
            throw new IllegalStateException("a snapshot of " + snapshot.length + " bytes");
        }
        value = bytes.getLong(0);
        for (int i = 0; i < COPIES; i++) {
            if (bytes.getLong(8 * i) != (value ^ i)) {
                throw new IllegalStateException("a snapshot put together wrongly: copy " + i + " differs");
            }
        }
        applied.clear(); // what it applied before is inside the snapshot now
        restores++;
    }
}

package io.mosaik.groups;

import java.util.ArrayList;
import java.util.List;

/**
 * A replicated register for tests: a command writes its value (a negative value is rejected by
 * throwing), any query reads the value; it snapshots as its 8 bytes. It remembers where each applied command was in the log, so the
 * simulator can check that every replica applies the same entries in the same order.
 */
final class RegisterMachine implements StateMachine<Long, Long, Long> {

    long value;
    final List<long[]> applied = new ArrayList<>();
    int restores;

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
        return java.nio.ByteBuffer.allocate(8).putLong(value).array();
    }

    @Override
    public void restore(byte[] snapshot) {
        value = java.nio.ByteBuffer.wrap(snapshot).getLong();
        applied.clear(); // what it applied before is inside the snapshot now
        restores++;
    }
}

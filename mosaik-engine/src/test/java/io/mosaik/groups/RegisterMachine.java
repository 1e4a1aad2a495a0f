package io.mosaik.groups;

import java.util.ArrayList;
import java.util.List;

/**
 * A replicated register for tests: a command writes its value (a negative value is rejected by
 * throwing), any query reads the value; it snapshots as its value repeated (4 KB, checked on restore). It remembers where each applied command was in the log, so the
 * simulator can check that every replica applies the same entries in the same order.
 */
class RegisterMachine implements StateMachine<Long, Long, Long> {

    long value;
    final List<long[]> applied = new ArrayList<>();
    /** With a passenger: a digest of its state after each entry in {@link #applied}. */
    final List<String> digests = new ArrayList<>();
    int restores;
    private static final int COPIES = 512;

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
        String digest = applyPassenger(command, context);
        if (digest != null) {
            digests.add(digest);
        }
        return previous;
    }

    /**
     * A subclass may carry a second state machine that every command also drives (deterministically):
     * the simulator then checks that its state is the same on every replica at every index.
     *
     * @return a digest of the passenger's state after the command, or {@code null} for no passenger
     */
    String applyPassenger(long command, ApplyContext context) {
        return null;
    }

    /** A digest of the passenger's state now, or {@code null} for no passenger. */
    String passengerDigest() {
        return null;
    }

    /** The passenger's state, appended to the register's in a snapshot. */
    byte[] passengerSnapshot() {
        return new byte[0];
    }

    /** Restores the passenger from what {@link #passengerSnapshot()} wrote. */
    void restorePassenger(byte[] snapshot) {
    }

    @Override
    public Long query(Long query) {
        return value;
    }

    @Override
    public byte[] snapshot() {
        // The value 512 times: 4 KB, so that the simulator sends it in many chunks when its appends are
        // small (more than the leader's window: other members send some), and restore() can tell a
        // snapshot put together wrongly.
        byte[] passenger = passengerSnapshot();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(8 * COPIES + passenger.length);
        for (int i = 0; i < COPIES; i++) {
            bytes.putLong(value ^ i);
        }
        return bytes.put(passenger).array();
    }

    @Override
    public void restore(byte[] snapshot) {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(snapshot);
        if (snapshot.length < 8 * COPIES) {
            throw new IllegalStateException("a snapshot of " + snapshot.length + " bytes");
        }
        value = bytes.getLong(0);
        for (int i = 0; i < COPIES; i++) {
            if (bytes.getLong(8 * i) != (value ^ i)) {
                throw new IllegalStateException("a snapshot put together wrongly: copy " + i + " differs");
            }
        }
        restorePassenger(java.util.Arrays.copyOfRange(snapshot, 8 * COPIES, snapshot.length));
        applied.clear(); // what it applied before is inside the snapshot now
        digests.clear();
        restores++;
    }
}

package io.mosaik.groups.raft.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The client-visible history of a single read/write register holding a {@code long} (initially
 * {@code 0}), recorded for {@link LinearizabilityChecker}.
 *
 * <p>Each operation is a {@code write(v)} or a {@code read() -> v} by a client, with an invocation
 * time and, when it completed, a completion time (virtual timestamps, any {@code long} scale). Two
 * operations overlap when their closed intervals {@code [invoke, complete]} intersect; an operation
 * whose completion time is strictly smaller than another's invocation time precedes it in real time.
 *
 * <pre>{@code
 * RegisterHistory h = new RegisterHistory();
 * long w = h.invokeWrite(client, 7, now);     // returns the operation's id
 * long r = h.invokeRead(otherClient, now);
 * h.ok(w, later);                             // the write took effect
 * h.okRead(r, 7, later);                      // the read returned 7
 * h.failed(op);                               // definitely did not take effect
 * h.unknown(op);                              // may or may not have taken effect (timeout, crash)
 * LinearizabilityChecker.Result result = LinearizabilityChecker.check(h);
 * }</pre>
 *
 * <p>Outcomes: {@link Outcome#OK} (completed, with the value read for a read), {@link
 * Outcome#FAILED} (did not take effect: the checker drops it) and {@link Outcome#UNKNOWN} (it may
 * have taken effect at any time after its invocation, or never). An operation that is never
 * completed counts as UNKNOWN, so a client that gives up on an operation can simply move on; it may
 * also still resolve an UNKNOWN operation later with {@link #ok}, {@link #okRead} or {@link #failed}
 * if it learns the outcome after all. Completing an OK or FAILED operation again is an error.
 *
 * <p>The methods are synchronized, so clients on several threads may record into one history.
 */
public final class RegisterHistory {

    /** What an operation does. */
    public enum Kind {
        /** {@code write(v)}: sets the register to {@link Operation#value()}. */
        WRITE,
        /** {@code read() -> v}: returns the register's value, {@link Operation#value()} when OK. */
        READ
    }

    /** How an operation ended, as the client saw it. */
    public enum Outcome {
        /** Completed with a known result. */
        OK,
        /** Definitely did not take effect. */
        FAILED,
        /** May or may not have taken effect, at any time after its invocation (also: never completed). */
        UNKNOWN
    }

    /**
     * One recorded operation.
     *
     * @param id the id returned when it was invoked (its index in the history)
     * @param clientId the client that invoked it
     * @param kind write or read
     * @param value the value written, or for an OK read the value read (otherwise {@code 0})
     * @param invokeTime when it was invoked
     * @param completeTime when it completed, {@link Long#MAX_VALUE} unless it is OK
     * @param outcome OK, FAILED or UNKNOWN
     */
    public record Operation(long id, int clientId, Kind kind, long value, long invokeTime, long completeTime,
            Outcome outcome) {

        /** {@code true} when this operation is a write. */
        public boolean isWrite() {
            return kind == Kind.WRITE;
        }

        @Override
        public String toString() {
            String what = kind == Kind.WRITE ? "write(" + value + ")"
                    : outcome == Outcome.OK ? "read->" + value : "read";
            String end = completeTime == Long.MAX_VALUE ? "inf" : Long.toString(completeTime);
            return "#" + id + " c" + clientId + " " + what + " [" + invokeTime + ", " + end + "]"
                    + (outcome == Outcome.OK ? "" : " " + outcome);
        }
    }

    /** Mutable record of one operation; {@code outcome == null} while it is pending. */
    private static final class Slot {
        final int clientId;
        final Kind kind;
        final long invokeTime;
        long value;
        long completeTime = Long.MAX_VALUE;
        Outcome outcome;

        Slot(int clientId, Kind kind, long value, long invokeTime) {
            this.clientId = clientId;
            this.kind = kind;
            this.value = value;
            this.invokeTime = invokeTime;
        }
    }

    private final List<Slot> slots = new ArrayList<>();

    /** Creates an empty history. */
    public RegisterHistory() {
    }

    /**
     * Records that a client invoked {@code write(value)}.
     *
     * @return the operation's id, for {@link #ok}, {@link #failed} or {@link #unknown}
     */
    public synchronized long invokeWrite(int clientId, long value, long time) {
        slots.add(new Slot(clientId, Kind.WRITE, value, time));
        return slots.size() - 1;
    }

    /**
     * Records that a client invoked {@code read()}.
     *
     * @return the operation's id, for {@link #okRead}, {@link #failed} or {@link #unknown}
     */
    public synchronized long invokeRead(int clientId, long time) {
        slots.add(new Slot(clientId, Kind.READ, 0, time));
        return slots.size() - 1;
    }

    /** Records that a write completed successfully at {@code time}. */
    public synchronized void ok(long op, long time) {
        Slot slot = resolvable(op);
        if (slot.kind != Kind.WRITE) {
            throw new IllegalStateException("operation " + op + " is a read: complete it with okRead");
        }
        complete(op, slot, time);
    }

    /** Records that a read completed at {@code time} and returned {@code value}. */
    public synchronized void okRead(long op, long value, long time) {
        Slot slot = resolvable(op);
        if (slot.kind != Kind.READ) {
            throw new IllegalStateException("operation " + op + " is a write: complete it with ok");
        }
        complete(op, slot, time);
        slot.value = value;
    }

    /** Records that an operation definitely did not take effect; the checker ignores it. */
    public synchronized void failed(long op) {
        resolvable(op).outcome = Outcome.FAILED;
    }

    /**
     * Records that an operation's outcome is unknown: it may have taken effect at any time after its
     * invocation, or never. Same as never completing it.
     */
    public synchronized void unknown(long op) {
        resolvable(op).outcome = Outcome.UNKNOWN;
    }

    /** The number of recorded operations (of any outcome). */
    public synchronized int size() {
        return slots.size();
    }

    /** A snapshot of all operations in invocation order (by id); pending ones are UNKNOWN. */
    public synchronized List<Operation> operations() {
        List<Operation> ops = new ArrayList<>(slots.size());
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            Outcome outcome = s.outcome == null ? Outcome.UNKNOWN : s.outcome;
            long value = s.kind == Kind.READ && outcome != Outcome.OK ? 0 : s.value;
            long completeTime = outcome == Outcome.OK ? s.completeTime : Long.MAX_VALUE;
            ops.add(new Operation(i, s.clientId, s.kind, value, s.invokeTime, completeTime, outcome));
        }
        return List.copyOf(ops);
    }

    @Override
    public synchronized String toString() {
        StringBuilder out = new StringBuilder();
        for (Operation op : operations()) {
            out.append(op).append('\n');
        }
        return out.toString();
    }

    private Slot resolvable(long op) {
        if (op < 0 || op >= slots.size()) {
            throw new IllegalArgumentException("no operation " + op);
        }
        Slot slot = slots.get((int) op);
        if (slot.outcome == Outcome.OK || slot.outcome == Outcome.FAILED) {
            throw new IllegalStateException("operation " + op + " already ended " + slot.outcome);
        }
        return slot;
    }

    private static void complete(long op, Slot slot, long time) {
        if (time < slot.invokeTime) {
            throw new IllegalArgumentException(
                    "operation " + op + " completes at " + time + " before its invocation at " + slot.invokeTime);
        }
        slot.completeTime = time;
        slot.outcome = Outcome.OK;
    }
}

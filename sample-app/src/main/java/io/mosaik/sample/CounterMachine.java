package io.mosaik.sample;

import io.mosaik.groups.ApplyContext;
import io.mosaik.groups.StateMachine;
import org.springframework.stereotype.Component;

/**
 * The state machine of the demo's {@code counter} group (declared in {@code application.yml}): a number
 * that every node keeps a replica of. Commands add to it; the only query reads it.
 *
 * <p>{@link #apply} depends on the state and the command alone, as a state machine must: every member
 * applies the same commands in the same order and so holds the same value. A command that would
 * overflow is refused before it changes anything, so it leaves the value as it was on every member.
 */
@Component
public class CounterMachine implements StateMachine<CounterMachine.Add, CounterMachine.Read, Long> {

    private long value;

    /** Starts at 0; the group replays its log into it when this node joins. */
    public CounterMachine() {
    }

    /**
     * The command: add {@code delta} (which may be negative).
     *
     * @param delta how much to add
     */
    public record Add(long delta) {
    }

    /** The query. */
    public enum Read {
        /** The current value. */
        VALUE
    }

    @Override
    public Class<Add> commandType() {
        return Add.class;
    }

    @Override
    public Class<Read> queryType() {
        return Read.class;
    }

    @Override
    public Class<Long> resultType() {
        return Long.class;
    }

    /**
     * Adds the command's delta.
     *
     * @param command the command
     * @param context where it is in the log
     * @return the new value
     * @throws ArithmeticException if the sum would overflow (the value is then unchanged)
     */
    @Override
    public Long apply(Add command, ApplyContext context) {
        value = Math.addExact(value, command.delta());
        return value;
    }

    /**
     * Reads the value.
     *
     * @param query the query
     * @return the value
     */
    @Override
    public Long query(Read query) {
        return value;
    }
}

package io.mosaik.groups;

/**
 * The result of a command and where it committed.
 *
 * @param result the state machine's result
 * @param term   the term of the command's log entry
 * @param index  the index of the command's log entry
 * @param <R>    the result type
 */
public record Committed<R>(R result, long term, long index) {
}

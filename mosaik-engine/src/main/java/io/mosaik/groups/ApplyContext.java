package io.mosaik.groups;

/**
 * Where a command being applied sits in the log.
 *
 * @param term  the term of its entry
 * @param index the index of its entry
 */
public record ApplyContext(long term, long index) {
}

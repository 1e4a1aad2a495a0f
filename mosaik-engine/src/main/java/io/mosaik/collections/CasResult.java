package io.mosaik.collections;

/**
 * The outcome of a conditional write (compare-and-set, or the first write of a
 * {@link ReplicatedOnceWriter}): it takes a version whether or not its condition held.
 *
 * @param version   where the write is in the collection's history
 * @param succeeded whether its condition held when the replicas applied it (so that it took effect)
 */
public record CasResult(Version version, boolean succeeded) {
}

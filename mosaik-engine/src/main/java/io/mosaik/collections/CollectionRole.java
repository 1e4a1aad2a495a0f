package io.mosaik.collections;

/** What a node does with a collection. */
public enum CollectionRole {
    /**
     * Writes and reads. Its node is a full member of the collection's group: it may vote and lead, and
     * counts towards the quorum.
     */
    WRITER,
    /**
     * Reads only. Its node replicates the collection as an observer: it never votes or leads, so readers
     * alone never bring a collection online; at least one writer node must be up.
     */
    READER
}

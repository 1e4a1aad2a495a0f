package io.mosaik.actuator;

import io.mosaik.collections.CollectionInfo;
import java.util.List;

/**
 * One collection of {@code /actuator/mosaik/collections}: what this node has of it.
 *
 * @param store    the store's name (the start of its id for a store opened by id)
 * @param kind     {@code map}, {@code vec}, {@code set}, {@code cell}, {@code once} or {@code priority-queue}
 * @param role     {@code writer} (a voting member of the collection's group) or {@code reader} (an observer)
 * @param types    the element types' simple names (key and value; priority, key and value; element)
 * @param size     elements here now
 * @param version  the version (log index of the last write) of the state here
 * @param online   whether writes can go through from here
 * @param leader   the leader of the collection's group, {@code null} while none is known
 * @param groupId  the collection's group id, 64 hex characters
 * @param handles  handles open on this node
 * @param capacity a priority queue's capacity ({@code null} unbounded or not a queue)
 * @param syncs    snapshots installed here (catch-up and restarts)
 */
public record MosaikCollectionDescriptor(String store, String kind, String role, List<String> types, long size,
        long version, boolean online, String leader, String groupId, int handles, Long capacity, long syncs) {

    /**
     * Describes a collection.
     *
     * @param info what the node has of it
     * @return the descriptor
     */
    public static MosaikCollectionDescriptor of(CollectionInfo info) {
        return new MosaikCollectionDescriptor(info.store(), info.kind().configName(),
                info.role().name().toLowerCase(java.util.Locale.ROOT), info.types(), info.size(),
                info.version().index(), info.online(), info.leader() == null ? null : info.leader().toHex(),
                info.groupId().toString(), info.handles(),
                info.capacity() > 0 && info.capacity() < Long.MAX_VALUE ? info.capacity() : null, info.syncs());
    }
}

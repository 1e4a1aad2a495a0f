package io.mosaik.collections;

import io.mosaik.groups.GroupId;
import io.mosaik.primitives.PeerId;

/**
 * What a node has of one collection, for operators (the actuator lists these).
 *
 * @param store    the store's name (or the start of its id)
 * @param kind     the kind
 * @param role     the node's role in the collection's group (that of the first handle opened here)
 * @param types    the element types, as configured (key and value, priority key and value...)
 * @param size     the number of elements here now
 * @param version  the version of the state here
 * @param online   whether writes can go through from here
 * @param leader   the leader of the collection's group, or {@code null}
 * @param groupId  the collection's group
 * @param handles  open handles on this node
 * @param capacity the capacity of a priority queue ({@link Long#MAX_VALUE}: unbounded), else 0
 * @param syncs    snapshots installed here
 */
public record CollectionInfo(String store, CollectionKind kind, CollectionRole role, java.util.List<String> types,
                             long size, Version version, boolean online, PeerId leader, GroupId groupId, int handles,
                             long capacity, long syncs) {
}

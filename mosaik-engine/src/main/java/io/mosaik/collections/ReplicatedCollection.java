package io.mosaik.collections;

import io.mosaik.groups.GroupId;
import io.mosaik.groups.GroupStatus;
import io.mosaik.primitives.PeerId;
import java.util.Optional;

/**
 * A handle on a replicated collection: what readers and writers of every kind have in common.
 *
 * <p>Reads are local and never block: each reads one immutable, committed state of this node's replica,
 * replaced after every write it applies. A writer's write completes once this node has applied it, so
 * the writer reads its own writes; another node sees it once it {@linkplain CollectionWhen#reaches
 * reaches} the write's version. Elements are shared between reads: treat them as immutable (records
 * are ideal).
 *
 * <p>Every node that opens a store shares one replica per store: two handles on one node read the
 * same state, and closing one leaves the other working; the node leaves the collection's group when its
 * last handle is closed (or its network closes).
 */
public interface ReplicatedCollection extends AutoCloseable {

    /** The store this handle is on. */
    StoreId storeId();

    /** The kind of collection. */
    CollectionKind kind();

    /** Whether this handle writes or only reads. */
    CollectionRole role();

    /** The id of the collection's group (its Raft group). */
    GroupId groupId();

    /** The version of the state reads see now: the index of the last write in it. */
    Version version();

    /** The number of elements (entries for a map or a queue; 0 or 1 for a cell). */
    long size();

    /** Whether there are no elements. */
    default boolean isEmpty() {
        return size() == 0;
    }

    /**
     * Whether the collection is online on this node: its group has a leader this node follows (or is),
     * so writes can go through.
     */
    boolean isOnline();

    /** The leader of the collection's group, if this node knows one. */
    Optional<PeerId> leader();

    /** This node's view of the collection's group (role, term, leader, indices, members). */
    GroupStatus status();

    /** Conditions on this collection, as futures. */
    CollectionWhen when();

    /** Releases this handle (other handles on the same store keep working). */
    @Override
    void close();
}

package io.mosaik.groups;

import io.mosaik.primitives.PeerId;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Conditions on a group, as futures that complete when the condition holds (at once if it holds now).
 * Obtained from {@link Group#when()}.
 */
public final class GroupWhen {

    private final GroupWorker<?, ?, ?> worker;

    GroupWhen(GroupWorker<?, ?, ?> worker) {
        this.worker = worker;
    }

    /** Completes with the leader as soon as one is known. */
    public CompletableFuture<PeerId> leaderElected() {
        return worker.await(status -> status.leader() != null).thenApply(GroupStatus::leader);
    }

    /** Completes with the leader when one other than the one known now (or any, if none is) is known. */
    public CompletableFuture<PeerId> leaderChanged() {
        PeerId now = worker.status().leader();
        return worker.await(status -> status.leader() != null && !status.leader().equals(now))
                .thenApply(GroupStatus::leader);
    }

    /** Completes when this peer leads. */
    public CompletableFuture<Void> leaderIs(PeerId peer) {
        Objects.requireNonNull(peer, "peer");
        return worker.await(status -> peer.equals(status.leader())).thenApply(status -> null);
    }

    /** Completes when this node leads. */
    public CompletableFuture<Void> isLeader() {
        return worker.await(GroupStatus::isLeader).thenApply(status -> null);
    }

    /** Completes when this node follows a known leader other than itself. */
    public CompletableFuture<Void> isFollower() {
        return worker.await(status -> status.leader() != null && !status.isLeader()).thenApply(status -> null);
    }

    /** Completes when this node is online: it leads, or follows a leader whose log it matches. */
    public CompletableFuture<Void> online() {
        return worker.await(GroupStatus::online).thenApply(status -> null);
    }

    /** Completes when this node is offline. */
    public CompletableFuture<Void> offline() {
        return worker.await(status -> !status.online()).thenApply(status -> null);
    }

    /** Completes with the applied index once this node has applied up to {@code index}. */
    public CompletableFuture<Long> applied(long index) {
        return worker.await(status -> status.appliedIndex() >= index).thenApply(GroupStatus::appliedIndex);
    }

    /** Completes with the commit index once this node knows {@code index} to be committed. */
    public CompletableFuture<Long> committed(long index) {
        return worker.await(status -> status.commitIndex() >= index).thenApply(GroupStatus::commitIndex);
    }
}

package io.mosaik.groups;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.mosaik.primitives.PeerId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The meters of one group on one node, tagged with the group's short id: Raft progress (term, commit
 * and applied index, commits, applies, apply latency, elections, leader changes, replication lag per
 * follower) and bonds (active, refused and closed by reason).
 */
final class GroupMetrics {

    private final MeterRegistry registry;
    private final Tags tags;
    final AtomicLong term = new AtomicLong();
    final AtomicLong commitIndex = new AtomicLong();
    final AtomicLong appliedIndex = new AtomicLong();
    final AtomicLong bondsActive = new AtomicLong();
    final Counter commits;
    final Counter applies;
    final Counter elections;
    final Counter leaderChanges;
    final Counter rejectedCommands;
    final Counter foreignMessages;
    final Counter snapshotChunksFetched;
    final Counter snapshotChunksServed;
    final Timer applyLatency;
    final Timer snapshotDuration;
    final Timer logSync;
    final io.micrometer.core.instrument.DistributionSummary snapshotBytes;
    final Counter snapshotFailures;
    private final Map<String, Counter> bondsRefused = new ConcurrentHashMap<>();
    private final Map<PeerId, AtomicLong> lag = new ConcurrentHashMap<>();
    private final Map<PeerId, AtomicLong> install = new ConcurrentHashMap<>();

    GroupMetrics(MeterRegistry registry, GroupId id) {
        this.registry = registry;
        this.tags = Tags.of("group", id.toShortString());
        Gauge.builder("mosaik.groups.raft.term", term, AtomicLong::get).tags(tags)
                .description("The current Raft term").register(registry);
        Gauge.builder("mosaik.groups.raft.commit.index", commitIndex, AtomicLong::get).tags(tags)
                .description("The highest log index known to be committed").register(registry);
        Gauge.builder("mosaik.groups.raft.applied.index", appliedIndex, AtomicLong::get).tags(tags)
                .description("The highest log index applied to the state machine").register(registry);
        Gauge.builder("mosaik.groups.bonds.active", bondsActive, AtomicLong::get).tags(tags)
                .description("Bonds with other members").register(registry);
        commits = Counter.builder("mosaik.groups.raft.commits").tags(tags)
                .description("Log entries committed").register(registry);
        applies = Counter.builder("mosaik.groups.raft.applies").tags(tags)
                .description("Commands applied to the state machine").register(registry);
        elections = Counter.builder("mosaik.groups.raft.elections").tags(tags)
                .description("Elections this node stood in").register(registry);
        leaderChanges = Counter.builder("mosaik.groups.raft.leader.changes").tags(tags)
                .description("Times the known leader changed to another node").register(registry);
        rejectedCommands = Counter.builder("mosaik.groups.raft.commands.rejected").tags(tags)
                .description("Commands whose apply threw (the same on every member)").register(registry);
        foreignMessages = Counter.builder("mosaik.groups.raft.foreign.messages").tags(tags)
                .description("Raft messages from members of another formation of this group (formed apart)")
                .register(registry);
        snapshotChunksFetched = Counter.builder("mosaik.groups.snapshot.chunks.fetched").tags(tags)
                .description("Snapshot chunks this node installed that came from members other than the leader")
                .register(registry);
        snapshotChunksServed = Counter.builder("mosaik.groups.snapshot.chunks.served").tags(tags)
                .description("Snapshot chunks this node sent to members installing the same snapshot")
                .register(registry);
        applyLatency = Timer.builder("mosaik.groups.raft.apply.latency").tags(tags)
                .description("Time to apply one batch of committed entries").register(registry);
        logSync = Timer.builder("mosaik.groups.log.sync").tags(tags)
                .description("Time to sync a durable log once per turn of the group's loop (an fsync under "
                        + "the ALWAYS policy), before votes, acknowledgements and answers go out")
                .register(registry);
        snapshotDuration = Timer.builder("mosaik.groups.snapshot.duration").tags(tags)
                .description("Time to write a snapshot of the state machine (in the background) and commit it")
                .register(registry);
        snapshotBytes = io.micrometer.core.instrument.DistributionSummary.builder("mosaik.groups.snapshot.size")
                .baseUnit("bytes").tags(tags).description("Size of the snapshots this member took")
                .register(registry);
        snapshotFailures = Counter.builder("mosaik.groups.snapshot.failures").tags(tags)
                .description("Snapshots that failed to be written; the log is kept until one succeeds")
                .register(registry);
    }

    /** Counts a bond refused or closed for a reason (invalid-proof, malformed, timeout, ...). */
    void bondRefused(String reason) {
        bondsRefused.computeIfAbsent(reason, key -> Counter.builder("mosaik.groups.bonds.refused").tags(tags)
                .tag("reason", key).description("Bonds refused or closed because of the peer").register(registry))
                .increment();
    }

    /** Records how far a follower's log is behind the leader's commit index (leader only). */
    void lag(PeerId follower, long entries) {
        lag.computeIfAbsent(follower, peer -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("mosaik.groups.raft.replication.lag", value, AtomicLong::get).tags(tags)
                    .tag("follower", peer.toShortString())
                    .description("Committed entries a follower lacks, as the leader sees it").register(registry);
            return value;
        }).set(entries);
    }

    /**
     * Records how much of a snapshot a follower catching up has acknowledged, as a fraction (leader
     * only; 1 once it has it all or needs none).
     */
    /** This node no longer leads: it sends no snapshot, so every install gauge it shows reads 1. */
    void installsEnded() {
        install.values().forEach(value -> value.set(1000));
    }

    void install(PeerId follower, long received, long total) {
        long permille = total <= 0 ? 1000 : Math.min(1000, received * 1000 / total);
        if (permille == 1000 && !install.containsKey(follower)) {
            return; // no gauge for a follower that never needed a snapshot
        }
        install.computeIfAbsent(follower, peer -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("mosaik.groups.snapshot.install.progress", value, v -> v.get() / 1000.0).tags(tags)
                    .tag("follower", peer.toShortString())
                    .description("Fraction of the snapshot a catching-up follower has received, as the leader "
                            + "sees it (1 when none is being sent)").register(registry);
            return value;
        }).set(permille);
    }
}

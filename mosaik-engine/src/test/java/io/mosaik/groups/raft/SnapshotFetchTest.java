package io.mosaik.groups.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.groups.raft.RaftMessage.InstallSnapshot;
import io.mosaik.groups.raft.RaftMessage.SnapshotFetchResponse;
import io.mosaik.primitives.PeerId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A new member installs the leader's snapshot with help: a member whose latest snapshot is the same
 * sends chunks beyond the leader's window, and the leader skips what arrived that way. A member without
 * that snapshot, one that does not answer, and one that sends a damaged chunk are all survived.
 */
class SnapshotFetchTest {

    private static final int CHUNK = 1_000;
    private static final RaftConfig CONFIG = RaftConfig.defaults().withTimings(50, 300, 100, 100)
            .withReplication(CHUNK, 8);
    private static final PeerId LEADER = id(1);
    private static final PeerId NEW = id(2);
    private static final PeerId HELPER = id(3);

    private final Map<PeerId, RaftCore> cores = new LinkedHashMap<>();
    private final ArrayDeque<Object[]> wire = new ArrayDeque<>();
    private final List<Snapshot> restored = new ArrayList<>();
    private final Set<Long> leaderOffsets = new HashSet<>();
    private long leaderChunks;
    private long now;
    private byte[] state;
    private LogPosition snapshotAt;
    private Configuration configuration;

    private static PeerId id(int n) {
        return SnapshotTransferTest.id(n);
    }

    @BeforeEach
    void aLeaderWithACompactedLogAndANewMember() {
        long[] clock = {now};
        RaftCore leader = SnapshotTransferTest.electedLeaderWithTwentyCommands(LEADER, CONFIG, clock);
        now = clock[0];
        snapshotAt = leader.ready().committed().getLast().position();
        configuration = leader.configurationAt(snapshotAt.index());
        state = new byte[40 * CHUNK + 17]; // 41 chunks: many more than the leader's window of 8
        new SplittableRandom(7).nextBytes(state);
        leader.snapshotTaken(snapshotAt, state, 0, 0);
        cores.put(LEADER, leader);
        cores.put(NEW, new RaftCore(NEW, CONFIG, new InMemoryLogStorage(), SnapshotStore.inMemory(),
                new SplittableRandom(2), now));
    }

    /** A member that restarted from the given snapshot (so its latest snapshot is that one). */
    private RaftCore helperWith(byte[] data) {
        SnapshotStore store = SnapshotStore.inMemory();
        store.save(new Snapshot(snapshotAt, configuration, data));
        RaftCore helper = new RaftCore(HELPER, CONFIG, new InMemoryLogStorage(), store, new SplittableRandom(3), now);
        helper.ready(); // its own restore
        cores.put(HELPER, helper);
        return helper;
    }

    private void connect(PeerId a, PeerId b) {
        cores.get(a).peerConnected(b, now);
        cores.get(b).peerConnected(a, now);
    }

    /** Delivers messages (through a filter that may change or drop them, by sender) and ticks. */
    private void run(long millis, BiFunction<PeerId, RaftMessage, RaftMessage> filter) {
        for (long end = now + millis; now < end; ) {
            now += 10;
            cores.values().forEach(core -> core.tick(now));
            for (int rounds = 0; rounds < 1_000; rounds++) {
                cores.forEach(this::collect);
                if (wire.isEmpty()) {
                    break;
                }
                while (!wire.isEmpty()) {
                    Object[] m = wire.poll();
                    RaftMessage message = filter.apply((PeerId) m[0], (RaftMessage) m[2]);
                    RaftCore to = cores.get((PeerId) m[1]);
                    if (message != null && to != null) {
                        to.receive((PeerId) m[0], message, now);
                    }
                }
            }
        }
    }

    private void collect(PeerId self, RaftCore core) {
        RaftReady ready = core.ready();
        if (self.equals(NEW) && ready.snapshot() != null) {
            restored.add(ready.snapshot());
        }
        for (RaftReady.Outbound out : ready.messages()) {
            if (out.message() instanceof InstallSnapshot chunk) {
                leaderChunks++;
                leaderOffsets.add(chunk.offset());
            }
            wire.add(new Object[] {self, out.to(), out.message()});
        }
    }

    private void assertInstalledWhole() {
        assertThat(restored).hasSize(1);
        assertThat(restored.getFirst().position()).isEqualTo(snapshotAt);
        assertThat(restored.getFirst().data().bytes()).isEqualTo(state);
        assertThat(cores.get(NEW).status().compacted()).isEqualTo(snapshotAt);
    }

    @Test
    void aMemberWithTheSameSnapshotSendsChunksAndTheLeaderSkipsThem() {
        RaftCore helper = helperWith(state);
        connect(LEADER, NEW);
        connect(HELPER, NEW);
        run(1_000, (from, message) -> message);
        assertInstalledWhole();
        RaftCore member = cores.get(NEW);
        assertThat(member.snapshotChunksFetched()).as("chunks that came from the helper").isPositive();
        assertThat(helper.snapshotChunksServed()).isGreaterThanOrEqualTo(member.snapshotChunksFetched());
    }

    @Test
    void whileTheLeadersChunksAreHeldUpTheHelperSendsTheRestAndTheLeaderSkipsIt() {
        RaftCore helper = helperWith(state);
        connect(LEADER, NEW);
        connect(HELPER, NEW);
        long slowUntil = now + 200;
        // The leader's first window arrives; the rest of what it sends is lost for a while (a slow or
        // lossy leader): the helper fetches ahead meanwhile, and the leader resends only the gap.
        run(1_000, (from, message) -> message instanceof InstallSnapshot chunk && chunk.offset() >= 8L * CHUNK
                && now < slowUntil ? null : message);
        assertInstalledWhole();
        RaftCore member = cores.get(NEW);
        assertThat(member.snapshotChunksFetched()).isGreaterThanOrEqualTo(20);
        assertThat(helper.snapshotChunksServed()).isGreaterThanOrEqualTo(member.snapshotChunksFetched());
        assertThat(leaderOffsets).as("the leader skipped what the helper sent").hasSizeLessThan(30);
    }

    @Test
    void aMemberWithAnotherSnapshotSaysSoAndIsNotAskedAgain() {
        byte[] other = state.clone();
        other[5] ^= 1;
        RaftCore helper = helperWith(other);
        connect(LEADER, NEW);
        connect(HELPER, NEW);
        int[] refusals = {0};
        run(1_000, (from, message) -> {
            if (message instanceof SnapshotFetchResponse answer && !answer.available()) {
                refusals[0]++;
            }
            return message;
        });
        assertInstalledWhole();
        assertThat(refusals[0]).as("one window of asks, then no more").isBetween(1, 4);
        assertThat(cores.get(NEW).snapshotChunksFetched()).isZero();
        assertThat(helper.snapshotChunksServed()).isZero();
        assertThat(leaderOffsets).hasSize(41);
    }

    @Test
    void aMemberThatDoesNotAnswerIsDroppedAfterAnElectionTimeout() {
        helperWith(state);
        connect(LEADER, NEW);
        connect(HELPER, NEW);
        run(2_000, (from, message) -> from.equals(HELPER) && message instanceof SnapshotFetchResponse ? null : message);
        assertInstalledWhole();
        assertThat(cores.get(NEW).snapshotChunksFetched()).isZero();
    }

    @Test
    void aDamagedChunkFromAMemberFailsTheWholeChecksumAndTheLeaderAloneSendsItAgain() {
        helperWith(state);
        connect(LEADER, NEW);
        connect(HELPER, NEW);
        run(2_000, (from, message) -> {
            if (message instanceof SnapshotFetchResponse answer && answer.available()) {
                byte[] damaged = answer.chunk().clone();
                damaged[0] ^= 1;
                return new SnapshotFetchResponse(answer.formation(), answer.position(), answer.checksum(),
                        answer.offset(), true, damaged);
            }
            return message;
        });
        assertInstalledWhole();
        assertThat(leaderChunks).as("the leader sent the whole snapshot again").isGreaterThanOrEqualTo(41);
    }

    @Test
    void aMemberWhoseBondClosesMidFetchIsReplacedByTheLeader() {
        helperWith(state);
        connect(LEADER, NEW);
        connect(HELPER, NEW);
        boolean[] cut = {false};
        run(1_000, (from, message) -> {
            if (!cut[0] && from.equals(HELPER) && message instanceof SnapshotFetchResponse) {
                cut[0] = true;
                cores.get(NEW).peerDisconnected(HELPER, now);
                cores.get(HELPER).peerDisconnected(NEW, now);
                return null; // lost with the bond
            }
            return from.equals(HELPER) && cut[0] ? null : message;
        });
        assertInstalledWhole();
    }
}

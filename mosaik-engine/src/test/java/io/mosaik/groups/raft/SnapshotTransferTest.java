package io.mosaik.groups.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.mosaik.groups.raft.RaftMessage.InstallSnapshot;
import io.mosaik.groups.raft.RaftMessage.InstallSnapshotResponse;
import io.mosaik.primitives.PeerId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A leader whose log was compacted behind a snapshot, and a new member that must install it: chunk by
 * chunk, a window at a time, checked as a whole, resumed after a cut, and not started over when the
 * leader takes a newer snapshot meanwhile.
 */
class SnapshotTransferTest {

    private static final int CHUNK = 1_000;
    private static final RaftConfig CONFIG = RaftConfig.defaults().withTimings(50, 300, 100, 100)
            .withReplication(CHUNK, 8);
    private static final PeerId LEADER = id(1);
    private static final PeerId NEW = id(2);

    private RaftCore leader;
    private RaftCore member;
    private final SnapshotStore memberStore = SnapshotStore.inMemory();
    private final ArrayDeque<Object[]> wire = new ArrayDeque<>();
    private final List<InstallSnapshot> chunks = new ArrayList<>();
    private final List<InstallSnapshotResponse> answers = new ArrayList<>();
    private final List<Snapshot> restored = new ArrayList<>();
    private long now;
    private byte[] state;
    private LogPosition snapshotAt;

    static PeerId id(int n) {
        byte[] bytes = new byte[32];
        bytes[0] = (byte) n;
        return PeerId.fromBytes(bytes);
    }

    /** A leader alone, elected, that applied 20 commands; returns when it is (the time is in {@code now[0]}). */
    static RaftCore electedLeaderWithTwentyCommands(PeerId self, RaftConfig config, long[] now) {
        RaftCore leader = new RaftCore(self, config, new InMemoryLogStorage(), SnapshotStore.inMemory(),
                new SplittableRandom(1), now[0]);
        while (leader.role() != RaftCore.Role.LEADER) {
            now[0] += 10;
            leader.tick(now[0]);
            leader.ready();
        }
        for (int i = 0; i < 20; i++) {
            leader.propose(i, new byte[] {(byte) i}, now[0]);
        }
        return leader;
    }

    @BeforeEach
    void aLeaderWithACompactedLog() {
        long[] clock = {now};
        leader = electedLeaderWithTwentyCommands(LEADER, CONFIG, clock);
        now = clock[0];
        List<LogEntry> applied = leader.ready().committed();
        snapshotAt = applied.getLast().position();
        state = new byte[10 * CHUNK + 17]; // eleven chunks
        new SplittableRandom(7).nextBytes(state);
        leader.snapshotTaken(snapshotAt, state, 0, 0);
        assertThat(leader.status().compacted()).isEqualTo(snapshotAt);
        member = new RaftCore(NEW, CONFIG, new InMemoryLogStorage(), memberStore, new SplittableRandom(2), now);
    }

    private void connect() {
        leader.peerConnected(NEW, now);
        member.peerConnected(LEADER, now);
    }

    private void disconnect() {
        leader.peerDisconnected(NEW, now);
        member.peerDisconnected(LEADER, now);
        wire.clear(); // what was in flight is lost with the bond
    }

    /** Delivers messages (through a filter that may change or drop them) and ticks until done. */
    private void run(long millis, UnaryOperator<RaftMessage> filter) {
        for (long end = now + millis; now < end; ) {
            now += 10;
            leader.tick(now);
            member.tick(now);
            for (int rounds = 0; rounds < 1_000; rounds++) {
                collect(leader, LEADER);
                collect(member, NEW);
                if (wire.isEmpty()) {
                    break;
                }
                while (!wire.isEmpty()) {
                    Object[] m = wire.poll();
                    RaftMessage message = filter.apply((RaftMessage) m[2]);
                    if (message != null) {
                        ((RaftCore) m[1]).receive((PeerId) m[0], message, now);
                    }
                }
            }
        }
    }

    private void collect(RaftCore core, PeerId self) {
        RaftReady ready = core.ready();
        if (core == member && ready.snapshot() != null) {
            restored.add(ready.snapshot());
        }
        for (RaftReady.Outbound out : ready.messages()) {
            if (out.message() instanceof InstallSnapshot chunk) {
                chunks.add(chunk);
            } else if (out.message() instanceof InstallSnapshotResponse answer) {
                answers.add(answer);
            }
            wire.add(new Object[] {self, out.to().equals(LEADER) ? leader : member, out.message()});
        }
    }

    @Test
    void theSnapshotIsSentAWindowOfChunksAtATimeAndInstalledWhole() {
        connect();
        int[] inFlight = {0};
        int[] most = {0};
        run(500, message -> {
            if (message instanceof InstallSnapshot) {
                most[0] = Math.max(most[0], ++inFlight[0] + 0);
            } else if (message instanceof InstallSnapshotResponse) {
                inFlight[0]--;
            }
            return message;
        });
        assertThat(restored).hasSize(1);
        assertThat(restored.getFirst().position()).isEqualTo(snapshotAt);
        assertThat(restored.getFirst().data().bytes()).isEqualTo(state);
        assertThat(chunks).as("each chunk sent once: " + chunks.stream().map(c -> c.offset() + "").toList() + answers.stream().map(a -> a.nextOffset() + (a.done() ? "d" : "")).toList()).hasSize(11);
        assertThat(chunks).allMatch(c -> c.chunk().length <= CHUNK);
        assertThat(most[0]).as("chunks sent before the first was acknowledged").isGreaterThan(1).isLessThanOrEqualTo(8);
        assertThat(member.commitIndex()).isGreaterThanOrEqualTo(snapshotAt.index());
        assertThat(member.status().compacted()).isEqualTo(snapshotAt);
    }

    @Test
    void aDamagedChunkIsCaughtByTheWholeChecksumAndNothingDamagedIsRestored() {
        connect();
        boolean[] damaged = {false};
        run(1_000, message -> {
            if (message instanceof InstallSnapshot c && c.offset() == 3 * CHUNK && !damaged[0]) {
                damaged[0] = true;
                byte[] bad = c.chunk().clone();
                bad[10] ^= 1;
                return new InstallSnapshot(c.formation(), c.term(), c.position(), c.configuration(), c.offset(),
                        c.total(), c.checksum(), bad);
            }
            return message;
        });
        assertThat(damaged[0]).isTrue();
        assertThat(answers).as("the member asked to start over once it saw the whole did not check out")
                .anyMatch(a -> !a.done() && a.nextOffset() == 0);
        assertThat(restored).as("only the good copy was restored").hasSize(1);
        assertThat(restored.getFirst().data().bytes()).isEqualTo(state);
        assertThat(memberStore.latest().data().bytes()).isEqualTo(state);
    }

    @Test
    void aTransferCutOffResumesFromWhatTheMemberHasRatherThanFromTheStart() {
        connect();
        int[] delivered = {0};
        run(200, message -> message instanceof InstallSnapshot && ++delivered[0] > 5 ? null : message);
        assertThat(restored).isEmpty();
        RaftStatus.FollowerStatus progress = leader.status().followers().get(NEW);
        assertThat(progress.installingSnapshot()).isTrue();
        assertThat(progress.snapshotReceived()).as("what the leader shows of the install").isEqualTo(5L * CHUNK);
        assertThat(progress.snapshotTotal()).isEqualTo(state.length);
        disconnect();
        run(100, message -> message);
        int before = answers.size();
        connect();
        run(1_000, message -> message);
        assertThat(restored).hasSize(1);
        assertThat(restored.getFirst().data().bytes()).isEqualTo(state);
        assertThat(answers.subList(before, answers.size())).as("the member never started over")
                .noneMatch(a -> !a.done() && a.nextOffset() == 0);
    }

    @Test
    void aNewerSnapshotTakenDuringATransferDoesNotStartItOver() {
        connect();
        int[] delivered = {0};
        run(200, message -> message instanceof InstallSnapshot && ++delivered[0] > 4 ? null : message);
        // The transfer is under way; the leader goes on and snapshots again.
        for (int i = 100; i < 110; i++) {
            leader.propose(i, new byte[] {(byte) i}, now);
        }
        run(50, message -> message instanceof InstallSnapshot ? null : message);
        LogPosition newer = leader.lastPosition();
        leader.snapshotTaken(newer, new byte[] {1, 2, 3}, 0, 1_000);
        assertThat(leader.status().snapshot()).isEqualTo(newer);
        chunks.clear();
        run(1_000, message -> message);
        assertThat(chunks).as("the transfer went on with the snapshot it began with")
                .allMatch(c -> c.position().equals(snapshotAt));
        assertThat(restored).hasSize(1);
        assertThat(restored.getFirst().data().bytes()).isEqualTo(state);
        assertThat(member.commitIndex()).as("and the rest came from the log").isEqualTo(leader.commitIndex());
    }
}

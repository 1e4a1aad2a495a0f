package io.mosaik.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.network.Link;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.PeerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Groups on real nodes on loopback, in one JVM. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GroupsTest {

    private static final NetworkId NETWORK = NetworkId.of("groups-test");
    private static final GroupKey KEY = GroupKey.fromSecret("groups-test-secret");
    static final ConsensusConfig FAST = ConsensusConfig.defaults()
            .withHeartbeats(Duration.ofMillis(100), Duration.ofMillis(20), 10)
            .withElections(Duration.ofMillis(600), Duration.ofMillis(300), Duration.ofMillis(500));

    /** A counter: a command adds its value (0 is refused), any query reads the sum. */
    static class Counter implements StateMachine<Long, String, Long> {
        long value;
        final List<Long> applied = new CopyOnWriteArrayList<>();

        @Override
        public Class<Long> commandType() {
            return Long.class;
        }

        @Override
        public Class<String> queryType() {
            return String.class;
        }

        @Override
        public Class<Long> resultType() {
            return Long.class;
        }

        @Override
        public Long apply(Long command, ApplyContext context) {
            if (command == 0) {
                throw new IllegalArgumentException("adding 0 is not a change");
            }
            applied.add(command);
            value += command;
            return value;
        }

        @Override
        public Long query(String query) {
            return value;
        }

        @Override
        public byte[] snapshot() {
            return java.nio.ByteBuffer.allocate(8).putLong(value).array();
        }

        @Override
        public void restore(byte[] snapshot) {
            value = java.nio.ByteBuffer.wrap(snapshot).getLong();
            applied.clear();
            restores++;
        }

        int restores;
    }

    private final List<Network> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Network::close);
    }

    private Network node(List<PeerAddress> bootstrap) throws Exception {
        Network node = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry()).bootstrap(bootstrap).start();
        nodes.add(node);
        return node;
    }

    private List<Network> cluster(int size) throws Exception {
        List<Network> cluster = new ArrayList<>();
        cluster.add(node(List.of()));
        for (int i = 1; i < size; i++) {
            cluster.add(node(List.of(cluster.getFirst().address())));
        }
        return cluster;
    }

    /** A counter group joined on every node, in the cluster's order. */
    private static List<Group<Long, String, Long>> joinAll(List<Network> cluster) {
        List<Group<Long, String, Long>> groups = new ArrayList<>();
        for (Network node : cluster) {
            groups.add(join(node, new Counter()));
        }
        return groups;
    }

    private static Group<Long, String, Long> join(Network node, Counter counter) {
        return node.groups().builder(KEY, counter).consensus(FAST).join();
    }

    private static PeerId sameLeaderEverywhere(List<Group<Long, String, Long>> groups) {
        return sameLeaderEverywhere(groups, null);
    }

    private static PeerId sameLeaderEverywhere(List<Group<Long, String, Long>> groups, PeerId not) {
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                PeerId first = groups.getFirst().leader().orElse(null);
                return first != null && !first.equals(not) && groups.stream().allMatch(g ->
                        first.equals(g.leader().orElse(null)) && g.status().voters().contains(first));
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder views = new StringBuilder("no common leader; the members see:");
            groups.forEach(g -> views.append("\n  ").append(g.status()));
            throw new AssertionError(views.toString(), e);
        }
        return groups.getFirst().leader().orElseThrow();
    }

    /** Reads what the peer sent before closing, then the reason it closed with. */
    private static CloseReason closeReason(Link link) throws Exception {
        for (int frames = 0; frames < 100_000; frames++) {
            try {
                link.receiveBytes();
            } catch (LinkClosedException e) {
                return e.reason();
            }
        }
        throw new AssertionError("the link stays open");
    }

    private static double count(Network node, String meter, String... tags) {
        io.micrometer.core.instrument.Counter counter = node.meterRegistry().find(meter).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void threeNodesElectOneLeaderAndApplyCommandsFromEveryNodeInTheSameOrder() throws Exception {
        List<Network> cluster = cluster(3);
        List<Counter> counters = new ArrayList<>();
        List<Group<Long, String, Long>> groups = new ArrayList<>();
        for (Network node : cluster) {
            Counter counter = new Counter();
            counters.add(counter);
            groups.add(join(node, counter));
        }
        PeerId leader = sameLeaderEverywhere(groups);
        await().atMost(Duration.ofSeconds(30)).until(() -> groups.stream().allMatch(g -> g.status().voters().size() == 3));

        List<CompletableFuture<Committed<Long>>> results = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            results.add(groups.get(i % 3).execute((long) i));
        }
        long last = 0;
        for (CompletableFuture<Committed<Long>> result : results) {
            last = Math.max(last, result.get(30, TimeUnit.SECONDS).index());
        }
        long committed = last;
        for (Group<Long, String, Long> group : groups) {
            group.when().applied(committed).get(30, TimeUnit.SECONDS);
            assertThat(group.query("sum", Consistency.STRONG).get(30, TimeUnit.SECONDS)).isEqualTo(465L);
        }
        assertThat(counters.get(1).applied).hasSize(30).isEqualTo(counters.get(0).applied)
                .isEqualTo(counters.get(2).applied);
        assertThat(groups.getFirst().status().leader()).isEqualTo(leader);
        assertThat(groups.getFirst().id()).isEqualTo(groups.get(2).id());
    }

    @Test
    void whenTheLeaderLeavesAnotherIsElectedAndNoCommittedCommandIsLost() throws Exception {
        List<Network> cluster = cluster(5);
        List<Group<Long, String, Long>> groups = new ArrayList<>();
        List<Counter> counters = new ArrayList<>();
        for (Network node : cluster) {
            Counter counter = new Counter();
            counters.add(counter);
            groups.add(join(node, counter));
        }
        PeerId leader = sameLeaderEverywhere(groups);
        await().atMost(Duration.ofSeconds(30)).until(() -> groups.getFirst().status().voters().size() == 3);
        for (int i = 1; i <= 20; i++) {
            groups.get(i % 5).execute((long) i).get(30, TimeUnit.SECONDS);
        }
        int leaderIndex = -1;
        for (int i = 0; i < 5; i++) {
            if (cluster.get(i).peerId().equals(leader)) {
                leaderIndex = i;
            }
        }
        List<Group<Long, String, Long>> rest = new ArrayList<>(groups);
        rest.remove(leaderIndex);
        rest.getFirst().when().isFollower().get(30, TimeUnit.SECONDS);
        rest.getFirst().when().online().get(30, TimeUnit.SECONDS);
        CompletableFuture<PeerId> changed = rest.getFirst().when().leaderChanged();
        assertThat(changed).isNotDone();
        cluster.get(leaderIndex).close();
        assertThat(changed.get(30, TimeUnit.SECONDS)).isNotEqualTo(leader);
        List<Counter> restCounters = new ArrayList<>(counters);
        restCounters.remove(leaderIndex);
        PeerId next = sameLeaderEverywhere(rest, leader);
        assertThat(next).isNotEqualTo(leader);
        long lastIndex = 0;
        for (int i = 21; i <= 30; i++) {
            lastIndex = rest.get(i % 4).execute((long) i).get(30, TimeUnit.SECONDS).index();
        }
        long committed = lastIndex;
        for (int i = 0; i < 4; i++) {
            rest.get(i).when().applied(committed).get(30, TimeUnit.SECONDS);
            assertThat(restCounters.get(i).value).isEqualTo(465L);
            assertThat(restCounters.get(i).applied).hasSize(30);
        }
    }

    /** Three members that executed 1..50 (snapshotting every {@code snapshotEvery}), and a fourth node. */
    private long fiftyCommandsThenANewNode(long snapshotEvery, List<Network> late) throws Exception {
        List<Network> cluster = cluster(3);
        List<Group<Long, String, Long>> groups = new ArrayList<>();
        for (Network node : cluster) {
            groups.add(node.groups().builder(KEY, new Counter()).consensus(FAST).snapshots(snapshotEvery, 0).join());
        }
        sameLeaderEverywhere(groups);
        long lastIndex = 0;
        for (int i = 1; i <= 50; i++) {
            lastIndex = groups.get(i % 3).execute((long) i).get(30, TimeUnit.SECONDS).index();
        }
        late.add(node(List.of(cluster.getFirst().address())));
        return lastIndex;
    }

    @Test
    void aNodeThatJoinsLaterCatchesUpWithEverything() throws Exception {
        List<Network> newNode = new ArrayList<>();
        long lastIndex = fiftyCommandsThenANewNode(0, newNode);
        Network late = newNode.getFirst();
        Counter lateCounter = new Counter();
        Group<Long, String, Long> lateGroup = join(late, lateCounter);
        lateGroup.when().applied(lastIndex).get(30, TimeUnit.SECONDS);
        assertThat(lateCounter.value).isEqualTo(1275L);
        assertThat(lateGroup.query("sum", Consistency.STRONG).get(30, TimeUnit.SECONDS)).isEqualTo(1275L);
        assertThat(lateGroup.status().voters()).doesNotContain(late.peerId()); // three voters already
        assertThat(lateGroup.status().learners()).contains(late.peerId());
    }

    @Test
    void aNodeThatJoinsAfterTheLogWasCompactedCatchesUpFromASnapshot() throws Exception {
        List<Network> newNode = new ArrayList<>();
        long lastIndex = fiftyCommandsThenANewNode(10, newNode);
        Network late = newNode.getFirst();
        Counter lateCounter = new Counter();
        Group<Long, String, Long> lateGroup = late.groups().builder(KEY, lateCounter).consensus(FAST)
                .snapshots(10, 0).join();
        lateGroup.when().applied(lastIndex).get(30, TimeUnit.SECONDS);
        assertThat(lateCounter.restores).as("caught up from a snapshot").isEqualTo(1);
        assertThat(lateCounter.value).isEqualTo(1275L);
        lateGroup.execute(1_000L).get(30, TimeUnit.SECONDS);
        assertThat(lateGroup.query("sum", Consistency.STRONG).get(30, TimeUnit.SECONDS)).isEqualTo(2275L);
        assertThat(lateCounter.applied).contains(1_000L); // applied from the log after the snapshot
    }

    @Test
    void aGroupJoinedBeforeTheNetworkStartsFormsOnceItRuns() throws Exception {
        Network first = node(List.of());
        Group<Long, String, Long> running = join(first, new Counter());
        Network second = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry())
                .bootstrap(List.of(first.address())).build();
        nodes.add(second);
        Group<Long, String, Long> early = second.groups().builder(KEY, new Counter()).consensus(FAST)
                .leadershipPreference(io.mosaik.groups.raft.LeadershipPreference.RELUCTANT).join();
        assertThat(early.leadershipPreference()).isEqualTo(io.mosaik.groups.raft.LeadershipPreference.RELUCTANT);
        assertThat(second.groups().statuses()).hasSize(1);
        second.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> early.status().bonds().contains(first.peerId()));
        assertThat(early.when().leaderElected().get(30, TimeUnit.SECONDS)).as("the normal member bootstraps")
                .isEqualTo(first.peerId());
        assertThat(early.execute(7L).get(30, TimeUnit.SECONDS).result()).isEqualTo(7L);
        assertThat(running.query("sum", Consistency.STRONG).get(30, TimeUnit.SECONDS)).isEqualTo(7L);
    }

    @Test
    void aMemberWithADurableLogRestartsWithItsStateAndCatchesUpWithWhatItMissed(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path data) throws Exception {
        List<Network> cluster = cluster(2);
        List<Group<Long, String, Long>> groups = joinAll(cluster);
        io.mosaik.primitives.SecretKey identity = io.mosaik.primitives.SecretKey.random();
        java.util.function.Supplier<Network> durableNode = () -> {
            try {
                Network node = Network.builder(NETWORK).meterRegistry(new SimpleMeterRegistry()).secretKey(identity)
                        .bootstrap(List.of(cluster.getFirst().address())).start();
                nodes.add(node);
                return node;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Network durable = durableNode.get();
        Group<Long, String, Long> member = durable.groups().builder(KEY, new Counter()).consensus(FAST)
                .snapshots(10, 2)
                .dataDirectory(data).join();
        groups.add(member);
        sameLeaderEverywhere(groups);
        long last = 0;
        for (int i = 1; i <= 30; i++) {
            last = groups.get(i % 3).execute((long) i).get(30, TimeUnit.SECONDS).index();
        }
        member.when().applied(last).get(30, TimeUnit.SECONDS);
        durable.close();
        for (int i = 31; i <= 40; i++) { // missed while it was away
            last = groups.get(i % 2).execute((long) i).get(30, TimeUnit.SECONDS).index();
        }

        Network again = durableNode.get();
        Counter restarted = new Counter();
        Group<Long, String, Long> back = again.groups().builder(KEY, restarted).consensus(FAST).snapshots(10, 2)
                .dataDirectory(data).join();
        back.when().applied(last).get(30, TimeUnit.SECONDS);
        assertThat(restarted.restores).as("restored from its own snapshot at start").isEqualTo(1);
        assertThat(back.status().voters()).as("still a voter: the configuration is in its log")
                .contains(again.peerId());
        assertThat(restarted.value).isEqualTo(820L);
        assertThat(back.execute(1L).get(30, TimeUnit.SECONDS).result()).isEqualTo(821L);
    }

    @Test
    void aRejectedCommandFailsTheSameEverywhereAndTheGroupGoesOn() throws Exception {
        List<Network> cluster = cluster(3);
        List<Group<Long, String, Long>> groups = joinAll(cluster);
        sameLeaderEverywhere(groups);
        assertThatThrownBy(() -> groups.get(1).execute(0L).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(CommandRejectedException.class)
                .hasMessageContaining("adding 0 is not a change");
        assertThat(groups.get(2).execute(5L).get(30, TimeUnit.SECONDS).result()).isEqualTo(5L);
        await().atMost(Duration.ofSeconds(10)).until(() -> count(cluster.get(1), "mosaik.groups.raft.applies") == 2);
        assertThat(count(cluster.get(1), "mosaik.groups.raft.commands.rejected")).isEqualTo(1);
    }

    @Test
    void onlyTheLeaderRemovesAVoterAndTheRemovedOneLeavesTheConfiguration() throws Exception {
        List<Network> cluster = cluster(3);
        List<Group<Long, String, Long>> groups = joinAll(cluster);
        PeerId leader = sameLeaderEverywhere(groups);
        await().atMost(Duration.ofSeconds(30)).until(() -> groups.stream().allMatch(g -> g.status().voters().size() == 3));
        int leading = java.util.stream.IntStream.range(0, 3)
                .filter(i -> cluster.get(i).peerId().equals(leader)).findFirst().orElseThrow();
        groups.get(leading).execute(1L).get(30, TimeUnit.SECONDS); // the leader has committed in its term
        int gone = (leading + 1) % 3;
        int staying = (leading + 2) % 3;
        PeerId goneId = cluster.get(gone).peerId();
        assertThat(groups.get(staying).removeVoter(goneId).get(30, TimeUnit.SECONDS))
                .as("a follower does not change the configuration").isFalse();

        cluster.get(gone).close();
        assertThat(groups.get(leading).removeVoter(goneId).get(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(groups.get(leading).status().voters()).doesNotContain(goneId).hasSize(2);
            assertThat(groups.get(staying).status().voters()).doesNotContain(goneId).hasSize(2);
        });
        assertThat(groups.get(leading).removeVoter(goneId).get(30, TimeUnit.SECONDS))
                .as("no longer a voter").isFalse();
        assertThat(groups.get(leading).execute(5L).get(30, TimeUnit.SECONDS).index()).isPositive();
    }

    @Test
    void aNodeWithAnotherKeyIsInAnotherGroupAndNeverBonds() throws Exception {
        List<Network> cluster = cluster(3);
        Group<Long, String, Long> right = join(cluster.get(0), new Counter());
        join(cluster.get(1), new Counter());
        Group<Long, String, Long> wrong = cluster.get(2).groups()
                .builder(GroupKey.fromSecret("another secret"), new Counter()).consensus(FAST).join();
        assertThat(wrong.id()).isNotEqualTo(right.id());
        await().atMost(Duration.ofSeconds(30)).until(() -> right.status().bonds().size() == 1 && right.leader().isPresent());
        wrong.when().isLeader().get(30, TimeUnit.SECONDS); // alone in its own group
        assertThat(wrong.status().bonds()).isEmpty();
        assertThat(right.status().bonds()).doesNotContain(cluster.get(2).peerId());
    }

    @Test
    void anImpostorThatKnowsTheGroupIdButNotTheKeyIsRefusedAndAReplayedProofToo() throws Exception {
        Network member = node(List.of());
        Group<Long, String, Long> group = join(member, new Counter());
        Network impostor = node(List.of(member.address()));
        await().atMost(Duration.ofSeconds(30)).until(() -> member.discovery().catalog()
                .getSigned(impostor.peerId(), System.currentTimeMillis()).isPresent());

        // Without the key: a made-up proof.
        Link link = impostor.openLink(member.address(), Groups.PROTOCOL).get(10, TimeUnit.SECONDS);
        byte[] nonceA = GroupWire.nonce();
        link.sendBytes(new GroupWire.Start(NETWORK, group.id(), nonceA).encode());
        GroupWire.Reply.decode(link.receiveBytes());
        link.sendBytes(new GroupWire.Finish(new byte[32]).encode());
        assertThatThrownBy(link::receiveBytes).isInstanceOf(LinkClosedException.class)
                .satisfies(e -> assertThat(((LinkClosedException) e).reason()).isEqualTo(CloseReason.INVALID_PROOF));

        // A proof recorded from an earlier handshake (made here with the key) does not work on a new one.
        Link first = impostor.openLink(member.address(), Groups.PROTOCOL).get(10, TimeUnit.SECONDS);
        first.sendBytes(new GroupWire.Start(NETWORK, group.id(), nonceA).encode());
        GroupWire.Reply reply = GroupWire.Reply.decode(first.receiveBytes());
        byte[] recorded = new GroupWire.Finish(GroupWire.proof(KEY, group.id(), true, nonceA, reply.nonce(),
                impostor.peerId(), member.peerId())).encode();
        first.close();
        Link second = impostor.openLink(member.address(), Groups.PROTOCOL).get(10, TimeUnit.SECONDS);
        second.sendBytes(new GroupWire.Start(NETWORK, group.id(), nonceA).encode());
        GroupWire.Reply.decode(second.receiveBytes());
        second.sendBytes(recorded);
        assertThatThrownBy(second::receiveBytes).isInstanceOf(LinkClosedException.class)
                .satisfies(e -> assertThat(((LinkClosedException) e).reason()).isEqualTo(CloseReason.INVALID_PROOF));

        await().atMost(Duration.ofSeconds(10)).until(() ->
                count(member, "mosaik.groups.bonds.refused", "reason", "invalid-proof") == 2);
        assertThat(group.status().bonds()).isEmpty();
        assertThat(group.execute(3L).get(30, TimeUnit.SECONDS).result()).isEqualTo(3L);
    }

    @Test
    void aHandshakeForAnUnknownGroupOrMalformedIsRefusedWithItsCode() throws Exception {
        Network member = node(List.of());
        join(member, new Counter());
        Network other = node(List.of(member.address()));
        await().atMost(Duration.ofSeconds(30)).until(() -> member.discovery().catalog()
                .getSigned(other.peerId(), System.currentTimeMillis()).isPresent());

        Link unknown = other.openLink(member.address(), Groups.PROTOCOL).get(10, TimeUnit.SECONDS);
        unknown.sendBytes(new GroupWire.Start(NETWORK, new GroupId(io.mosaik.primitives.Digest.random()),
                GroupWire.nonce()).encode());
        assertThatThrownBy(unknown::receiveBytes).isInstanceOf(LinkClosedException.class)
                .satisfies(e -> assertThat(((LinkClosedException) e).reason()).isEqualTo(CloseReason.GROUP_NOT_FOUND));

        Link garbage = other.openLink(member.address(), Groups.PROTOCOL).get(10, TimeUnit.SECONDS);
        garbage.sendBytes(new byte[] {1, 2, 3});
        assertThatThrownBy(garbage::receiveBytes).isInstanceOf(LinkClosedException.class)
                .satisfies(e -> assertThat(((LinkClosedException) e).reason()).isEqualTo(CloseReason.INVALID_HANDSHAKE));
        assertThat(count(member, "mosaik.groups.handshakes.refused", "reason", "group-not-found")).isEqualTo(1);
        assertThat(count(member, "mosaik.groups.handshakes.refused", "reason", "malformed")).isEqualTo(1);
    }

    @Test
    void garbageRaftFramesFromAMemberCloseItsBondAndTheGroupKeepsServing() throws Exception {
        Network member = node(List.of());
        Group<Long, String, Long> group = join(member, new Counter());
        group.when().isLeader().get(30, TimeUnit.SECONDS);
        Network rogue = node(List.of(member.address()));
        await().atMost(Duration.ofSeconds(30)).until(() -> member.discovery().catalog()
                .getSigned(rogue.peerId(), System.currentTimeMillis()).isPresent());

        // A member that holds the key (it passes the handshake) but sends garbage: a Raft message that
        // does not decode, a bond-formed entry that does not decode, an unknown frame type.
        byte[][] garbage = {{GroupWire.RAFT, 6, 0, 0, 0, 1, 2}, {GroupWire.BOND_FORMED, 1, 2, 3}, {99}};
        long sum = 0;
        for (int i = 0; i < garbage.length; i++) {
            Link link = rogue.openLink(member.address(), Groups.PROTOCOL).get(10, TimeUnit.SECONDS);
            byte[] nonceA = GroupWire.nonce();
            link.sendBytes(new GroupWire.Start(NETWORK, group.id(), nonceA).encode());
            GroupWire.Reply reply = GroupWire.Reply.decode(link.receiveBytes());
            link.sendBytes(new GroupWire.Finish(GroupWire.proof(KEY, group.id(), true, nonceA, reply.nonce(),
                    rogue.peerId(), member.peerId())).encode());
            await().atMost(Duration.ofSeconds(10)).until(() -> group.status().bonds().contains(rogue.peerId()));
            link.sendBytes(garbage[i]);
            int refusals = i + 1;
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    count(member, "mosaik.groups.bonds.refused", "reason", "malformed") == refusals);
            await().atMost(Duration.ofSeconds(10)).until(() -> !group.status().bonds().contains(rogue.peerId()));
            assertThat(closeReason(link)).isEqualTo(CloseReason.PROTOCOL_VIOLATION);
            sum += 4 + i;
            assertThat(group.execute(4L + i).get(30, TimeUnit.SECONDS).result()).isEqualTo(sum);
        }
    }

    @Test
    void twoFormationsThatMeetLaterNeverOverwriteEachOtherAndAreReported() throws Exception {
        Network a = node(List.of());
        Network b = node(List.of());
        Counter counterA = new Counter();
        Counter counterB = new Counter();
        Group<Long, String, Long> groupA = join(a, counterA);
        Group<Long, String, Long> groupB = join(b, counterB);
        groupA.when().isLeader().get(30, TimeUnit.SECONDS);
        groupB.when().isLeader().get(30, TimeUnit.SECONDS);
        groupA.execute(1L).get(30, TimeUnit.SECONDS);
        groupB.execute(100L).get(30, TimeUnit.SECONDS);

        b.discovery().syncWith(a.address()).get(30, TimeUnit.SECONDS); // now they see each other
        await().atMost(Duration.ofSeconds(30)).until(() -> groupA.status().bonds().contains(b.peerId()));
        await().atMost(Duration.ofSeconds(30)).until(() ->
                count(a, "mosaik.groups.raft.foreign.messages") + count(b, "mosaik.groups.raft.foreign.messages") > 0);
        groupA.execute(2L).get(30, TimeUnit.SECONDS);
        groupB.execute(200L).get(30, TimeUnit.SECONDS);
        assertThat(counterA.applied).containsExactly(1L, 2L);
        assertThat(counterB.applied).containsExactly(100L, 200L);
    }

    /** Keeps the length of the last text written. */
    static final class Texts implements StateMachine<String, String, Integer> {
        int last;

        @Override
        public Class<String> commandType() {
            return String.class;
        }

        @Override
        public Class<String> queryType() {
            return String.class;
        }

        @Override
        public Class<Integer> resultType() {
            return Integer.class;
        }

        @Override
        public Integer apply(String command, ApplyContext context) {
            last = command.length();
            return last;
        }

        @Override
        public Integer query(String query) {
            return last;
        }
    }

    @Test
    void aCommandTooLargeToReplicateIsRefusedAtOnceAndTheGroupGoesOn() throws Exception {
        Network node = node(List.of());
        Group<String, String, Integer> texts = node.groups().builder(KEY, new Texts()).consensus(FAST).join();
        texts.when().isLeader().get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> texts.execute("x".repeat(2 << 20)).get(30, TimeUnit.SECONDS)).cause()
                .isInstanceOf(GroupException.class).hasMessageContaining("a group command may take");
        assertThat(texts.execute("fine").get(30, TimeUnit.SECONDS).result()).isEqualTo(4);
    }

    @Test
    void everyCommandSubmittedWhileTheNodeClosesIsAnsweredOneWayOrTheOther() throws Exception {
        for (int round = 0; round < 5; round++) {
            Network node = node(List.of());
            Group<Long, String, Long> group = join(node, new Counter());
            group.when().isLeader().get(30, TimeUnit.SECONDS);
            java.util.Queue<CompletableFuture<Committed<Long>>> submitted = new java.util.concurrent.ConcurrentLinkedQueue<>();
            java.util.concurrent.CountDownLatch going = new java.util.concurrent.CountDownLatch(100);
            java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(64); // 64 in flight
            Thread submitter = Thread.ofPlatform().start(() -> {
                while (!closed.get()) {
                    if (window.tryAcquire()) {
                        CompletableFuture<Committed<Long>> future = group.execute(1L);
                        future.whenComplete((result, failure) -> window.release());
                        submitted.add(future);
                        going.countDown();
                    } else {
                        Thread.onSpinWait();
                    }
                }
                submitted.add(group.execute(1L)); // and one after
            });
            going.await(30, TimeUnit.SECONDS);
            node.close(); // while commands keep coming
            closed.set(true);
            submitter.join(30_000);
            assertThat(submitter.isAlive()).isFalse();
            for (CompletableFuture<Committed<Long>> future : submitted) {
                try {
                    future.get(10, TimeUnit.SECONDS); // a TimeoutException: a command left unanswered
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).as("round %d", round).isInstanceOf(GroupClosedException.class);
                }
            }
        }
    }

    @Test
    void joiningTwiceGivesTwoHandlesOnOneMemberThatLeavesWithTheLastHandle() throws Exception {
        Network node = node(List.of());
        Counter counter = new Counter();
        Group<Long, String, Long> first = join(node, counter);
        Group<Long, String, Long> second = join(node, new Counter());
        assertThat(node.groups().statuses()).hasSize(1);
        first.when().isLeader().get(30, TimeUnit.SECONDS);
        first.close();
        assertThat(second.execute(2L).get(30, TimeUnit.SECONDS).result()).isEqualTo(2L);
        assertThat(counter.value).isEqualTo(2L); // the first state machine runs the group
        assertThatThrownBy(() -> first.execute(1L).get()).cause().isInstanceOf(GroupClosedException.class);
        second.close();
        assertThat(node.groups().statuses()).isEmpty();
        assertThatThrownBy(() -> second.query("x", Consistency.WEAK).get()).cause()
                .isInstanceOf(GroupClosedException.class);
    }
}

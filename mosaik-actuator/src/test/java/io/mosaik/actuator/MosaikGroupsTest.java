package io.mosaik.actuator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mosaik.groups.Group;
import io.mosaik.groups.GroupKey;
import io.mosaik.network.Network;
import io.mosaik.network.PeerAddress;
import io.mosaik.primitives.NetworkId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** Groups in the endpoint and in the health indicator, on real nodes on loopback. */
@Timeout(120)
class MosaikGroupsTest {

    private static final GroupKey KEY = GroupKey.fromSecret("actuator-groups-test");

    private final List<Network> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(Network::close);
    }

    private Network node(List<PeerAddress> bootstrap) throws Exception {
        Network node = Network.builder(NetworkId.of("actuator-groups-test")).meterRegistry(new SimpleMeterRegistry())
                .bootstrap(bootstrap).start();
        nodes.add(node);
        return node;
    }

    /** A group of one that elects itself. */
    private static Group<Long, String, Long> alone(Network node) throws Exception {
        Group<Long, String, Long> group = node.groups().builder(KEY, new Counter()).consensus(Counter.FAST).join();
        group.when().isLeader().get(30, TimeUnit.SECONDS);
        return group;
    }

    /** A group that waits for a second member it never meets, so it has no leader. */
    private static Group<Long, String, Long> waiting(Network node) {
        return node.groups().builder(KEY, new Counter())
                .consensus(Counter.FAST.withMembership(3, 2, Duration.ofSeconds(30))).join();
    }

    @Test
    void groupsSectionListsEachGroupWithItsName() throws Exception {
        Network node = node(List.of());
        Group<Long, String, Long> group = alone(node);
        MosaikEndpoint endpoint = new MosaikEndpoint(node, () -> Map.of(group.id(), "ledger"));
        @SuppressWarnings("unchecked")
        List<MosaikGroupSummary> groups = (List<MosaikGroupSummary>) endpoint.section("groups");
        assertThat(groups).singleElement().satisfies(summary -> {
            assertThat(summary.name()).isEqualTo("ledger");
            assertThat(summary.id()).isEqualTo(group.id().toString());
            assertThat(summary.role()).isEqualTo("LEADER");
            assertThat(summary.leader()).isEqualTo(node.peerId().toHex());
            assertThat(summary.online()).isTrue();
            assertThat(summary.term()).isPositive();
            assertThat(summary.voterCount()).isEqualTo(1);
            assertThat(summary.learnerCount()).isZero();
            assertThat(summary.bondCount()).isZero();
        });
    }

    @Test
    void aGroupWithoutABeanHasNoName() throws Exception {
        Network node = node(List.of());
        alone(node);
        @SuppressWarnings("unchecked")
        List<MosaikGroupSummary> groups = (List<MosaikGroupSummary>) new MosaikEndpoint(node).section("groups");
        assertThat(groups).singleElement().extracting(MosaikGroupSummary::name).isNull();
    }

    @Test
    void aGroupIsFoundByNameByIdAndByShortId() throws Exception {
        Network node = node(List.of());
        Group<Long, String, Long> group = alone(node);
        MosaikEndpoint endpoint = new MosaikEndpoint(node, () -> Map.of(group.id(), "ledger"));
        MosaikGroupDescriptor byName = (MosaikGroupDescriptor) endpoint.item("groups", "ledger");
        assertThat(byName.id()).isEqualTo(group.id().toString());
        assertThat(byName.self()).isEqualTo(node.peerId().toHex());
        assertThat(byName.voters()).containsExactly(node.peerId().toHex());
        assertThat(((MosaikGroupDescriptor) endpoint.item("groups", group.id().toString())).name()).isEqualTo("ledger");
        assertThat(((MosaikGroupDescriptor) endpoint.item("groups", group.id().toShortString())).name())
                .isEqualTo("ledger");
        assertThat(endpoint.item("groups", "nope")).isNull();
        assertThat(endpoint.item("node", "ledger")).as("a section without items").isNull();
    }

    @Test
    void aGroupShowsWhereAndHowMuchItStores(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data)
            throws Exception {
        Network node = node(List.of());
        Group<Long, String, Long> durable = node.groups().builder(KEY, new Counter()).consensus(Counter.FAST)
                .dataDirectory(data.resolve("ledger")).join();
        durable.when().isLeader().get(30, TimeUnit.SECONDS);
        long index = durable.execute(5L).get(30, TimeUnit.SECONDS).index();
        MosaikEndpoint endpoint = new MosaikEndpoint(node);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            MosaikGroupDescriptor.Storage storage =
                    ((MosaikGroupDescriptor) endpoint.item("groups", durable.id().toString())).storage();
            assertThat(storage.kind()).isEqualTo("disk");
            assertThat(storage.directory()).isEqualTo(data.resolve("ledger").toAbsolutePath().toString());
            assertThat(storage.logBytes()).isPositive();
            assertThat(storage.firstIndex()).isEqualTo(1);
            assertThat(storage.lastIndex()).isEqualTo(index);
            assertThat(storage.snapshotIndex()).isZero();
        });
        Network other = node(List.of());
        Group<Long, String, Long> inMemory = alone(other);
        MosaikGroupDescriptor.Storage memory = ((MosaikGroupDescriptor) new MosaikEndpoint(other)
                .item("groups", inMemory.id().toString())).storage();
        assertThat(memory.kind()).isEqualTo("memory");
        assertThat(memory.directory()).isNull();
        assertThat(memory.logBytes()).isZero();
    }

    @Test
    void theLeadersViewListsEveryFollower() throws Exception {
        Network first = node(List.of());
        Network second = node(List.of(first.address()));
        List<Group<Long, String, Long>> groups = List.of(waiting(first), waiting(second)); // both wait for 2
        groups.getFirst().when().leaderElected().get(30, TimeUnit.SECONDS);
        groups.getFirst().execute(7L).get(30, TimeUnit.SECONDS);
        Group<Long, String, Long> leader = groups.stream().filter(Group::isLeader).findFirst().orElseThrow();
        Network leaderNode = leader == groups.getFirst() ? first : second;
        Network followerNode = leader == groups.getFirst() ? second : first;
        MosaikEndpoint endpoint = new MosaikEndpoint(leaderNode);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            MosaikGroupDescriptor view = (MosaikGroupDescriptor) endpoint.item("groups", leader.id().toString());
            assertThat(view.bonds()).containsExactly(followerNode.peerId().toHex());
            assertThat(view.voters()).hasSize(2).contains(leaderNode.peerId().toHex(), followerNode.peerId().toHex());
            MosaikGroupDescriptor.Follower follower = view.followers().get(followerNode.peerId().toHex());
            assertThat(follower).isNotNull();
            assertThat(follower.voter()).isTrue();
            assertThat(follower.matchIndex()).isEqualTo(view.commitIndex());
            assertThat(follower.lastIndex()).isEqualTo(view.lastLog().index());
            assertThat(follower.millisSinceContact()).isNotNegative();
        });
    }

    @Test
    void groupsWithALeaderAreUpWithTheLeaderInTheDetails() throws Exception {
        Network node = node(List.of());
        Group<Long, String, Long> group = alone(node);
        Health health = new MosaikHealthIndicator(node, () -> Map.of(group.id(), "ledger"), Duration.ofSeconds(30))
                .health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).doesNotContainKey("leaderlessGroups");
        assertThat(health.getDetails().get("groups")).asInstanceOf(MAP)
                .extractingByKey("ledger").asInstanceOf(MAP)
                .containsEntry("leader", node.peerId().toHex()).containsEntry("role", "LEADER")
                .containsEntry("id", group.id().toString());
    }

    @Test
    void aGroupLeaderlessForLongerThanTheTimeoutMakesTheNodeDown() throws Exception {
        Network node = node(List.of());
        Group<Long, String, Long> group = waiting(node);
        AtomicLong now = new AtomicLong();
        MosaikHealthIndicator indicator = new MosaikHealthIndicator(node, () -> Map.of(group.id(), "ledger"),
                Duration.ofSeconds(30), now::get);

        Health first = indicator.health();
        assertThat(first.getStatus()).isEqualTo(Status.UP);
        assertThat(first.getDetails().get("groups")).asInstanceOf(MAP)
                .extractingByKey("ledger").asInstanceOf(MAP)
                .containsEntry("leader", null).containsEntry("leaderlessFor", "PT0S");

        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(indicator.health().getStatus()).as("exactly the timeout").isEqualTo(Status.UP);

        now.addAndGet(Duration.ofSeconds(1).toNanos());
        Health down = indicator.health();
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails()).containsEntry("leaderlessGroups", List.of("ledger"));
        assertThat(down.getDetails().get("groups")).asInstanceOf(MAP)
                .extractingByKey("ledger").asInstanceOf(MAP)
                .containsEntry("leaderlessFor", "PT31S");
    }

    @Test
    void aLearnerWhoseLeaderLeftHasNoLeader() throws Exception {
        Network first = node(List.of());
        Network second = node(List.of(first.address()));
        Group<Long, String, Long> leader = first.groups().builder(KEY, new Counter())
                .consensus(Counter.FAST.withMembership(1, 1, Duration.ofSeconds(30))).join(); // one voter
        leader.when().isLeader().get(30, TimeUnit.SECONDS);
        Group<Long, String, Long> learner = second.groups().builder(KEY, new Counter())
                .consensus(Counter.FAST.withMembership(1, 1, Duration.ofSeconds(30))).join();
        learner.when().leaderIs(first.peerId()).get(30, TimeUnit.SECONDS);
        AtomicLong now = new AtomicLong();
        MosaikHealthIndicator indicator = new MosaikHealthIndicator(second, () -> Map.of(learner.id(), "ledger"),
                Duration.ofSeconds(30), now::get);
        await().atMost(Duration.ofSeconds(30)).until(() -> learner.status().bonds().contains(first.peerId()));
        assertThat(indicator.health().getDetails().get("groups")).asInstanceOf(MAP).extractingByKey("ledger")
                .asInstanceOf(MAP).doesNotContainKey("leaderlessFor");

        first.close(); // the only voter leaves; the learner never stands for election
        await().atMost(Duration.ofSeconds(30)).until(() -> learner.status().bonds().isEmpty());
        indicator.health();
        now.addAndGet(Duration.ofSeconds(31).toNanos());
        Health down = indicator.health();
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails()).containsEntry("leaderlessGroups", List.of("ledger"));
    }

    @Test
    void aLeaderlessGroupIsNamedByIdWhenItHasNoName() throws Exception {
        Network node = node(List.of());
        Group<Long, String, Long> group = waiting(node);
        AtomicLong now = new AtomicLong();
        MosaikHealthIndicator indicator = new MosaikHealthIndicator(node, Map::of, Duration.ZERO, now::get);
        indicator.health();
        now.incrementAndGet();
        assertThat(indicator.health().getDetails()).containsEntry("leaderlessGroups", List.of(group.id().toString()));
    }
}

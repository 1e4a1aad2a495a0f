package io.mosaik.actuator;

import io.mosaik.groups.GroupId;
import io.mosaik.groups.GroupStatus;
import io.mosaik.network.ConnectionInfo;
import io.mosaik.network.Network;
import io.mosaik.network.NetworkState;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code mosaik} health contributor: UP while the node is running, with its peer id, address, the
 * number of connected peers and a line per group (its role, term and leader); DOWN otherwise, with its
 * state.
 *
 * <p>A node with no connections is UP: being alone is normal for the first node of a network, and
 * taking it out of a load balancer would not help it find peers. A group without a leader is normal for
 * a moment (an election, the group forming); one that has had none for longer than the leaderless
 * timeout ({@code mosaik.health.group-leaderless-timeout}) cannot take commands, and makes the node DOWN
 * with the group named under {@code leaderlessGroups}. The time without a leader is measured from the
 * first health check that saw the group without one, so it is as precise as the checks are frequent.
 */
public class MosaikHealthIndicator extends AbstractHealthIndicator {

    /** The leaderless timeout when none is given. */
    public static final Duration DEFAULT_GROUP_LEADERLESS_TIMEOUT = Duration.ofSeconds(30);

    private final Network network;
    private final Supplier<Map<GroupId, String>> groupNames;
    private final Duration groupLeaderlessTimeout;
    private final LongSupplier nanoTime;
    private final Map<GroupId, Long> leaderlessSince = new ConcurrentHashMap<>();

    /**
     * Creates the indicator; groups are shown by id, and DOWN after the default leaderless timeout.
     *
     * @param network the node to check
     */
    public MosaikHealthIndicator(Network network) {
        this(network, Map::of, DEFAULT_GROUP_LEADERLESS_TIMEOUT);
    }

    /**
     * Creates the indicator.
     *
     * @param network                the node to check
     * @param groupNames             the names of its groups by id, asked on every check
     * @param groupLeaderlessTimeout how long a group may have no leader before the node is DOWN
     */
    public MosaikHealthIndicator(Network network, Supplier<Map<GroupId, String>> groupNames,
            Duration groupLeaderlessTimeout) {
        this(network, groupNames, groupLeaderlessTimeout, System::nanoTime);
    }

    MosaikHealthIndicator(Network network, Supplier<Map<GroupId, String>> groupNames, Duration groupLeaderlessTimeout,
            LongSupplier nanoTime) {
        super("mosaik health check failed");
        this.network = Objects.requireNonNull(network, "network");
        this.groupNames = Objects.requireNonNull(groupNames, "groupNames");
        this.groupLeaderlessTimeout = Objects.requireNonNull(groupLeaderlessTimeout, "groupLeaderlessTimeout");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        if (groupLeaderlessTimeout.isNegative()) {
            throw new IllegalArgumentException("groupLeaderlessTimeout must not be negative, got "
                    + groupLeaderlessTimeout);
        }
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        NetworkState state = network.state();
        builder.withDetail("peerId", network.peerId().toHex());
        if (state != NetworkState.RUNNING) {
            builder.down().withDetail("state", state.name());
            return;
        }
        long peers = network.connections().stream().map(ConnectionInfo::peer).distinct().count();
        builder.up()
                .withDetail("address", network.address().toString())
                .withDetail("connections", peers);
        checkGroups(builder);
    }

    /**
     * Whether the group has a leader this node can hear: itself, or one it has a bond with. A member that
     * does not stand for election (a learner, an observer) keeps naming the last leader it heard after
     * that leader is gone, so the name alone does not say the group has one.
     */
    private static boolean hasLeader(GroupStatus status) {
        return status.leader() != null && (status.isLeader() || status.bonds().contains(status.leader()));
    }

    /** A detail per group; DOWN if one has had no leader for longer than the timeout. */
    private void checkGroups(Health.Builder builder) {
        List<GroupStatus> statuses = network.groups().statuses();
        if (statuses.isEmpty()) {
            leaderlessSince.clear();
            return;
        }
        Map<GroupId, String> names = groupNames.get();
        long now = nanoTime.getAsLong();
        leaderlessSince.keySet().retainAll(statuses.stream().map(GroupStatus::id).toList());
        Map<String, Map<String, Object>> groups = new TreeMap<>();
        List<String> leaderless = new ArrayList<>();
        for (GroupStatus status : statuses) {
            String name = names.getOrDefault(status.id(), status.id().toString());
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("id", status.id().toString());
            group.put("role", status.role().name());
            group.put("term", status.term());
            group.put("leader", status.leader() == null ? null : status.leader().toHex());
            if (!hasLeader(status)) {
                Duration without = Duration.ofNanos(now - leaderlessSince.computeIfAbsent(status.id(), id -> now));
                group.put("leaderlessFor", without.truncatedTo(ChronoUnit.MILLIS).toString());
                if (without.compareTo(groupLeaderlessTimeout) > 0) {
                    leaderless.add(name);
                }
            } else {
                leaderlessSince.remove(status.id());
            }
            groups.put(name, group);
        }
        builder.withDetail("groups", groups);
        if (!leaderless.isEmpty()) {
            builder.down().withDetail("leaderlessGroups", leaderless.stream().sorted().toList());
        }
    }
}

package io.mosaik.groups;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mosaik.discovery.Catalog;
import io.mosaik.network.Link;
import io.mosaik.network.Network;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The groups of one node: joins them ({@code network.groups().join(key, stateMachine)}), and serves the
 * bond handshakes other members start. Obtained from {@link Network#groups()}.
 */
public final class Groups implements AutoCloseable {

    /** The protocol name of bonds. */
    public static final String PROTOCOL = GroupWire.PROTOCOL;

    private static final Logger log = LoggerFactory.getLogger(Groups.class);

    private final Network network;
    private final MeterRegistry registry;
    private final Duration handshakeTimeout;
    private final Map<GroupId, GroupWorker<?, ?, ?>> workers = new ConcurrentHashMap<>();
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();
    private boolean started;
    private boolean closed;

    /**
     * The groups of a node; the network creates it.
     *
     * @param network          the network
     * @param handshakeTimeout how long a bond handshake may take
     * @param registry         where meters go
     */
    public Groups(Network network, Duration handshakeTimeout, MeterRegistry registry) {
        this.network = Objects.requireNonNull(network, "network");
        this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        this.registry = Objects.requireNonNull(registry, "registry");
        Gauge.builder("mosaik.groups.active", workers, Map::size).description("Groups this node is a member of")
                .register(registry);
    }

    /** Serves bond handshakes; called by the network once it runs. */
    public synchronized void start() {
        if (!started) {
            network.handle(PROTOCOL, this::serve);
            started = true;
            workers.values().forEach(GroupWorker::advertise); // groups joined before the network started
        }
    }

    /**
     * A builder for joining a group.
     *
     * @param key     the group key
     * @param machine this node's instance of the state machine, in its initial state
     * @return the builder
     */
    public <C, Q, R> GroupBuilder<C, Q, R> builder(GroupKey key, StateMachine<C, Q, R> machine) {
        return new GroupBuilder<>(this, key, machine);
    }

    /**
     * Joins a group with default settings. A group may be joined before the network starts: the member
     * then bonds with the others once it runs.
     *
     * @param key     the group key
     * @param machine this node's instance of the state machine, in its initial state
     * @return a handle
     */
    public <C, Q, R> Group<C, Q, R> join(GroupKey key, StateMachine<C, Q, R> machine) {
        return builder(key, machine).join();
    }

    /** A status snapshot of every group this node is a member of. */
    public List<GroupStatus> statuses() {
        List<GroupStatus> all = new ArrayList<>();
        workers.values().forEach(worker -> all.add(worker.status()));
        return all;
    }

    synchronized <C, Q, R> Group<C, Q, R> join(GroupBuilder<C, Q, R> builder) {
        if (closed) {
            throw new IllegalStateException("the network is closed; groups can no longer be joined");
        }
        GroupId id = builder.id();
        GroupWorker<?, ?, ?> existing = workers.get(id);
        if (existing != null) {
            if (existing.machine.getClass() != builder.machine().getClass()) {
                throw new IllegalStateException("this node already runs group " + id.toShortString() + " with a "
                        + existing.machine.getClass().getName() + "; it cannot run it with a "
                        + builder.machine().getClass().getName() + " too");
            }
            @SuppressWarnings("unchecked")
            GroupWorker<C, Q, R> same = (GroupWorker<C, Q, R>) existing;
            same.retain();
            return new Group<>(same, this);
        }
        GroupWorker<C, Q, R> worker = new GroupWorker<>(network, id, builder, handshakeTimeout,
                new GroupMetrics(registry, id), stopped -> workers.remove(id, stopped)); // not a newer one's entry
        worker.start();
        if (started) {
            worker.advertise();
        }
        workers.put(id, worker);
        worker.retain();
        log.info("joined group {} ({}): {}", id.toShortString(), builder.machine().getClass().getSimpleName(),
                worker.startup());
        return new Group<>(worker, this);
    }

    synchronized void release(GroupWorker<?, ?, ?> worker) {
        if (worker.release() == 0) {
            workers.remove(worker.id, worker);
            worker.stop();
            log.info("left group {}", worker.id.toShortString());
        }
    }

    /** Leaves every group: each departs from its bonds. */
    @Override
    public void close() {
        List<GroupWorker<?, ?, ?>> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(workers.values());
            workers.clear();
        }
        all.forEach(GroupWorker::stop);
    }

    // ---------------------------------------------------------------- the acceptor

    private void serve(Link link) throws IOException {
        AtomicBoolean started = new AtomicBoolean();
        CompletableFuture.delayedExecutor(handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (!started.get() && link.isOpen()) {
                reject(link, CloseReason.BOND_TIMEOUT, "timeout");
            }
        });
        Catalog catalog = network.discovery().catalog();
        if (catalog.getSigned(link.peer(), System.currentTimeMillis()).isEmpty()) {
            reject(link, CloseReason.UNKNOWN_PEER, "unknown-peer");
            return;
        }
        GroupWire.Start start;
        try {
            start = GroupWire.Start.decode(link.receiveBytes());
        } catch (IllegalArgumentException e) {
            reject(link, CloseReason.INVALID_HANDSHAKE, "malformed");
            return;
        } catch (LinkClosedException e) {
            return;
        }
        started.set(true);
        if (!start.network().equals(network.networkId())) {
            reject(link, CloseReason.DIFFERENT_NETWORK, "different-network");
            return;
        }
        GroupWorker<?, ?, ?> worker = workers.get(start.group());
        if (worker == null || !worker.isRunning()) {
            reject(link, CloseReason.GROUP_NOT_FOUND, "group-not-found");
            return;
        }
        worker.accept(link, start);
    }

    private void reject(Link link, CloseReason reason, String metric) {
        refused.computeIfAbsent(metric, key -> Counter.builder("mosaik.groups.handshakes.refused")
                .description("Bond handshakes refused before reaching a group").tag("reason", key)
                .register(registry)).increment();
        log.debug("refusing a bond from {}: {}", link.peer().toShortString(), reason);
        link.close(reason);
    }
}

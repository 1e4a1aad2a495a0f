package io.mosaik.groups;

import io.mosaik.codec.Codec;
import io.mosaik.codec.JacksonCodec;
import io.mosaik.groups.raft.LogEntry;
import io.mosaik.groups.raft.RaftCodec;
import io.mosaik.groups.raft.RaftConfig;
import io.mosaik.groups.raft.RaftCore;
import io.mosaik.groups.raft.RaftMessage;
import io.mosaik.groups.raft.RaftReady;
import io.mosaik.groups.raft.SnapshotStore;
import io.mosaik.groups.raft.sim.LinearizabilityChecker;
import io.mosaik.groups.raft.sim.RegisterHistory;
import io.mosaik.primitives.PeerId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A deterministic simulation of one Raft group: the real {@link RaftCore}s and {@link Replica}s of a
 * few nodes, a network with virtual time that delays, reorders, drops and duplicates messages, partitions
 * that cut bonds, crashes that restart a node from what its storage kept, and clients writing and
 * strongly reading a register through random nodes.
 *
 * <p>After every event it checks Raft's safety properties: at most one leader per term, a committed
 * entry never changes, a new leader holds every committed entry, every replica applies the committed
 * entries in log order. At the end it heals everything, checks that the group converges and serves
 * again (liveness), and that the clients' history is linearizable. Everything follows from the seed:
 * a failing seed replays exactly.
 */
final class GroupSimulation {

    /** Thrown when a property fails; the message names the seed. */
    static final class Violation extends AssertionError {
        private static final long serialVersionUID = 1L;

        Violation(String message) {
            super(message);
        }
    }

    /**
     * What one run does.
     *
     * @param nodes           group members
     * @param targetVoters    voters the leader promotes learners up to
     * @param voterRemoval    ms after which an unreachable voter is removed (0: never)
     * @param maxInflight     pipelined appends per follower
     * @param maxAppendBytes  entry bytes per append
     * @param drop            message loss probability while faults run
     * @param duplicate       message duplication probability while faults run
     * @param maxDelay        the longest message delay, ms
     * @param crashes         whether nodes crash and restart
     * @param partitions      whether the network partitions
     * @param clients         concurrent clients
     * @param faultsFrom      when faults start, ms
     * @param faultsUntil     when faults stop (and everything heals), ms
     * @param end             when the run ends, ms
     * @param snapshotEvery   applied entries between snapshots (0: none)
     * @param snapshotRetain  entries kept before a snapshot when the log is compacted
     */
    record Settings(int nodes, int targetVoters, long voterRemoval, int maxInflight, long maxAppendBytes,
                    double drop, double duplicate, long maxDelay, boolean crashes, boolean partitions, int clients,
                    long faultsFrom, long faultsUntil, long end, long snapshotEvery, long snapshotRetain) {

        /** Mixed faults drawn from the seed. */
        static Settings mixed(long seed) {
            SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
            int nodes = r.nextBoolean() ? 3 : 5;
            int target = r.nextInt(4) == 0 ? nodes : 3;
            return new Settings(nodes, target, r.nextBoolean() ? 1_500 : 0, 1 + r.nextInt(8),
                    r.nextBoolean() ? 200 : 1 << 20, r.nextDouble() * 0.2, r.nextDouble() * 0.05,
                    2 + r.nextInt(30), r.nextInt(5) != 0, r.nextInt(5) != 0, 2 + r.nextInt(3),
                    1_500, 7_000, 11_000, new long[] {0, 5, 25}[r.nextInt(3)], r.nextInt(3));
        }
    }

    private static final long TICK = 10;
    private static final long BOND_TIMEOUT = 300;
    private static final long CLIENT_PATIENCE = 2_000;
    /** After the heal, the group has this long to elect a leader before every node must get a write through. */
    private static final long SETTLE = 1_500;

    private enum Kind { TICK, DELIVER, FAULT, BOND_TIMEOUT, RESTART, CLIENT, HEAL_ALL, PROBE }

    private record Event(long time, long seq, Kind kind, int node, int from, int incarnation, RaftMessage message) {
    }

    private final class Node {
        final int index;
        final PeerId id;
        final CrashableStorage storage = new CrashableStorage();
        final SnapshotStore snapshots = SnapshotStore.inMemory();
        RaftCore core;
        Replica<Long, Long, Long> replica;
        RegisterMachine machine;
        boolean up;
        boolean crashMidTurn;
        /** The last index of its log as of its last sync (see {@link RaftReady#maySendBeforeSync}). */
        long syncedIndex;
        /** A snapshot captured and being written "in the background" until {@link #snapshotDue}. */
        Replica.PendingSnapshot snapshotting;
        long snapshotDue;
        int incarnation;
        long verifiedCommit;
        int verifiedApplied;
        long lastTermChecked = -1;

        Node(int index, PeerId id) {
            this.index = index;
            this.id = id;
        }
    }

    private final class Client {
        final int index;
        final int node;
        long op = -1;
        long started;

        Client(int index, int node) {
            this.index = index;
            this.node = node;
        }
    }

    private java.util.function.Supplier<RegisterMachine> machines = RegisterMachine::new;
    /** Per formation, the digest of the passenger's state at each applied index. */
    private final Map<Long, Map<Long, String>> passengerDigests = new HashMap<>();
    private long passengerChecks;

    private final long seed;
    private final Settings settings;
    private final SplittableRandom random;
    private final Codec codec = JacksonCodec.cbor();
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    private final Node[] nodes;
    private final Map<PeerId, Integer> indexOf = new HashMap<>();
    private final boolean[][] blocked;
    private final boolean[][] bonded;
    private final List<Client> clients = new ArrayList<>();
    private final RegisterHistory history = new RegisterHistory();
    private final Map<Integer, String> probes = new HashMap<>();
    private final Map<List<Long>, PeerId> leaders = new HashMap<>();
    private final Map<Long, List<LogEntry>> committed = new HashMap<>();
    private final StringBuilder trace;
    private long now;
    private long seq;
    private long nextValue = 1;
    private double drop;
    private double duplicate;
    private long events;
    private long restores;
    private long fetchedChunks;

    GroupSimulation(long seed, Settings settings, boolean tracing) {
        this.seed = seed;
        this.settings = settings;
        this.random = new SplittableRandom(seed);
        this.trace = tracing ? new StringBuilder() : null;
        this.nodes = new Node[settings.nodes()];
        for (int i = 0; i < nodes.length; i++) {
            byte[] id = new byte[PeerId.LENGTH];
            random.nextBytes(id);
            nodes[i] = new Node(i, PeerId.fromBytes(id));
            indexOf.put(nodes[i].id, i);
        }
        blocked = new boolean[nodes.length][nodes.length];
        bonded = new boolean[nodes.length][nodes.length];
        for (int c = 0; c < settings.clients(); c++) {
            clients.add(new Client(c, c % nodes.length));
        }
    }

    /** Runs the whole simulation; throws {@link Violation} if a property fails. Returns the events run. */
    long run() {
        for (Node node : nodes) {
            start(node);
        }
        for (Client client : clients) {
            schedule(1 + random.nextLong(50), Kind.CLIENT, client.index, -1, 0, null);
        }
        schedule(settings.faultsFrom(), Kind.FAULT, -1, -1, 0, null);
        schedule(settings.faultsUntil(), Kind.HEAL_ALL, -1, -1, 0, null);
        schedule(settings.faultsUntil() + SETTLE, Kind.PROBE, -1, -1, 0, null);
        while (!queue.isEmpty() && queue.peek().time <= settings.end()) {
            Event event = queue.poll();
            now = event.time;
            events++;
            handle(event);
            checkSafety();
            for (Node node : nodes) {
                if (node.up) {
                    // After the checks, so that what a snapshot compacts away was checked first.
                    snapshotInTheBackground(node);
                }
            }
        }
        now = settings.end();
        for (Node node : nodes) {
            restores += node.machine.restores;
            fetchedChunks += node.core.snapshotChunksFetched();
        }
        checkConvergence();
        checkLinearizable();
        return events;
    }

    /** Runs the nodes with these register machines (a subclass may carry a passenger). */
    GroupSimulation withMachines(java.util.function.Supplier<RegisterMachine> machines) {
        this.machines = machines;
        return this;
    }

    /** Snapshot chunks installed that came from members other than the leader, over the run. */
    long fetchedChunks() {
        return fetchedChunks;
    }

    /** Applied entries whose passenger state was compared with another replica's. */
    long passengerChecks() {
        return passengerChecks;
    }

    /** Log entries lost to crashes before they were synced, over the run. */
    long lostEntries() {
        long lost = 0;
        for (Node node : nodes) {
            lost += node.storage.lost();
        }
        return lost;
    }

    /** Snapshots restored (at start or installed from a leader) over the run, on all nodes. */
    long restores() {
        return restores;
    }

    /** The trace, when tracing. */
    String trace() {
        return trace == null ? "" : trace.toString();
    }

    // ---------------------------------------------------------------- events

    private void handle(Event e) {
        switch (e.kind) {
            case TICK -> {
                Node node = nodes[e.node];
                if (node.up && node.incarnation == e.incarnation) {
                    node.core.tick(now);
                    flush(node);
                    schedule(now + TICK, Kind.TICK, e.node, -1, node.incarnation, null);
                }
            }
            case DELIVER -> {
                Node to = nodes[e.node];
                if (to.up && to.incarnation == e.incarnation && bonded[e.from][e.node] && !blocked[e.from][e.node]) {
                    log("deliver %d->%d %s", e.from, e.node, e.message);
                    to.core.receive(nodes[e.from].id, e.message, now);
                    if (to.crashMidTurn && to.storage.dirty()) {
                        // Before the turn's sync: what it appended or voted is lost; only the appends that
                        // may precede the sync left, and clients may have heard of what committed earlier.
                        RaftReady ready = to.core.ready();
                        send(to, ready, true, to.syncedIndex);
                        if (ready.mayProcessBeforeSync(to.syncedIndex)) {
                            to.replica.process(ready);
                        }
                        crash(to);
                    } else {
                        flush(to);
                    }
                }
            }
            case FAULT -> {
                if (now < settings.faultsUntil()) {
                    fault();
                    schedule(now + 100 + random.nextLong(600), Kind.FAULT, -1, -1, 0, null);
                }
            }
            case BOND_TIMEOUT -> {
                if (blocked[e.from][e.node]) {
                    disconnect(e.from, e.node);
                }
            }
            case RESTART -> {
                Node node = nodes[e.node];
                if (!node.up) {
                    start(node);
                }
            }
            case CLIENT -> clientStep(clients.get(e.node));
            case HEAL_ALL -> healAll();
            case PROBE -> {
                if (e.node < 0) {
                    probe();
                } else if (nodes[e.node].up) {
                    probe(nodes[e.node]);
                }
            }
        }
    }

    private void fault() {
        int choice = random.nextInt(7);
        if (choice <= 1 && settings.partitions()) {
            partition();
        } else if (choice == 2 && settings.partitions()) {
            heal();
        } else if (choice == 3 && settings.crashes()) {
            List<Node> upNodes = new ArrayList<>();
            for (Node node : nodes) {
                if (node.up) {
                    upNodes.add(node);
                }
            }
            if (upNodes.size() > 1) {
                Node victim = upNodes.get(random.nextInt(upNodes.size()));
                if (random.nextBoolean()) {
                    victim.crashMidTurn = true; // at its next message that changes its log or vote
                } else {
                    crash(victim);
                }
            }
        } else if (choice == 5) {
            for (Node node : nodes) {
                if (node.up && node.core.role() == RaftCore.Role.LEADER) {
                    log("leader %d hands over: %s", node.index, node.core.transferLeadership(now));
                    flush(node);
                }
            }
        } else if (choice == 4) {
            drop = random.nextDouble() * settings.drop();
            duplicate = random.nextDouble() * settings.duplicate();
            log("loss %.3f duplication %.3f", drop, duplicate);
        }
    }

    private void partition() {
        heal();
        int[] order = random.ints(0, nodes.length).distinct().limit(nodes.length).toArray();
        int cut = 1 + random.nextInt(nodes.length - 1);
        boolean[] sideA = new boolean[nodes.length];
        for (int i = 0; i < cut; i++) {
            sideA[order[i]] = true;
        }
        log("partition %s", java.util.Arrays.toString(sideA));
        for (int a = 0; a < nodes.length; a++) {
            for (int b = 0; b < nodes.length; b++) {
                if (sideA[a] != sideA[b]) {
                    blocked[a][b] = true;
                    schedule(now + BOND_TIMEOUT, Kind.BOND_TIMEOUT, b, a, 0, null);
                }
            }
        }
    }

    private void heal() {
        log("heal");
        for (int a = 0; a < nodes.length; a++) {
            for (int b = 0; b < nodes.length; b++) {
                blocked[a][b] = false;
            }
        }
        for (int a = 0; a < nodes.length; a++) {
            for (int b = a + 1; b < nodes.length; b++) {
                if (nodes[a].up && nodes[b].up && !bonded[a][b]) {
                    connect(a, b);
                }
            }
        }
    }

    private void healAll() {
        drop = 0;
        duplicate = 0;
        for (Node node : nodes) {
            node.crashMidTurn = false;
            if (!node.up) {
                start(node);
            }
        }
        heal();
    }

    /**
     * Takes snapshots as the group's loop does: captured between two events, written meanwhile, and
     * committed (with the log compacted behind) a while later, while the node goes on applying.
     */
    private void snapshotInTheBackground(Node node) {
        try {
            if (node.snapshotting == null) {
                node.snapshotting = node.replica.captureSnapshot();
                if (node.snapshotting != null) {
                    node.snapshotting.write();
                    node.snapshotDue = now + random.nextLong(300);
                }
            } else if (now >= node.snapshotDue) {
                Replica.PendingSnapshot written = node.snapshotting;
                node.snapshotting = null;
                node.replica.snapshotWritten(written, null, settings.snapshotRetain(), settings.snapshotRetain() * 3);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void crash(Node node) {
        log("crash %d", node.index);
        if (node.snapshotting != null) {
            node.snapshotting.writer().close(); // never committed
            node.snapshotting = null;
        }
        node.up = false;
        node.crashMidTurn = false;
        node.storage.crash();
        for (int other = 0; other < nodes.length; other++) {
            if (other != node.index) {
                disconnect(node.index, other);
            }
        }
        schedule(now + 200 + random.nextLong(1_800), Kind.RESTART, node.index, -1, 0, null);
    }

    private void start(Node node) {
        if (node.machine != null) {
            restores += node.machine.restores;
            fetchedChunks += node.core.snapshotChunksFetched();
        }
        node.incarnation++;
        log("start %d (incarnation %d)", node.index, node.incarnation);
        RaftConfig config = RaftConfig.defaults()
                .withTimings(50, 300, 150, 100)
                .withForwardTimeout(500)
                .withMembership(settings.targetVoters(), 1, settings.voterRemoval())
                .withReplication(settings.maxAppendBytes(), settings.maxInflight());
        node.core = new RaftCore(node.id, config, node.storage, node.snapshots, new SplittableRandom(random.nextLong()),
                now);
        node.machine = machines.get();
        node.replica = new Replica<>(node.core, node.machine, codec, Runnable::run, random.nextLong(),
                config.maxAppendBytes());
        node.replica.snapshotEvery(settings.snapshotEvery());
        node.up = true;
        node.syncedIndex = node.storage.lastPosition().index(); // what survived the crash had been synced
        node.verifiedCommit = 0;
        node.verifiedApplied = 0;
        node.lastTermChecked = -1;
        schedule(now + 1 + random.nextLong(TICK), Kind.TICK, node.index, -1, node.incarnation, null);
        for (int other = 0; other < nodes.length; other++) {
            if (other != node.index && nodes[other].up && !blocked[node.index][other]) {
                connect(node.index, other);
            }
        }
    }

    private void connect(int a, int b) {
        bonded[a][b] = true;
        bonded[b][a] = true;
        nodes[a].core.peerConnected(nodes[b].id, now);
        nodes[b].core.peerConnected(nodes[a].id, now);
        flush(nodes[a]);
        flush(nodes[b]);
    }

    private void disconnect(int a, int b) {
        if (!bonded[a][b]) {
            return;
        }
        bonded[a][b] = false;
        bonded[b][a] = false;
        for (int[] pair : new int[][] {{a, b}, {b, a}}) {
            Node node = nodes[pair[0]];
            if (node.up) {
                // A cut or a dead peer (lost), or a bond closed for silence or replaced (the peer lives).
                node.core.peerDisconnected(nodes[pair[1]].id, now, random.nextBoolean());
                flush(node);
            }
        }
    }

    private void flush(Node node) {
        RaftReady ready = node.core.ready();
        // As the group's loop does: a leader's appends and what committed earlier before the sync, the
        // rest once what it promises is durable.
        long synced = node.syncedIndex;
        send(node, ready, true, synced);
        boolean processed = ready.mayProcessBeforeSync(synced);
        if (processed) {
            node.replica.process(ready);
        }
        node.storage.sync();
        node.syncedIndex = node.storage.lastPosition().index();
        if (!processed) {
            node.replica.process(ready);
        }
        send(node, ready, false, synced);
    }

    /** Sends the messages that may leave before the sync, or the others, as judged before the sync. */
    private void send(Node node, RaftReady ready, boolean beforeSync, long synced) {
        for (RaftReady.Outbound out : ready.messages()) {
            if (RaftReady.maySendBeforeSync(out.message(), synced) != beforeSync) {
                continue;
            }
            int to = indexOf.get(out.to());
            if (!bonded[node.index][to]) {
                continue;
            }
            if (random.nextDouble() < drop) {
                continue;
            }
            int copies = random.nextDouble() < duplicate ? 2 : 1;
            // What arrives is what the wire carries: every message goes through the codec.
            RaftMessage wire = RaftCodec.decode(RaftCodec.encode(out.message()));
            for (int c = 0; c < copies; c++) {
                schedule(now + 1 + random.nextLong(settings.maxDelay()), Kind.DELIVER, to, node.index,
                        nodes[to].incarnation, wire);
            }
        }
    }

    private void schedule(long time, Kind kind, int node, int from, int incarnation, RaftMessage message) {
        queue.add(new Event(time, seq++, kind, node, from, incarnation, message));
    }

    // ---------------------------------------------------------------- clients

    /** Liveness: once healed and settled, a write from every node must commit before the end. */
    private void probe() {
        for (Node node : nodes) {
            probe(node);
        }
    }

    /** A write from this node; one that fails is tried again (a later one must succeed). */
    private void probe(Node node) {
        long value = nextValue++;
        long op = history.invokeWrite(1_000 + node.index, value, now);
        probes.put(node.index, "pending");
        node.replica.execute(value, now).whenComplete((ok, error) -> {
            if (error == null) {
                history.ok(op, now);
                probes.put(node.index, "ok");
            } else {
                Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                if (!(cause instanceof CommandOutcomeUnknownException)) {
                    history.failed(op);
                }
                probes.put(node.index, String.valueOf(cause));
                schedule(now + 1, Kind.PROBE, node.index, -1, 0, null);
            }
        });
        flush(node);
    }

    private void clientStep(Client client) {
        if (now >= settings.end() - 2_000) {
            return;
        }
        if (client.op >= 0 && now - client.started < CLIENT_PATIENCE) {
            schedule(now + 50, Kind.CLIENT, client.index, -1, 0, null);
            return;
        }
        client.op = -1; // an op that took too long stays in the history as possibly applied
        Node node = nodes[client.node];
        if (!node.up) {
            schedule(now + 100, Kind.CLIENT, client.index, -1, 0, null);
            return;
        }
        client.started = now;
        int incarnation = node.incarnation;
        if (random.nextInt(5) < 3) {
            long value = nextValue++;
            long op = history.invokeWrite(client.index, value, now);
            client.op = op;
            CompletableFuture<Committed<Long>> result = node.replica.execute(value, now);
            result.whenComplete((ok, error) -> completed(client, op, error, () -> history.ok(op, now)));
        } else {
            long op = history.invokeRead(client.index, now);
            client.op = op;
            CompletableFuture<Long> result = node.replica.query(0L, Consistency.STRONG, now);
            result.whenComplete((value, error) -> completed(client, op, error, () -> history.okRead(op, value, now)));
        }
        flush(node);
        log("client %d on %d: op %d (incarnation %d)", client.index, client.node, client.op, incarnation);
    }

    private void completed(Client client, long op, Throwable error, Runnable ok) {
        if (client.op != op) {
            return; // abandoned: stays possibly applied
        }
        client.op = -1;
        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
        if (cause == null) {
            ok.run();
        } else if (cause instanceof NoLeaderException || cause instanceof CommandOverwrittenException
                || cause instanceof CommandRejectedException) {
            history.failed(op);
        } else if (!(cause instanceof CommandOutcomeUnknownException)) {
            throw new Violation("seed " + seed + ": unexpected failure " + cause);
        }
        schedule(now + 1 + random.nextLong(40), Kind.CLIENT, client.index, -1, 0, null);
    }

    // ---------------------------------------------------------------- properties

    private void checkSafety() {
        for (Node node : nodes) {
            if (!node.up) {
                continue;
            }
            RaftCore core = node.core;
            long formation = core.status().formation();
            if (core.role() == RaftCore.Role.LEADER) {
                PeerId before = leaders.putIfAbsent(List.of(formation, core.term()), node.id);
                if (before != null && !before.equals(node.id)) {
                    throw violation("two leaders in term " + core.term() + ": " + before + " and " + node.id);
                }
                if (node.lastTermChecked != core.term()) {
                    node.lastTermChecked = core.term();
                    List<LogEntry> known = committed.getOrDefault(formation, List.of());
                    for (LogEntry entry : known) {
                        if (entry.index() < node.storage.firstIndex()) {
                            continue; // inside its snapshot (checked when it was committed)
                        }
                        if (entry.index() > core.lastPosition().index()
                                || !node.storage.entries(entry.index(), entry.index(), 1).getFirst().equals(entry)) {
                            throw violation("leader " + node.index + " of term " + core.term()
                                    + " lacks committed entry " + entry);
                        }
                    }
                }
            }
            if (core.commitIndex() > node.verifiedCommit) {
                List<LogEntry> known = committed.computeIfAbsent(formation, f -> new ArrayList<>());
                long compacted = node.storage.compactedPosition().index();
                if (node.verifiedCommit < compacted) {
                    // Installed from a snapshot: its position must be a committed entry's.
                    if (compacted > known.size() || known.get((int) compacted - 1).term()
                            != node.storage.compactedPosition().term()) {
                        throw violation("node " + node.index + " holds a snapshot at "
                                + node.storage.compactedPosition() + " that is not a committed position");
                    }
                    node.verifiedCommit = compacted;
                }
                for (LogEntry entry : node.storage.entries(node.verifiedCommit + 1, core.commitIndex(), Long.MAX_VALUE)) {
                    if (entry.index() <= known.size()) {
                        if (!known.get((int) entry.index() - 1).equals(entry)) {
                            throw violation("node " + node.index + " committed " + entry + " where "
                                    + known.get((int) entry.index() - 1) + " was committed");
                        }
                    } else if (entry.index() == known.size() + 1) {
                        known.add(entry);
                    } else {
                        throw violation("commit gap at " + entry.index());
                    }
                }
                node.verifiedCommit = core.commitIndex();
            }
            List<long[]> applied = node.machine.applied;
            if (applied.size() < node.verifiedApplied) {
                node.verifiedApplied = 0; // restored from a snapshot
            }
            List<LogEntry> known = committed.getOrDefault(formation, List.of());
            for (; node.verifiedApplied < applied.size(); node.verifiedApplied++) {
                long[] a = applied.get(node.verifiedApplied);
                if (a[0] > known.size() || known.get((int) a[0] - 1).term() != a[1]) {
                    throw violation("node " + node.index + " applied " + a[1] + "/" + a[0] + " which is not committed");
                }
                if (node.verifiedApplied > 0 && applied.get(node.verifiedApplied - 1)[0] >= a[0]) {
                    throw violation("node " + node.index + " applied index " + a[0] + " out of order");
                }
                if (!node.machine.digests.isEmpty()) {
                    String digest = node.machine.digests.get(node.verifiedApplied);
                    String first = passengerDigests.computeIfAbsent(formation, f -> new HashMap<>())
                            .putIfAbsent(a[0], digest);
                    passengerChecks++;
                    if (first != null && !first.equals(digest)) {
                        throw violation("node " + node.index + "'s passenger state after index " + a[0]
                                + " differs from another replica's");
                    }
                }
            }
        }
    }

    private void checkConvergence() {
        long formation = nodes[0].core.status().formation();
        int leadersNow = 0;
        for (Node node : nodes) {
            if (!node.up) {
                throw violation("node " + node.index + " is still down after the heal");
            }
            if (node.core.status().formation() != formation || formation == 0) {
                throw violation("nodes are not in one formation: " + formation + " and "
                        + node.core.status().formation());
            }
            if (node.core.role() == RaftCore.Role.LEADER) {
                leadersNow++;
            }
        }
        if (leadersNow != 1) {
            throw violation(leadersNow + " leaders " + (settings.end() - settings.faultsUntil()) + " ms after the heal");
        }
        long commit = nodes[0].replica.appliedIndex();
        long value = nodes[0].machine.value;
        String passenger = nodes[0].machine.passengerDigest();
        for (Node node : nodes) {
            if (!java.util.Objects.equals(node.machine.passengerDigest(), passenger)) {
                throw violation("passenger states differ after the heal: node " + node.index + " and node 0");
            }
        }
        for (Node node : nodes) {
            if (node.replica.appliedIndex() != commit || node.machine.value != value) {
                throw violation("replicas differ after the heal: node " + node.index + " applied "
                        + node.replica.appliedIndex() + " (value " + node.machine.value + "), node 0 applied " + commit
                        + " (value " + value + ")");
            }
        }
        probes.forEach((node, outcome) -> {
            if (!outcome.equals("ok")) {
                throw violation("a write from node " + node + " issued " + SETTLE + " ms after the heal did not"
                        + " commit by the end: " + outcome);
            }
        });
        if (probes.size() != nodes.length) {
            throw violation("the liveness probe did not run");
        }
    }

    private void checkLinearizable() {
        LinearizabilityChecker.Result result = LinearizabilityChecker.check(history);
        if (!result.linearizable()) {
            throw violation("the register history is not linearizable: " + result.explanation());
        }
    }

    private Violation violation(String what) {
        return new Violation("seed " + seed + " at " + now + " ms: " + what + "\n  settings: " + settings
                + "\n  replay: mvn -pl mosaik-engine test -Dtest=GroupSimulationTest -Dmosaik.sim.seed=" + seed
                + (trace == null ? "" : "\n" + tail(trace.toString())));
    }

    private static String tail(String text) {
        return text.length() > 20_000 ? "…" + text.substring(text.length() - 20_000) : text;
    }

    private void log(String format, Object... args) {
        if (trace != null) {
            trace.append(now).append(' ').append(String.format(format, args)).append('\n');
        }
    }
}

package io.mosaik.groups;

import io.mosaik.discovery.SignedPeerEntry;
import io.mosaik.groups.raft.LogPosition;
import io.mosaik.groups.raft.LogStorage;
import io.mosaik.groups.raft.RaftCodec;
import io.mosaik.groups.raft.RaftCore;
import io.mosaik.groups.raft.RaftMessage;
import io.mosaik.groups.raft.RaftReady;
import io.mosaik.groups.raft.RaftStatus;
import io.mosaik.groups.raft.Snapshot;
import io.mosaik.network.Link;
import io.mosaik.network.Network;
import io.mosaik.network.NetworkState;
import io.mosaik.network.PeerAddress;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.primitives.PeerId;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one group on one node: a loop thread that owns the {@link RaftCore} and the {@link Replica} and
 * does everything that touches them (messages from bonds, requests from handles, time), bonds with every
 * member the catalog lists, and publishes a {@link GroupStatus} after each turn. Futures are completed
 * on a thread of their own, in order, so callbacks never stall the loop.
 */
final class GroupWorker<C, Q, R> {

    private static final Logger log = LoggerFactory.getLogger(GroupWorker.class);
    private static final long TICK_MILLIS = 10;
    private static final long HOUSEKEEPING_MILLIS = 100;
    /** How stale the published status may get when only its indices moved and nobody waits on it. */
    private static final long STATUS_REFRESH_MILLIS = 10;
    private static final long MAX_DIAL_BACKOFF_MILLIS = 30_000;
    /** Entries a leader keeps beyond a snapshot for a lagging bonded follower. */
    private static final long SNAPSHOT_ALLOWANCE = 10_000;

    final GroupId id;
    final GroupKey key;
    final ConsensusConfig consensus;
    final StateMachine<C, Q, R> machine;
    final io.mosaik.groups.raft.LeadershipPreference preference;
    private final Network network;
    private final Duration handshakeTimeout;
    private final RaftCore core;
    private final LogStorage storage;
    private final java.nio.file.Path dataDirectory;
    private final boolean durable;
    private final Replica<C, Q, R> replica;
    private final GroupMetrics metrics;
    private final String startup;
    /** When the status is next rebuilt even though only indices changed (see {@link #publish()}). */
    private long nextStatusRefresh;
    /** Told when the loop has stopped, with this worker (which a newer one of the same group may replace). */
    private final Consumer<GroupWorker<?, ?, ?>> onStopped;
    private final long snapshotEvery;
    private final long snapshotRetain;

    private final Map<PeerId, Bond> bonds = new HashMap<>();
    // The bonded peers in order, for the status: rebuilt only when a bond comes or goes.
    private List<PeerId> bondedPeers = List.of();
    private boolean bondsChanged;
    private final Set<PeerId> dialing = new HashSet<>();
    private final Map<PeerId, long[]> dialBackoff = new HashMap<>();
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Runnable> completions = new LinkedBlockingQueue<>();
    // What the replica completes during a turn of the loop (loop thread only), handed to the completer
    // in one piece: one wake-up per turn rather than one per command.
    private final List<Runnable> turnCompletions = new ArrayList<>();
    // The appends of one flush, encoded once for every follower they go to (loop thread only).
    private final Map<RaftMessage, byte[]> sharedEncodings = new java.util.IdentityHashMap<>();
    /** The last index of the log as of the last sync: what a crash of this node cannot take back. */
    private long syncedIndex;
    private final List<Awaiting> awaiting = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private long stopAt = Long.MAX_VALUE;
    private final long origin = System.nanoTime();
    private final SplittableRandom random = new SplittableRandom();
    private final Thread loop;
    private final Thread completer;
    private volatile GroupStatus status;
    private volatile AutoCloseable catalogSubscription;
    private volatile boolean advertised;
    private long nextHousekeeping;
    private long lastElections;
    private long lastRejected;
    private long lastForeign;
    private long lastFetched;
    private long lastServed;
    private long foreignWarnedAt = Long.MIN_VALUE / 2;
    private int handles;

    private record Awaiting(Predicate<GroupStatus> condition, CompletableFuture<GroupStatus> future) {
    }

    GroupWorker(Network network, GroupId id, GroupBuilder<C, Q, R> builder, Duration handshakeTimeout,
                GroupMetrics metrics, Consumer<GroupWorker<?, ?, ?>> onStopped) {
        this.network = network;
        this.id = id;
        this.key = builder.key();
        this.consensus = builder.consensusConfig();
        this.machine = builder.machine();
        this.preference = builder.preference();
        this.handshakeTimeout = handshakeTimeout;
        this.metrics = metrics;
        this.onStopped = onStopped;
        this.snapshotEvery = builder.snapshotEvery();
        this.snapshotRetain = builder.snapshotRetain();
        SecureRandom seeds = new SecureRandom();
        long opening = System.nanoTime();
        GroupBuilder.Stores stores = builder.openStores(network.networkId(), id, network.peerId());
        this.storage = stores.log();
        io.mosaik.groups.raft.RaftConfig raft = consensus.raftConfig(builder.preference());
        long recovering = System.nanoTime();
        try {
            this.core = new RaftCore(network.peerId(), raft, storage, stores.snapshots(),
                    new SplittableRandom(seeds.nextLong()), 0);
        } catch (RuntimeException | Error e) {
            closeQuietly(storage, e); // a durable log holds its directory's lock until closed
            throw e;
        }
        this.startup = String.format("storage opened in %d ms, consensus state read in %d ms",
                (recovering - opening) / 1_000_000, (System.nanoTime() - recovering) / 1_000_000);
        this.replica = new Replica<>(core, machine, network.codec(), turnCompletions::add, seeds.nextLong(),
                raft.maxAppendBytes());
        replica.snapshotEvery(snapshotEvery);
        this.dataDirectory = builder.dataDirectory();
        this.durable = dataDirectory != null || storage instanceof io.mosaik.groups.raft.FileLogStorage;
        this.syncedIndex = storage.lastPosition().index(); // what was opened had been synced
        this.status = GroupStatus.of(id, core.status(), false, 0, List.of(), storage, dataDirectory);
        String name = "mosaik-group-" + id.toShortString();
        this.loop = Thread.ofPlatform().daemon().name(name).unstarted(this::run);
        this.completer = Thread.ofPlatform().daemon().name(name + "-completions").unstarted(this::complete);
    }

    /** How long opening the storage and reading the consensus state took, for the join's log line. */
    String startup() {
        return startup;
    }

    /** Starts the loop; the member is advertised and bonds once {@link #advertise()} is called. */
    void start() {
        completer.start();
        loop.start();
    }

    /**
     * Adds the group to this node's discovery entry and follows the catalog; called at join when the
     * network runs, or when it starts for groups joined before.
     */
    void advertise() {
        advertised = true;
        network.discovery().addGroup(id.digest());
        catalogSubscription = network.discovery().subscribe(event -> submit(this::dialMembers));
        submit(this::dialMembers);
    }

    /** Handles sharing this worker; guarded by the owner ({@link Groups}). */
    int retain() {
        return ++handles;
    }

    int release() {
        return --handles;
    }

    GroupStatus status() {
        return status;
    }

    boolean isRunning() {
        return running.get();
    }

    // ---------------------------------------------------------------- requests from handles

    CompletableFuture<Committed<R>> execute(C command) {
        byte[] body;
        try {
            body = replica.encodeCommand(command); // on the caller's thread: the loop is the bottleneck
        } catch (GroupException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Committed<R>> result = new CompletableFuture<>();
        return call(result, now -> replica.executeEncoded(body, result, now));
    }

    CompletableFuture<LogPosition> feed(C command) {
        CompletableFuture<LogPosition> accepted = new CompletableFuture<>();
        return call(accepted, now -> replica.feed(command, accepted, now));
    }

    CompletableFuture<R> query(Q query, Consistency consistency) {
        CompletableFuture<R> result = new CompletableFuture<>();
        return call(result, now -> replica.query(query, consistency, result, now));
    }

    CompletableFuture<Boolean> removeVoter(PeerId voter) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        return call(result, now -> {
            boolean removed = core.removeVoter(voter, now);
            turnCompletions.add(() -> result.complete(removed));
        });
    }

    /**
     * Runs {@code action} on the loop; it completes {@code result} itself, through the completer (a
     * caller's callbacks never run on the loop). If the loop has stopped, or the action throws,
     * {@code result} fails here.
     */
    private <T> CompletableFuture<T> call(CompletableFuture<T> result, LongConsumer action) {
        if (!submit(() -> {
            try {
                action.accept(now());
            } catch (RuntimeException e) {
                turnCompletions.add(() -> result.completeExceptionally(e));
                throw e;
            }
        })) {
            result.completeExceptionally(new GroupClosedException("the group " + id.toShortString() + " is closed"));
        }
        return result;
    }

    CompletableFuture<GroupStatus> await(Predicate<GroupStatus> condition) {
        CompletableFuture<GroupStatus> future = new CompletableFuture<>();
        GroupStatus current = status;
        if (condition.test(current)) {
            future.complete(current);
            return future;
        }
        Awaiting entry = new Awaiting(condition, future);
        awaiting.add(entry);
        current = status; // a publish may have happened in between
        if (condition.test(current)) {
            awaiting.remove(entry);
            future.complete(current);
        } else if (!running.get()) {
            awaiting.remove(entry);
            future.completeExceptionally(new GroupClosedException("the group " + id.toShortString() + " is closed"));
        }
        return future;
    }

    /**
     * Queues a task for the loop; {@code false} if the worker has stopped, and then the task will never run.
     * A task queued while the worker stops either runs in the final drain or is taken back here.
     */
    private boolean submit(Runnable task) {
        if (!running.get()) {
            return false;
        }
        tasks.add(task);
        // stopped in between: the final drain may have missed it; if it is still queued, it never runs
        return running.get() || !tasks.remove(task);
    }

    // ---------------------------------------------------------------- the loop

    private long now() {
        return (System.nanoTime() - origin) / 1_000_000;
    }

    private void run() {
        try {
            while (running.get()) {
                // Commit indices held back from followers go out within a millisecond or two.
                Runnable task = tasks.poll(core.commitNoticesPending() ? 1 : TICK_MILLIS, TimeUnit.MILLISECONDS);
                while (task != null && running.get()) {
                    runSafely(task);
                    task = tasks.poll();
                }
                handOverCompletions();
                if (!running.get()) {
                    break;
                }
                long now = now();
                core.tick(now);
                if (now >= nextHousekeeping) {
                    nextHousekeeping = now + HOUSEKEEPING_MILLIS;
                    runSafely(this::heartbeatBonds);
                    runSafely(this::dialMembers);
                }
                flush();
                publish();
                handOverCompletions();
                if (now >= stopAt || (stopAt != Long.MAX_VALUE && core.role() != RaftCore.Role.LEADER)) {
                    running.set(false); // handed over (or gave up waiting): depart
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            log.error("group {} stopped on an unexpected error", id.toShortString(), e);
        } finally {
            shutdown();
        }
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("group {}: a task failed", id.toShortString(), e);
        }
    }

    private void flush() {
        RaftReady ready = core.ready();
        if (ready.isEmpty()) {
            return;
        }
        if (!durable) {
            storage.sync();
            process(ready);
            send(ready, false, Long.MIN_VALUE); // nothing went early
            return;
        }
        // Votes, acknowledgements and answers to other members go out only once what they promise is
        // durable. Entries of this turn cannot have been acknowledged by others yet, so one sync per turn
        // suffices (group commit). A leader's appends go first, so that the followers' fsyncs overlap its
        // own, and what committed before this turn is applied and answered while the disk works.
        long synced = syncedIndex; // what went early is judged by it in both passes
        send(ready, true, synced);
        boolean processed = ready.mayProcessBeforeSync(synced);
        if (processed) {
            process(ready);
        }
        long syncStarted = System.nanoTime();
        storage.sync();
        metrics.logSync.record(System.nanoTime() - syncStarted, TimeUnit.NANOSECONDS);
        syncedIndex = storage.lastPosition().index();
        if (!processed) {
            process(ready);
        }
        send(ready, false, synced);
    }

    /** Applies what the ready committed and hands the clients' answers to the completer. */
    private void process(RaftReady ready) {
        if (!ready.committed().isEmpty()) {
            long started = System.nanoTime();
            replica.process(ready);
            metrics.applyLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            metrics.commits.increment(ready.committed().size());
            int commands = 0;
            for (io.mosaik.groups.raft.LogEntry entry : ready.committed()) {
                if (entry.kind() == io.mosaik.groups.raft.LogEntry.Kind.COMMAND) {
                    commands++;
                }
            }
            metrics.applies.increment(commands);
            if (replica.rejected() > lastRejected) {
                metrics.rejectedCommands.increment(replica.rejected() - lastRejected);
                lastRejected = replica.rejected();
            }
            maybeSnapshot();
        } else {
            replica.process(ready);
        }
        // Before the messages: the completer should not queue behind the bond writers they wake.
        handOverCompletions();
    }

    /**
     * Sends the ready's messages that may go before this turn's sync ({@code early}), or the others, as
     * judged by the index synced before the turn. The core hands followers in step the same append
     * object: it is encoded once.
     */
    private void send(RaftReady ready, boolean early, long synced) {
        for (RaftReady.Outbound out : ready.messages()) {
            RaftMessage message = out.message();
            if (RaftReady.maySendBeforeSync(message, synced) != early) {
                continue;
            }
            boolean append = message instanceof RaftMessage.AppendEntries;
            Bond bond = bonds.get(out.to());
            if (bond != null) {
                bond.send(append
                        ? sharedEncodings.computeIfAbsent(message, m -> RaftCodec.encode(GroupWire.RAFT, m))
                        : RaftCodec.encode(GroupWire.RAFT, message));
            }
        }
        if (!early) {
            sharedEncodings.clear();
        }
    }

    private void publish() {
        long now = now();
        metrics.snapshotChunksFetched.increment(core.snapshotChunksFetched() - lastFetched);
        lastFetched = core.snapshotChunksFetched();
        metrics.snapshotChunksServed.increment(core.snapshotChunksServed() - lastServed);
        lastServed = core.snapshotChunksServed();
        GroupStatus current = status;
        // Building the status takes a few collections: under load, when nobody waits on it and nothing
        // but the indices moved, refresh it every STATUS_REFRESH_MILLIS rather than on every turn.
        if (awaiting.isEmpty() && now < nextStatusRefresh && current.role() == core.role()
                && current.term() == core.term() && Objects.equals(current.leader(), core.leader())
                && current.online() == core.isOnline() && current.bonds().size() == bonds.size()) {
            return;
        }
        nextStatusRefresh = now + STATUS_REFRESH_MILLIS;
        RaftStatus raft = core.status();
        GroupStatus next = GroupStatus.of(id, raft, core.isOnline(), replica.appliedIndex(),
                bondedPeers(), storage, dataDirectory);
        GroupStatus previous = status;
        if (next.equals(previous)) {
            return;
        }
        status = next;
        if (next.leader() != null && !next.leader().equals(previous.leader())) {
            metrics.leaderChanges.increment();
        }
        if (core.foreignMessages() > lastForeign) {
            metrics.foreignMessages.increment(core.foreignMessages() - lastForeign);
            lastForeign = core.foreignMessages();
            if (now() - foreignWarnedAt > 60_000) {
                foreignWarnedAt = now();
                log.warn("group {}: members of another formation of this group are bonded with this node; the"
                        + " two were formed apart (their nodes did not see each other when they started) and do"
                        + " not merge. Stop the members of one formation, clear their state, and start them"
                        + " again with a bootstrap peer in the other", id.toShortString());
            }
        }
        if (core.elections() > lastElections) {
            metrics.elections.increment(core.elections() - lastElections);
            lastElections = core.elections();
        }
        metrics.term.set(next.term());
        metrics.commitIndex.set(next.commitIndex());
        metrics.appliedIndex.set(next.appliedIndex());
        metrics.bondsActive.set(bonds.size());
        if (next.isLeader()) {
            next.followers().forEach((peer, f) -> {
                metrics.lag(peer, Math.max(0, next.commitIndex() - f.matchIndex()));
                metrics.install(peer, f.snapshotReceived(), f.snapshotTotal());
            });
        } else if (previous.isLeader()) {
            metrics.installsEnded();
        }
        for (Awaiting entry : awaiting) {
            if (entry.condition.test(next)) {
                awaiting.remove(entry);
                turnCompletions.add(() -> entry.future.complete(next));
            }
        }
    }

    private List<PeerId> bondedPeers() {
        if (bondsChanged) {
            bondsChanged = false;
            bondedPeers = bonds.keySet().stream().sorted().toList();
        }
        return bondedPeers;
    }

    private void handOverCompletions() {
        if (turnCompletions.isEmpty()) {
            return;
        }
        Runnable[] batch = turnCompletions.toArray(Runnable[]::new);
        turnCompletions.clear();
        completions.add(() -> {
            for (Runnable completion : batch) {
                runCompletion(completion);
            }
        });
    }

    private void complete() {
        try {
            while (true) {
                runCompletion(completions.take());
            }
        } catch (InterruptedException e) {
            // the group stopped
        }
    }

    private void runCompletion(Runnable completion) {
        try {
            completion.run();
        } catch (RuntimeException e) {
            log.warn("group {}: a completion callback threw", id.toShortString(), e);
        }
    }

    // ---------------------------------------------------------------- bonds

    private void heartbeatBonds() {
        long now = System.nanoTime();
        long pingEvery = consensus.heartbeatInterval().minus(consensus.heartbeatJitter().dividedBy(2)).toNanos();
        long deadAfter = consensus.heartbeatInterval().plus(consensus.heartbeatJitter())
                .multipliedBy(consensus.maxMissedHeartbeats()).toNanos();
        for (Bond bond : List.copyOf(bonds.values())) {
            if (now - bond.lastReceivedNanos > deadAfter) {
                log.info("group {}: bond with {} silent for {} ms, closing it", id.toShortString(),
                        bond.peer.toShortString(), (now - bond.lastReceivedNanos) / 1_000_000);
                metrics.bondRefused("timeout");
                bond.close(CloseReason.BOND_TIMEOUT);
                bondClosed(bond);
            } else if (now - bond.lastSentNanos > pingEvery && bond.idle()) {
                bond.send(new byte[] {GroupWire.PING});
            }
        }
    }

    /** Dials every member the catalog lists that has no bond, no dial under way and no backoff pending. */
    private void dialMembers() {
        if (!running.get() || !advertised || network.state() != NetworkState.RUNNING) {
            return; // before the network's discovery runs, there is no catalog to follow
        }
        long now = now();
        Set<PeerId> members = new HashSet<>();
        for (SignedPeerEntry signed : network.discovery().catalog().signedPeers(System.currentTimeMillis())) {
            PeerId peer = signed.entry().peerId();
            if (signed.entry().groups().contains(id.digest())) {
                members.add(peer);
            }
            if (peer.equals(network.peerId()) || bonds.containsKey(peer) || dialing.contains(peer)
                    || !signed.entry().groups().contains(id.digest())) {
                continue;
            }
            long[] backoff = dialBackoff.get(peer);
            if (backoff != null && now < backoff[0]) {
                continue;
            }
            dialing.add(peer);
            PeerAddress address = signed.entry().address();
            Thread.ofVirtual().name("mosaik-group-dial-" + peer.toShortString()).start(() -> dial(address));
        }
        core.knownMembers(members);
    }

    private void dial(PeerAddress address) {
        PeerId peer = address.peerId();
        Link link = null;
        try {
            link = network.openLink(address, GroupWire.PROTOCOL)
                    .get(handshakeTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            Bond bond = initiate(link);
            submit(() -> {
                dialing.remove(peer);
                dialBackoff.remove(peer);
                adopt(bond);
            });
        } catch (Exception e) {
            if (link != null && link.isOpen()) {
                link.close(CloseReason.CANCELLED);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            log.debug("group {}: bonding with {} failed: {}", id.toShortString(), peer.toShortString(), cause.toString());
            if (!submit(() -> {
                dialing.remove(peer);
                long[] backoff = dialBackoff.computeIfAbsent(peer, p -> new long[] {0, 250});
                backoff[1] = Math.min(MAX_DIAL_BACKOFF_MILLIS, backoff[1] * 2);
                backoff[0] = now() + backoff[1] / 2 + random.nextLong(backoff[1] / 2 + 1);
            })) {
                return;
            }
        }
    }

    /** The initiator's side of the handshake; returns the bond or throws. */
    private Bond initiate(Link link) throws IOException {
        PeerId peer = link.peer();
        AtomicBoolean done = new AtomicBoolean();
        closeIfSlow(link, done);
        byte[] nonceA = GroupWire.nonce();
        link.sendBytes(new GroupWire.Start(network.networkId(), id, nonceA).encode());
        GroupWire.Reply reply;
        try {
            reply = GroupWire.Reply.decode(link.receiveBytes());
        } catch (IllegalArgumentException e) {
            metrics.bondRefused("malformed");
            link.close(CloseReason.INVALID_HANDSHAKE);
            throw new IOException("malformed handshake reply from " + peer.toShortString(), e);
        }
        byte[] expected = GroupWire.proof(key, id, false, nonceA, reply.nonce(), peer, network.peerId());
        if (!GroupWire.matches(expected, reply.proof())) {
            refuseProof(link);
            throw new IOException("invalid proof from " + peer.toShortString());
        }
        link.sendBytes(new GroupWire.Finish(
                GroupWire.proof(key, id, true, nonceA, reply.nonce(), network.peerId(), peer)).encode());
        done.set(true);
        return new Bond(peer, network.peerId(), link);
    }

    /**
     * The acceptor's side, after {@link Groups} read the start: answers, checks the initiator's proof,
     * and serves the bond until it ends (the link handler must not return earlier).
     */
    void accept(Link link, GroupWire.Start start) throws IOException {
        PeerId peer = link.peer();
        AtomicBoolean done = new AtomicBoolean();
        closeIfSlow(link, done);
        byte[] nonceB = GroupWire.nonce();
        link.sendBytes(new GroupWire.Reply(nonceB,
                GroupWire.proof(key, id, false, start.nonce(), nonceB, network.peerId(), peer)).encode());
        GroupWire.Finish finish;
        try {
            finish = GroupWire.Finish.decode(link.receiveBytes());
        } catch (IllegalArgumentException e) {
            metrics.bondRefused("malformed");
            link.close(CloseReason.INVALID_HANDSHAKE);
            return;
        } catch (LinkClosedException e) {
            return; // the initiator found our proof wrong, or timed out
        }
        byte[] expected = GroupWire.proof(key, id, true, start.nonce(), nonceB, peer, network.peerId());
        if (!GroupWire.matches(expected, finish.proof())) {
            refuseProof(link);
            return;
        }
        done.set(true);
        Bond bond = new Bond(peer, peer, link);
        CompletableFuture<Void> ended = new CompletableFuture<>();
        bond.onEnded(() -> ended.complete(null));
        if (!submit(() -> adopt(bond))) {
            link.close(CloseReason.GRACEFUL_SHUTDOWN);
            return;
        }
        ended.join();
    }

    private void refuseProof(Link link) {
        metrics.bondRefused("invalid-proof");
        log.warn("group {}: {} sent a wrong proof of the group key; not bonding (it holds another key, or"
                + " impersonates a member)", id.toShortString(), link.peer().toShortString());
        link.close(CloseReason.INVALID_PROOF);
    }

    private void closeIfSlow(Link link, AtomicBoolean done) {
        CompletableFuture.delayedExecutor(handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (!done.get() && link.isOpen()) {
                metrics.bondRefused("timeout");
                link.close(CloseReason.BOND_TIMEOUT);
            }
        });
    }

    /** Makes a handshaken bond the bond with its peer, unless a preferred one exists (loop thread). */
    private void adopt(Bond bond) {
        if (!running.get()) {
            bond.close(CloseReason.GRACEFUL_SHUTDOWN);
            return;
        }
        Bond existing = bonds.get(bond.peer);
        if (existing != null) {
            // Both sides keep the same one: dialed by the smaller id, or else the newer.
            if (!existing.isClosed() && existing.initiator.compareTo(bond.initiator) < 0) {
                bond.close(CloseReason.ALREADY_BONDED);
                return;
            }
            // The peer starts over on the new bond (its hello, our progress), even if the old one's
            // closing has not been handled yet.
            bonds.remove(bond.peer);
            bondsChanged = true;
            existing.close(CloseReason.ALREADY_BONDED);
            core.peerDisconnected(bond.peer, now(), false);
        }
        bonds.put(bond.peer, bond);
        bondsChanged = true;
        // Raft messages are decoded on the bond's reader thread, not on the loop: the loop is the bottleneck.
        bond.start(frame -> {
            Object decoded = decodeRaft(frame);
            submit(() -> onFrame(bond, frame, decoded));
        }, closed -> submit(() -> bondClosed(closed)));
        core.peerConnected(bond.peer, now());
        // Tell the other members, so that they bond with it even if discovery has not told them yet.
        network.discovery().catalog().getSigned(bond.peer, System.currentTimeMillis()).ifPresent(entry -> {
            byte[] frame = GroupWire.frame(GroupWire.BOND_FORMED, entry.toBytes());
            bonds.values().stream().filter(other -> other != bond).forEach(other -> other.send(frame));
        });
        log.debug("group {}: bonded with {}", id.toShortString(), bond.peer.toShortString());
    }

    private void bondClosed(Bond bond) {
        bondClosed(bond, bond.lost());
    }

    /** A bond ended; {@code lost} when its peer looks gone (a died or departed process), not just silent. */
    private void bondClosed(Bond bond, boolean lost) {
        if (bonds.get(bond.peer) == bond) {
            bonds.remove(bond.peer);
            bondsChanged = true;
            core.peerDisconnected(bond.peer, now(), lost);
            log.debug("group {}: bond with {} closed", id.toShortString(), bond.peer.toShortString());
        }
    }

    /** A Raft frame's message, or why it does not decode; {@code null} for the other frame types. */
    private static Object decodeRaft(byte[] frame) {
        if (frame.length == 0 || frame[0] != GroupWire.RAFT) {
            return null;
        }
        try {
            return RaftCodec.decode(frame, 1);
        } catch (RuntimeException e) { // IllegalArgumentException, or a decoder bug: refused all the same
            return e;
        }
    }

    private void onFrame(Bond bond, byte[] frame, Object decoded) {
        if (bonds.get(bond.peer) != bond) {
            return;
        }
        if (frame.length == 0) {
            refuse(bond, "malformed", "an empty frame");
            return;
        }
        switch (frame[0]) {
            case GroupWire.RAFT -> {
                if (!(decoded instanceof RaftMessage message)) {
                    refuse(bond, "malformed", String.valueOf(((RuntimeException) decoded).getMessage()));
                    return;
                }
                try {
                    core.receive(bond.peer, message, now());
                } catch (RuntimeException e) {
                    refuse(bond, "inconsistent", e.getMessage());
                }
            }
            case GroupWire.PING -> {
                if (bond.idle()) {
                    bond.send(new byte[] {GroupWire.PONG});
                }
            }
            case GroupWire.PONG -> {
            }
            case GroupWire.BOND_FORMED -> onBondFormed(bond, Arrays.copyOfRange(frame, 1, frame.length));
            case GroupWire.DEPARTURE -> {
                bond.close(CloseReason.SUCCESS);
                bondClosed(bond, true);
            }
            default -> refuse(bond, "malformed", "unknown frame type " + frame[0]);
        }
    }

    private void onBondFormed(Bond bond, byte[] body) {
        SignedPeerEntry entry;
        try {
            entry = SignedPeerEntry.fromBytes(body);
        } catch (IllegalArgumentException e) {
            refuse(bond, "malformed", "a bond-formed entry that does not decode: " + e.getMessage());
            return;
        }
        if (!entry.verify() || !entry.entry().network().equals(network.networkId())
                || !entry.entry().groups().contains(id.digest())) {
            refuse(bond, "malformed", "a bond-formed entry that is not a signed member of this group");
            return;
        }
        if (network.discovery().feed(entry)) {
            dialMembers();
        }
    }

    private void refuse(Bond bond, String reason, String detail) {
        log.warn("group {}: closing the bond with {}: {} ({})", id.toShortString(), bond.peer.toShortString(),
                reason, detail);
        metrics.bondRefused(reason);
        bond.close(CloseReason.PROTOCOL_VIOLATION);
        bondClosed(bond);
    }

    // ---------------------------------------------------------------- stopping

    /**
     * Stops the worker: a leader first hands its leadership over (so the group elects no one by timeout),
     * then it departs from every bond and fails what waits. Idempotent; returns once stopped.
     */
    void stop() {
        if (stopping.compareAndSet(false, true)) {
            if (!submit(() -> stopAt = core.transferLeadership(now())
                    ? now() + consensus.electionTimeout().toMillis() : now())) {
                return;
            }
        }
        if (Thread.currentThread() != loop) {
            try {
                loop.join(consensus.electionTimeout().toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void shutdown() {
        running.set(false);
        for (Bond bond : bonds.values()) {
            bond.depart(new byte[] {GroupWire.DEPARTURE}, CloseReason.GRACEFUL_SHUTDOWN);
        }
        bonds.clear();
        bondsChanged = true;
        replica.close();
        // requests that arrived after the last turn: their futures fail through the closed replica (a
        // request queued later is taken back by submit)
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
            runSafely(task);
        }
        handOverCompletions(); // after the drain: what it failed is completed too
        GroupClosedException closed = new GroupClosedException("the group " + id.toShortString() + " is closed");
        for (Awaiting entry : awaiting) {
            completions.add(() -> entry.future.completeExceptionally(closed));
        }
        awaiting.clear();
        completions.add(() -> completer.interrupt());
        if (catalogSubscription != null) {
            try {
                catalogSubscription.close();
            } catch (Exception ignored) {
                // nothing to do
            }
        }
        if (storage instanceof AutoCloseable closeable) {
            try {
                closeable.close(); // releases a durable log's directory for the next start
            } catch (Exception e) {
                log.warn("group {}: closing the log storage failed", id.toShortString(), e);
            }
        }
        onStopped.accept(this);
    }

    /**
     * Captures a snapshot when one is due and has it written by a thread of its own, so that the group
     * goes on applying commands meanwhile; it is committed (and the log compacted) back on this thread.
     */
    private void maybeSnapshot() {
        RuntimeException captureFailure = replica.takeCaptureFailure();
        if (captureFailure != null) {
            metrics.snapshotFailures.increment();
            log.warn("group {}: the state machine failed to capture a snapshot; the log is kept",
                    id.toShortString(), captureFailure);
        }
        Replica.PendingSnapshot snapshot = replica.captureSnapshot();
        if (snapshot == null) {
            return;
        }
        long started = System.nanoTime();
        Thread.ofPlatform().daemon().name("mosaik-group-" + id.toShortString() + "-snapshot").start(() -> {
            Throwable failure = null;
            try {
                snapshot.write();
            } catch (Exception | Error e) {
                failure = e;
            }
            Throwable written = failure;
            if (!running.get()) {
                snapshot.writer().close(); // the member stopped meanwhile
                return;
            }
            tasks.add(() -> snapshotWritten(snapshot, written, started));
        });
    }

    private void snapshotWritten(Replica.PendingSnapshot snapshot, Throwable failure, long started) {
        Snapshot committed = null;
        try {
            committed = replica.snapshotWritten(snapshot, failure, snapshotRetain, SNAPSHOT_ALLOWANCE);
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        if (failure != null) {
            metrics.snapshotFailures.increment();
            log.warn("group {}: the snapshot at {} could not be written; the log is kept", id.toShortString(),
                    snapshot.position(), failure);
        } else if (committed != null) {
            metrics.snapshotDuration.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            metrics.snapshotBytes.record(committed.data().size());
            log.debug("group {}: snapshot at {} ({} bytes) committed", id.toShortString(), snapshot.position(),
                    committed.data().size());
        }
    }

    private static void closeQuietly(LogStorage storage, Throwable cause) {
        if (storage instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }
    }

    @Override
    public String toString() {
        return "GroupWorker[" + id.toShortString() + "]";
    }
}

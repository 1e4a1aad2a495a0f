package io.mosaik.groups.raft;

import io.mosaik.groups.raft.ClientEvent.CommandAccepted;
import io.mosaik.groups.raft.ClientEvent.CommandFailed;
import io.mosaik.groups.raft.ClientEvent.Failure;
import io.mosaik.groups.raft.ClientEvent.ReadFailed;
import io.mosaik.groups.raft.ClientEvent.ReadReady;
import io.mosaik.groups.raft.RaftMessage.Accepted;
import io.mosaik.groups.raft.RaftMessage.AppendEntries;
import io.mosaik.groups.raft.RaftMessage.AppendResponse;
import io.mosaik.groups.raft.RaftMessage.ForwardCommands;
import io.mosaik.groups.raft.RaftMessage.ForwardResponse;
import io.mosaik.groups.raft.RaftMessage.Forwarded;
import io.mosaik.groups.raft.RaftMessage.Hello;
import io.mosaik.groups.raft.RaftMessage.InstallSnapshot;
import io.mosaik.groups.raft.RaftMessage.InstallSnapshotResponse;
import io.mosaik.groups.raft.RaftMessage.SnapshotFetch;
import io.mosaik.groups.raft.RaftMessage.SnapshotFetchResponse;
import io.mosaik.groups.raft.RaftMessage.PreVote;
import io.mosaik.groups.raft.RaftMessage.PreVoteResponse;
import io.mosaik.groups.raft.RaftMessage.ReadIndexRequest;
import io.mosaik.groups.raft.RaftMessage.ReadIndexResponse;
import io.mosaik.groups.raft.RaftMessage.RequestVote;
import io.mosaik.groups.raft.RaftMessage.TimeoutNow;
import io.mosaik.groups.raft.RaftMessage.VoteResponse;
import io.mosaik.groups.raft.RaftReady.Outbound;
import io.mosaik.primitives.PeerId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * One node's Raft, as a deterministic state machine without I/O: the shell feeds it messages from
 * bonded peers, bond changes, local requests and the time, and after each call takes a {@link RaftReady}
 * of messages to send, entries to apply and request outcomes. Given the same inputs and the same random
 * generator it does the same thing, which is what lets the simulator replay a failing run from its seed.
 *
 * <p>What makes it safe where the original is not: the voters are a {@link Configuration} in the log,
 * changed one voter at a time by the leader, and a quorum is always a majority of those voters,
 * reachable or not; a node that rejoins asks for pre-votes before it raises its term, so it cannot
 * depose a healthy leader; a leader that loses contact with a majority steps down; reads are served at
 * a read index the leader has confirmed with a majority. Terms and votes go to {@link LogStorage} before
 * any message that depends on them leaves.
 *
 * <p>Not thread-safe: one thread (the group's loop, or the simulator) makes every call.
 */
public final class RaftCore {

    /** The role of a node. */
    public enum Role {
        /** Follows a leader (or waits for one). */
        FOLLOWER,
        /** Asking for pre-votes, without having raised its term. */
        PRE_CANDIDATE,
        /** Asking for votes in a new term. */
        CANDIDATE,
        /** Leads its term. */
        LEADER
    }

    private static final int MAX_ENTRIES_PER_APPEND = 4_096;
    /**
     * How long a commit index that no append carries waits before an empty append tells a follower (in
     * ms): under load the next append carries it, so followers need not answer an extra message per
     * commit. A follower waiting for a commit (its forwarded command, its read) is told at once.
     */
    static final long COMMIT_NOTICE_DELAY = 2;
    private static final int RECENT_FORWARDS = 8_192;
    private static final int SNAPSHOT_CHUNK = 256 * 1024;
    /** Snapshot chunks sent to a follower before it acknowledges the first of them. */
    private static final int SNAPSHOT_WINDOW = 8;
    /** Snapshot chunks a receiver fetches from other members beyond the leader's window, at most. */
    private static final int FETCH_AHEAD = 32;
    /** Snapshot chunks a receiver asks one other member for before it answers the first. */
    private static final int FETCH_WINDOW = 4;
    private static final byte[] NO_BYTES = new byte[0];

    private final PeerId self;
    private final RaftConfig config;
    private final LogStorage log;
    private final SnapshotStore snapshots;
    private final RandomGenerator random;
    private Snapshot toRestore;
    private Receiving receiving;

    private long now;
    private long term;
    private PeerId votedFor;
    private Role role = Role.FOLLOWER;
    private PeerId leader;
    private long leaderContact = Long.MIN_VALUE / 2;
    private long commitIndex;
    private long appliedIndex;
    private long formation;
    private final TreeMap<Long, Configuration> configurations = new TreeMap<>();
    // The last of them (asked for on every proposal): refreshed by configurationsChanged().
    private Configuration latestConfiguration;

    private final Set<PeerId> connected = new TreeSet<>();
    private Set<PeerId> knownMembers = Set.of();
    private final Map<PeerId, Hello> hellos = new HashMap<>();
    private long electionDeadline;
    private final Set<PeerId> votes = new HashSet<>();

    // Leader state.
    private final Map<PeerId, Progress> progress = new TreeMap<>();
    private long termStart;
    private PeerId transferTarget;
    private long transferDeadline;
    private boolean timeoutNowSent;
    private long heartbeatDeadline;
    /** When commit indices held back from followers are sent ({@link #COMMIT_NOTICE_DELAY}), or MAX_VALUE. */
    private long commitNoticeAt = Long.MAX_VALUE;
    private long quorumCheckDeadline;
    private long probe;
    private final List<PendingRead> reads = new ArrayList<>();
    private final List<PendingRead> readsAwaitingTermCommit = new ArrayList<>();
    private final LinkedHashMap<ForwardKey, LogPosition> recentForwards = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ForwardKey, LogPosition> eldest) {
            if (size() > RECENT_FORWARDS) {
                // A resend of this request or an older one can no longer be told apart from a new one.
                forgottenUpTo.merge(eldest.getKey().origin(), eldest.getKey().requestId(),
                        (a, b) -> b - a > 0 ? b : a);
                return true;
            }
            return false;
        }
    };
    /** Per origin, the newest request id evicted from {@link #recentForwards} (ids grow per origin). */
    private final Map<PeerId, Long> forgottenUpTo = new HashMap<>();

    // Requests of local clients that wait for, or were sent to, a leader.
    private final LinkedHashMap<Long, PendingForward> forwards = new LinkedHashMap<>();
    private final LinkedHashMap<Long, PendingForward> readForwards = new LinkedHashMap<>();

    private List<Outbound> outbox = new ArrayList<>();
    private List<ClientEvent> events = new ArrayList<>();
    // The appends built this turn, by previous index: followers in step get the same message object, so
    // the log is read once and the shell can encode it once.
    private final Map<Long, BuiltAppend> appendsThisTurn = new HashMap<>();

    /** An append built for the range of indices from its previous index + 1 up to {@code to}. */
    private record BuiltAppend(AppendEntries message, long to) {
    }
    private long foreignMessages;
    private long snapshotChunksFetched;
    private long snapshotChunksServed;
    /** A snapshot whose install failed its checksum after members other than the leader helped. */
    private LogPosition unhelpedSnapshot;
    private long elections;
    private boolean matchesLeader;

    /**
     * A snapshot arriving in chunks, written to the snapshot store in order as it comes: from the leader,
     * which sends it a window at a time from the start, and from other members whose latest snapshot is
     * the same (same position and checksum), asked for chunks beyond the leader's window. Chunks that
     * arrive before those they follow wait in {@link #ahead}; once written, the leader hears how far the
     * snapshot got and skips what others sent.
     */
    private static final class Receiving {
        final LogPosition position;
        final long total;
        final int checksum;
        final SnapshotWriter writer;
        /** The leader that sends the snapshot (the latest to send a chunk of it). */
        PeerId leader;
        final TreeMap<Long, byte[]> ahead = new TreeMap<>();
        /** The chunks asked of other members, by offset: who was asked, and when. */
        final TreeMap<Long, Fetch> fetching = new TreeMap<>();
        /** Members that do not have the snapshot, or did not answer in time: not asked again. */
        final Set<PeerId> refused = new HashSet<>();
        /** Whether a chunk from a member other than the leader was written. */
        boolean helped;
        /** The offset last reported to the leader, and when a chunk it had already was last answered. */
        long reported = -1;
        long staleAnsweredAt = Long.MIN_VALUE / 2;

        Receiving(LogPosition position, long total, int checksum, SnapshotWriter writer, PeerId leader) {
            this.position = position;
            this.total = total;
            this.checksum = checksum;
            this.writer = writer;
            this.leader = leader;
        }

        int asked(PeerId member) {
            int n = 0;
            for (Fetch fetch : fetching.values()) {
                if (fetch.member().equals(member)) {
                    n++;
                }
            }
            return n;
        }

        /** Forgets what a member was asked, and asks it nothing more. */
        void drop(PeerId member) {
            fetching.values().removeIf(fetch -> fetch.member().equals(member));
            refused.add(member);
        }
    }

    private record Fetch(PeerId member, long sentAt) {
    }

    private record PendingRead(long requestId, PeerId origin, long index, long probe) {
    }

    private record ForwardKey(PeerId origin, long requestId) {
    }

    private static final class PendingForward {
        final long requestId;
        final byte[] data;
        final long deadline;
        boolean sent;
        /** When it was last sent (reads only: an unanswered read is asked again). */
        long sentAt;
        /** Commands: the leader and term it was sent to; set on the first send. */
        PeerId sentTo;
        long sentTerm;
        /** Commands: its bond to {@link #sentTo} closed while it was unanswered; only that leader can tell. */
        boolean orphaned;
        /** Commands: the last send was a resend. */
        boolean resent;

        PendingForward(long requestId, byte[] data, long deadline) {
            this.requestId = requestId;
            this.data = data;
            this.deadline = deadline;
        }
    }

    /**
     * A core over what the storage holds: a new node if it is empty, else the node as it was when the
     * storage last changed (its commit index is relearnt from the leader).
     *
     * @param self    this node
     * @param config  the knobs
     * @param log     the storage
     * @param random  the source of election jitter and formation ids
     * @param now     the current time in milliseconds
     */
    public RaftCore(PeerId self, RaftConfig config, LogStorage log, RandomGenerator random, long now) {
        this(self, config, log, SnapshotStore.inMemory(), random, now);
    }

    /**
     * A core over what the storage and the snapshot store hold. If there is a snapshot, the first
     * {@link #ready()} hands it out for the state machine to restore, and the log continues from it.
     *
     * @param self      this node
     * @param config    the knobs
     * @param log       the log storage
     * @param snapshots the snapshot store
     * @param random    the source of election jitter and formation ids
     * @param now       the current time in milliseconds
     */
    public RaftCore(PeerId self, RaftConfig config, LogStorage log, SnapshotStore snapshots, RandomGenerator random,
                    long now) {
        this.self = Objects.requireNonNull(self, "self");
        this.config = Objects.requireNonNull(config, "config");
        this.log = Objects.requireNonNull(log, "log");
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.random = Objects.requireNonNull(random, "random");
        this.now = now;
        HardState hard = log.hardState();
        this.term = hard.term();
        this.votedFor = hard.votedFor();
        Snapshot snapshot = snapshots.latest();
        if (log.compactedPosition().index() > 0
                && (snapshot == null || snapshot.position().index() < log.compactedPosition().index())) {
            throw new IllegalStateException("the log was compacted up to " + log.compactedPosition().index()
                    + " but the snapshot store holds " + (snapshot == null ? "no snapshot" : "one at "
                    + snapshot.position()) + ": keep snapshots as durable as the log (a FileSnapshotStore next"
                    + " to a FileLogStorage), or start this member afresh with an empty directory");
        }
        if (snapshot != null) {
            coverLogWith(snapshot);
            commitIndex = snapshot.position().index();
            appliedIndex = commitIndex;
            toRestore = snapshot;
        }
        loadConfigurations();
        if (snapshot != null && configurations.floorKey(snapshot.position().index()) == null) {
            configurations.put(snapshot.position().index(), snapshot.configuration());
        }
        configurationsChanged();
        if (!configurations.isEmpty()) {
            formation = configurations.lastEntry().getValue().formation();
        }
        boolean fresh = term == 0 && log.lastPosition().index() == 0;
        electionDeadline = now + electionTimeout() + (fresh ? config.bootstrapDelay() : 0);
    }

    private void loadConfigurations() {
        long last = log.lastPosition().index();
        for (long from = log.firstIndex(); from <= last; ) {
            List<LogEntry> chunk = log.entries(from, last, 16L << 20);
            for (LogEntry entry : chunk) {
                noteConfiguration(entry);
            }
            from = chunk.getLast().index() + 1;
        }
    }

    // ---------------------------------------------------------------- inputs

    /**
     * The members the shell knows of (from the discovery catalog), bonded or not. A node with no log
     * bootstraps the group only once it has met every one of them, so that nodes that started together
     * form one group rather than one each.
     */
    public void knownMembers(Set<PeerId> members) {
        knownMembers = Set.copyOf(members);
    }

    /** A bond with a member of the group formed. */
    public void peerConnected(PeerId peer, long now) {
        advance(now);
        if (peer.equals(self) || !connected.add(peer)) {
            return;
        }
        send(peer, hello());
        if (role == Role.LEADER) {
            Progress p = progress.get(peer);
            if (p == null) {
                p = new Progress(log.lastPosition().index() + 1, now);
                progress.put(peer, p);
            } else {
                p.reset();
            }
            // Tell it at once who leads (a restarted member is online a heartbeat sooner); the answer
            // starts its catch-up.
            if (p.next > log.compactedPosition().index()) {
                sendEmptyAppend(peer, p);
            }
        }
    }

    /** A bond closed because its connection was lost (see {@link #peerDisconnected(PeerId, long, boolean)}). */
    public void peerDisconnected(PeerId peer, long now) {
        peerDisconnected(peer, now, true);
    }

    /**
     * A bond closed.
     *
     * @param peer the member
     * @param now  the current time
     * @param lost whether the connection was lost or the member left (its process died or departed), as
     *             opposed to a bond closed for silence or replaced: only then does a follower of that
     *             member stand for election early, since a silent leader is already covered by the
     *             election timeout and may just be slow
     */
    public void peerDisconnected(PeerId peer, long now, boolean lost) {
        advance(now);
        if (!connected.remove(peer)) {
            return;
        }
        hellos.remove(peer);
        if (receiving != null && receiving.asked(peer) > 0) {
            receiving.fetching.values().removeIf(fetch -> fetch.member().equals(peer));
            planFetches(); // other members take over its chunks
        }
        if (peer.equals(leader) && role != Role.LEADER) {
            leader = null; // its bond is gone: until another leader speaks, this node knows none
            matchesLeader = false;
            // A leader's process that died closes its connections at once: stand for election soon
            // rather than after a whole election timeout. Only a pre-vote, which members that still
            // hear from the leader refuse, so a bond lost to a leader that lives disrupts nothing; the
            // random part keeps the followers of a dead leader from all standing at once. Only a voter of
            // a formed group: a node still joining (no configuration yet, or none that names it) waits the
            // whole timeout for its leader to come back, as a node that may bootstrap must.
            if (lost && formation != 0 && canCampaign()) {
                long soon = now + config.heartbeatInterval() / 5
                        + (config.electionJitter() > 0 ? random.nextLong(config.electionJitter()) : 0);
                electionDeadline = Math.min(electionDeadline, soon);
            }
            for (PendingForward r : readForwards.values()) {
                r.sent = false; // reads, which change nothing, go to the next leader
            }
        }
        // Commands sent to it and not answered: if its process is gone, their callers learn now, not at the
        // forward timeout, that the outcome is unknown. A bond that was replaced or closed for silence
        // leaves a leader that may live on: they are sent to it again once it is heard from in the same
        // term, and it tells whether it already appended them (or that it cannot tell).
        for (Iterator<PendingForward> it = forwards.values().iterator(); it.hasNext(); ) {
            PendingForward f = it.next();
            if (peer.equals(f.sentTo) && (f.sent || f.orphaned)) {
                if (lost) {
                    it.remove();
                    events.add(new CommandFailed(f.requestId, Failure.LEADER_UNRESPONSIVE));
                } else {
                    f.sent = false;
                    f.orphaned = true;
                }
            }
        }
        if (role == Role.LEADER && !isVoter(peer)) {
            progress.remove(peer);
        } else if (role == Role.LEADER && progress.containsKey(peer)) {
            progress.get(peer).reset();
        }
    }

    /**
     * Lets time pass: elections, heartbeats, leadership checks, membership changes, request timeouts.
     *
     * @param now the current time in milliseconds (never earlier than before)
     */
    public void tick(long now) {
        advance(now);
        expireRequests();
        expireFetches();
        if (role == Role.LEADER) {
            if (transferTarget != null && now >= transferDeadline) {
                transferTarget = null; // the target did not take over in time: lead on
                appendWaitingCommands();
            }
            if (now >= heartbeatDeadline) {
                heartbeatDeadline = now + config.heartbeatInterval();
                broadcastAppends(true);
            }
            if (now >= quorumCheckDeadline) {
                quorumCheckDeadline = now + config.electionTimeout();
                if (!hasActiveQuorum()) {
                    becomeFollower(term, null);
                    return;
                }
            }
            adjustMembership();
        } else if (now >= electionDeadline) {
            electionDeadline = now + electionTimeout();
            if (leader != null && now - leaderContact >= config.electionTimeout()) {
                leader = null; // silent for an election timeout: learners and observers forget it too
                matchesLeader = false;
            }
            if (formation == 0) {
                broadcastHello(); // a hello lost to a bond that was replaced cannot keep the group from forming
                maybeBootstrap();
            } else if (canCampaign()) {
                campaign();
            }
        }
    }

    /**
     * Proposes a command. The outcome comes as a {@link CommandAccepted} (then the entry commits, or
     * another one takes its index) or a {@link CommandFailed}.
     *
     * @param requestId an id unique among this node's requests, including those made before a restart
     *                  (the leader remembers recent ids to drop duplicates): start from a random number
     * @param data      the encoded command
     * @param now       the current time
     * @throws IllegalArgumentException if the command is larger than {@link RaftConfig#maxAppendBytes()}
     */
    public void propose(long requestId, byte[] data, long now) {
        advance(now);
        Objects.requireNonNull(data, "data");
        if (data.length > config.maxAppendBytes()) {
            // An entry larger than an append could never be replicated and would stall the log.
            throw new IllegalArgumentException("a command of " + data.length + " bytes is larger than the "
                    + config.maxAppendBytes() + " bytes an append may carry");
        }
        if (role == Role.LEADER && transferTarget == null) {
            LogPosition at = appendNew(LogEntry.Kind.COMMAND, data);
            events.add(new CommandAccepted(requestId, at));
        } else {
            // While the leader hands over, commands wait for the next leader and are forwarded to it.
            forwards.put(requestId, new PendingForward(requestId, data, now + config.forwardTimeout()));
        }
    }

    /**
     * Asks for a read index. The outcome is a {@link ReadReady} or a {@link ReadFailed}.
     *
     * @param requestId an id unique among this node's requests
     * @param now       the current time
     */
    public void read(long requestId, long now) {
        advance(now);
        if (role == Role.LEADER) {
            registerRead(requestId, self);
        } else {
            readForwards.put(requestId, new PendingForward(requestId, null, now + config.forwardTimeout()));
        }
    }

    /**
     * A message from a bonded peer.
     *
     * @param from    the peer at the other end of the bond
     * @param message the message
     * @param now     the current time
     */
    public void receive(PeerId from, RaftMessage message, long now) {
        advance(now);
        if (formation != 0 && message.formation() != 0 && message.formation() != formation) {
            foreignMessages++;
            return;
        }
        switch (message) {
            case Hello hello -> hellos.put(from, hello);
            case PreVote m -> onPreVote(from, m);
            case PreVoteResponse m -> onPreVoteResponse(from, m);
            case RequestVote m -> onRequestVote(from, m);
            case VoteResponse m -> onVoteResponse(from, m);
            case AppendEntries m -> onAppend(from, m);
            case AppendResponse m -> onAppendResponse(from, m);
            case ForwardCommands m -> onForwardCommands(from, m);
            case ForwardResponse m -> onForwardResponse(from, m);
            case ReadIndexRequest m -> onReadIndexRequest(from, m);
            case ReadIndexResponse m -> onReadIndexResponse(from, m);
            case TimeoutNow m -> onTimeoutNow(from, m);
            case InstallSnapshot m -> onInstallSnapshot(from, m);
            case InstallSnapshotResponse m -> onInstallSnapshotResponse(from, m);
            case SnapshotFetch m -> onSnapshotFetch(from, m);
            case SnapshotFetchResponse m -> onSnapshotFetchResponse(from, m);
        }
    }

    /**
     * Asks the leader to remove a voter: an explicit decision, for a voter known to be gone for good.
     *
     * @param voter the voter
     * @param now   the current time
     * @return whether the change was appended (this node leads, has committed in its term, no other
     *         change is under way, the peer is a voter other than this node)
     */
    public boolean removeVoter(PeerId voter, long now) {
        advance(now);
        if (!membershipChangeAllowed() || voter.equals(self) || !isVoter(voter)) {
            return false;
        }
        appendNew(LogEntry.Kind.CONFIGURATION, configuration().withoutVoter(voter).encode());
        return true;
    }

    /**
     * The shell took a snapshot of its state machine after applying up to {@code position}, with its
     * bytes at hand: it is saved, and the log compacted behind it. See
     * {@link #snapshotTaken(Snapshot, long, long)}.
     *
     * @param position  the position of the last applied entry the data includes (committed)
     * @param data      the state machine's bytes
     * @param retain    entries to keep before the position
     * @param allowance on a leader, how many more entries it may keep for a lagging bonded follower
     */
    public void snapshotTaken(LogPosition position, byte[] data, long retain, long allowance) {
        checkSnapshotPosition(position);
        Snapshot saved = snapshots.save(new Snapshot(position, configurationAt(position.index()), data));
        if (saved != null) {
            snapshotTaken(saved, retain, allowance);
        }
    }

    /**
     * A snapshot of the state machine was committed to the snapshot store (written in the background
     * after {@link #configurationAt} gave its configuration): the log is compacted behind it, keeping
     * {@code retain} entries before it for followers that are only a little behind (they then need no
     * snapshot). Nothing happens if the log was compacted further meanwhile (a snapshot was installed).
     *
     * @param snapshot  the committed snapshot, of entries this node applied
     * @param retain    entries to keep before the position
     * @param allowance on a leader, how many more entries it may keep for a bonded follower that lags,
     *                  so that it catches up from the log rather than from a snapshot
     */
    public void snapshotTaken(Snapshot snapshot, long retain, long allowance) {
        LogPosition position = snapshot.position();
        if (position.index() <= log.compactedPosition().index()) {
            return;
        }
        checkSnapshotPosition(position);
        long upTo = position.index() - Math.max(0, retain);
        if (role == Role.LEADER) {
            for (PeerId peer : connected) {
                Progress p = progress.get(peer);
                if (p != null) {
                    upTo = Math.min(upTo, Math.max(p.match, upTo - Math.max(0, allowance)));
                }
            }
        }
        if (upTo > log.compactedPosition().index()) {
            log.compact(new LogPosition(log.termAt(upTo), upTo));
            forgetConfigurationsBefore(upTo);
        }
    }

    private void checkSnapshotPosition(LogPosition position) {
        if (position.index() > appliedIndex || log.termAt(position.index()) != position.term()) {
            throw new IllegalArgumentException("a snapshot at " + position + " of a log applied up to "
                    + appliedIndex + " that holds term " + log.termAt(position.index()) + " there");
        }
    }

    /**
     * Starts a snapshot of the state machine at an applied position, in this node's snapshot store; once
     * written and committed, pass it to {@link #snapshotTaken(Snapshot, long, long)}.
     *
     * @param position the last applied entry the state includes
     * @return the writer
     */
    public SnapshotWriter beginSnapshot(LogPosition position) {
        checkSnapshotPosition(position);
        return snapshots.create(position, configurationAt(position.index()));
    }

    /**
     * The configuration in force at an index this node applied, for a snapshot of its state there.
     *
     * @param index an applied index not before the log's compacted position
     * @return the configuration
     * @throws IllegalArgumentException if it is not known (compacted away, or no configuration yet)
     */
    public Configuration configurationAt(long index) {
        Map.Entry<Long, Configuration> entry = configurations.floorEntry(index);
        if (entry == null || index < log.compactedPosition().index()) {
            throw new IllegalArgumentException("the configuration at " + index + " is not known here (log compacted"
                    + " up to " + log.compactedPosition().index() + ")");
        }
        return entry.getValue();
    }

    /**
     * Hands the leadership over to the most up-to-date voter, for a graceful shutdown: once that voter
     * holds every entry, it is told to stand for election at once. Commands proposed meanwhile wait for
     * the next leader. The transfer is abandoned after an election timeout.
     *
     * @param now the current time
     * @return whether a transfer started (this node leads and another voter is bonded)
     */
    public boolean transferLeadership(long now) {
        advance(now);
        if (role != Role.LEADER) {
            return false;
        }
        PeerId best = null;
        for (PeerId voter : configuration().voters()) {
            Progress p = progress.get(voter);
            Hello hello = hellos.get(voter);
            if (voter.equals(self) || p == null || !connected.contains(voter)
                    || (hello != null && hello.preference() == LeadershipPreference.OBSERVER)) {
                continue;
            }
            if (best == null || p.match > progress.get(best).match) {
                best = voter;
            }
        }
        if (best == null) {
            return false;
        }
        transferTarget = best;
        transferDeadline = now + config.electionTimeout();
        timeoutNowSent = false;
        maybeSendTimeoutNow();
        return true;
    }

    /**
     * Takes what the calls since the last ready asked for: messages, committed entries, request outcomes.
     * Committed entries are handed out once; the shell must apply them in order.
     */
    public RaftReady ready() {
        if (role == Role.LEADER) {
            broadcastAppends(false);
        } else if (leader != null) {
            flushForwards();
        }
        List<LogEntry> committed = List.of();
        if (appliedIndex < commitIndex && appliedIndex + 1 < log.firstIndex()) {
            throw new IllegalStateException("entries " + (appliedIndex + 1) + ".." + (log.firstIndex() - 1)
                    + " were compacted before they were handed out");
        }
        if (appliedIndex < commitIndex) {
            committed = log.entries(appliedIndex + 1, commitIndex, Long.MAX_VALUE);
            appliedIndex = commitIndex;
        }
        RaftReady ready = new RaftReady(outbox, committed, events, toRestore);
        toRestore = null;
        outbox = new ArrayList<>();
        events = new ArrayList<>();
        appendsThisTurn.clear();
        return ready;
    }

    // ---------------------------------------------------------------- introspection

    /** This node. */
    public PeerId self() {
        return self;
    }

    /** The current role. */
    public Role role() {
        return role;
    }

    /** The current term. */
    public long term() {
        return term;
    }

    /** The known leader, or {@code null}. */
    public PeerId leader() {
        return leader;
    }

    /** The highest index known to be committed. */
    public long commitIndex() {
        return commitIndex;
    }

    /** The position of the last log entry. */
    public LogPosition lastPosition() {
        return log.lastPosition();
    }

    /** The current configuration, or {@code null} before this node has one. */
    public Configuration configuration() {
        return latestConfiguration;
    }

    /** Messages dropped because they came from another formation of the group. */
    public long foreignMessages() {
        return foreignMessages;
    }

    /** Snapshot chunks this node installed that came from members other than the leader. */
    public long snapshotChunksFetched() {
        return snapshotChunksFetched;
    }

    /** Snapshot chunks this node served to members installing the same snapshot. */
    public long snapshotChunksServed() {
        return snapshotChunksServed;
    }

    /** Elections this node has stood in (pre-votes that won a majority). */
    public long elections() {
        return elections;
    }

    /** Whether this node has a log consistent with a leader it hears from (or leads). */
    public boolean isOnline() {
        return role == Role.LEADER || (role == Role.FOLLOWER && leader != null && matchesLeader);
    }

    /** A snapshot of this node's view. */
    public RaftStatus status() {
        Configuration current = configuration();
        TreeSet<PeerId> voters = current == null ? new TreeSet<>() : new TreeSet<>(current.voters());
        List<PeerId> learners = new ArrayList<>();
        for (PeerId peer : connected) {
            if (!voters.contains(peer)) {
                learners.add(peer);
            }
        }
        if (!voters.contains(self)) {
            learners.addFirst(self);
        }
        Map<PeerId, RaftStatus.FollowerStatus> followers = new HashMap<>();
        if (role == Role.LEADER) {
            progress.forEach((peer, p) -> followers.put(peer, new RaftStatus.FollowerStatus(
                    p.match, p.reportedLast, voters.contains(peer), Math.max(0, now - p.lastContact),
                    p.snapshotSending == null ? 0 : p.snapshotAcked,
                    p.snapshotSending == null ? 0 : p.snapshotSending.data().size())));
        }
        Snapshot snapshot = snapshots.latest();
        return new RaftStatus(self, role, term, leader, commitIndex, log.lastPosition(), formation, voters,
                learners, followers, log.compactedPosition(), snapshot == null ? null : snapshot.position(),
                snapshot == null ? 0 : snapshot.data().size());
    }

    // ---------------------------------------------------------------- elections

    private long electionTimeout() {
        long timeout = config.electionTimeout()
                + (config.electionJitter() > 0 ? random.nextLong(config.electionJitter()) : 0);
        return config.preference() == LeadershipPreference.RELUCTANT ? timeout * 3 : timeout;
    }

    private boolean canCampaign() {
        return config.preference() != LeadershipPreference.OBSERVER && isVoter(self);
    }

    private boolean isVoter(PeerId peer) {
        Configuration current = configuration();
        return current != null && current.isVoter(peer);
    }

    /** Whether this node has heard from a live leader recently enough to refuse to help replace it. */
    private boolean inLease() {
        return role == Role.LEADER
                || (leader != null && now - leaderContact < config.electionTimeout());
    }

    private void maybeSendTimeoutNow() {
        Progress p = progress.get(transferTarget);
        if (!timeoutNowSent && p != null && p.match == log.lastPosition().index()) {
            timeoutNowSent = true;
            send(transferTarget, new TimeoutNow(formation, term));
        }
    }

    private void onTimeoutNow(PeerId from, TimeoutNow m) {
        if (m.term() == term && from.equals(leader) && role == Role.FOLLOWER && canCampaign()) {
            becomeCandidate(true);
        }
    }

    private void campaign() {
        role = Role.PRE_CANDIDATE;
        leader = null;
        votes.clear();
        votes.add(self);
        if (configuration().isQuorum(votes)) {
            becomeCandidate(false);
            return;
        }
        PreVote ask = new PreVote(formation, term + 1, log.lastPosition());
        for (PeerId voter : configuration().voters()) {
            if (!voter.equals(self)) {
                send(voter, ask);
            }
        }
    }

    private void becomeCandidate(boolean transfer) {
        elections++;
        role = Role.CANDIDATE;
        leader = null;
        setHardState(term + 1, self);
        electionDeadline = now + electionTimeout();
        votes.clear();
        votes.add(self);
        if (configuration().isQuorum(votes)) {
            becomeLeader();
            return;
        }
        RequestVote ask = new RequestVote(formation, term, log.lastPosition(), transfer);
        for (PeerId voter : configuration().voters()) {
            if (!voter.equals(self)) {
                send(voter, ask);
            }
        }
    }

    private void becomeLeader() {
        role = Role.LEADER;
        leader = self;
        progress.clear();
        long next = log.lastPosition().index() + 1;
        for (PeerId peer : configuration().voters()) {
            if (!peer.equals(self)) {
                progress.put(peer, new Progress(next, now));
            }
        }
        for (PeerId peer : connected) {
            progress.putIfAbsent(peer, new Progress(next, now));
        }
        probe = 0;
        termStart = appendNew(LogEntry.Kind.NOOP, new byte[0]).index();
        heartbeatDeadline = now + config.heartbeatInterval();
        quorumCheckDeadline = now + config.electionTimeout();
        appendWaitingCommands();
        for (PendingForward r : readForwards.values()) {
            registerRead(r.requestId, self);
        }
        readForwards.clear();
        advanceCommit();
    }

    /**
     * Commands that waited for a leader: this node is it. Those already sent to a previous leader may be
     * in its log, so they wait for its answer (or time out as possibly applied).
     */
    private void appendWaitingCommands() {
        for (Iterator<PendingForward> it = forwards.values().iterator(); it.hasNext(); ) {
            PendingForward f = it.next();
            if (f.orphaned) {
                // Its leader may have appended it in an earlier term, and no one can tell any more.
                it.remove();
                events.add(new CommandFailed(f.requestId, Failure.LEADER_UNRESPONSIVE));
            } else if (!f.sent) {
                it.remove();
                events.add(new CommandAccepted(f.requestId, appendNew(LogEntry.Kind.COMMAND, f.data)));
            }
        }
    }

    private void becomeFollower(long newTerm, PeerId newLeader) {
        if (role == Role.LEADER) {
            abandonLeadership();
        }
        if (newTerm > term) {
            setHardState(newTerm, null);
        }
        role = Role.FOLLOWER;
        votes.clear();
        matchesLeader = false;
        leader = newLeader;
        if (newLeader != null) {
            leaderContact = now;
        }
        electionDeadline = now + electionTimeout();
    }

    private void abandonLeadership() {
        transferTarget = null;
        progress.clear();
        recentForwards.clear();
        forgottenUpTo.clear();
        for (PendingRead r : reads) {
            refuseRead(r);
        }
        for (PendingRead r : readsAwaitingTermCommit) {
            refuseRead(r);
        }
        reads.clear();
        readsAwaitingTermCommit.clear();
    }

    private void refuseRead(PendingRead r) {
        if (r.origin.equals(self)) {
            // The read goes back to waiting for a leader, within its original deadline.
            readForwards.put(r.requestId, new PendingForward(r.requestId, null, now + config.forwardTimeout()));
        } else {
            send(r.origin, new ReadIndexResponse(formation, r.requestId, -1));
        }
    }

    private void onPreVote(PeerId from, PreVote m) {
        boolean grant = m.term() > term && m.last().atLeast(log.lastPosition()) && !inLease();
        send(from, new PreVoteResponse(formation, grant ? m.term() : term, grant));
    }

    private void onPreVoteResponse(PeerId from, PreVoteResponse m) {
        if (role != Role.PRE_CANDIDATE) {
            if (m.term() > term && !m.granted()) {
                becomeFollower(m.term(), null);
            }
            return;
        }
        if (m.granted() && m.term() == term + 1 && isVoter(from)) {
            votes.add(from);
            if (configuration().isQuorum(votes)) {
                becomeCandidate(false);
            }
        } else if (!m.granted() && m.term() > term) {
            becomeFollower(m.term(), null);
        }
    }

    private void onRequestVote(PeerId from, RequestVote m) {
        if (m.term() < term) {
            send(from, new VoteResponse(formation, term, false));
            return;
        }
        if (m.term() > term) {
            if (inLease() && !m.transfer()) {
                return;
            }
            becomeFollower(m.term(), null);
        }
        boolean grant = (votedFor == null || votedFor.equals(from)) && m.last().atLeast(log.lastPosition());
        if (grant) {
            setHardState(term, from);
            electionDeadline = now + electionTimeout();
        }
        send(from, new VoteResponse(formation, term, grant));
    }

    private void onVoteResponse(PeerId from, VoteResponse m) {
        if (m.term() > term) {
            becomeFollower(m.term(), null);
            return;
        }
        if (role == Role.CANDIDATE && m.term() == term && m.granted() && isVoter(from)) {
            votes.add(from);
            if (configuration().isQuorum(votes)) {
                becomeLeader();
            }
        }
    }

    private void maybeBootstrap() {
        if (config.preference() == LeadershipPreference.OBSERVER || log.lastPosition().index() != 0) {
            return;
        }
        for (PeerId member : knownMembers) {
            if (!member.equals(self) && !hellos.containsKey(member)) {
                return; // a member this node has not met yet may already have a formation: meet it first
            }
        }
        List<PeerId> fresh = new ArrayList<>();
        fresh.add(self);
        for (PeerId peer : connected) {
            Hello hello = hellos.get(peer);
            if (hello == null) {
                return; // not yet known whether it belongs to a formation: wait for its hello
            }
            if (hello.formation() != 0) {
                return; // a formation exists: its leader will replicate to this node
            }
            if (hello.last().index() == 0 && hello.preference() != LeadershipPreference.OBSERVER) {
                fresh.add(peer);
            }
        }
        // Normal members before reluctant ones, then by id: every fresh member computes the same order.
        fresh.sort(java.util.Comparator.<PeerId, Boolean>comparing(peer -> (peer.equals(self)
                ? config.preference() : hellos.get(peer).preference()) == LeadershipPreference.RELUCTANT)
                .thenComparing(java.util.Comparator.naturalOrder()));
        if (fresh.size() < config.bootstrapExpect() || !fresh.getFirst().equals(self)) {
            return;
        }
        long id = random.nextLong();
        Configuration first = new Configuration(id == 0 ? 1 : id,
                new TreeSet<>(fresh.subList(0, config.bootstrapExpect())));
        setHardState(term + 1, null);
        appendEntries(List.of(new LogEntry(term, 1, LogEntry.Kind.CONFIGURATION, first.encode())));
        campaign();
    }

    // ---------------------------------------------------------------- replication

    private void onAppend(PeerId from, AppendEntries m) {
        if (m.term() < term) {
            send(from, new AppendResponse(formation, term, false, m.prevIndex(), 0, m.probe()));
            return;
        }
        if (m.term() > term || role != Role.FOLLOWER || !from.equals(leader)) {
            becomeFollower(m.term(), from);
        }
        leaderContact = now;
        electionDeadline = now + electionTimeout();

        long prevIndex = m.prevIndex();
        List<LogEntry> entries = m.entries();
        if (prevIndex < commitIndex) {
            // Entries up to the commit index are in this log already (a late or duplicated append).
            int skip = (int) Math.min(entries.size(), commitIndex - prevIndex);
            entries = entries.subList(skip, entries.size());
            prevIndex = Math.max(prevIndex, commitIndex);
            if (entries.isEmpty()) {
                matchesLeader = true;
                send(from, new AppendResponse(formation, term, true, commitIndex, log.lastPosition().index(), m.probe()));
                return;
            }
            prevIndex = entries.getFirst().index() - 1;
        } else {
            long last = log.lastPosition().index();
            if (prevIndex > last) {
                matchesLeader = false;
                send(from, new AppendResponse(formation, term, false, prevIndex, last, m.probe()));
                return;
            }
            if (log.termAt(prevIndex) != m.prevTerm()) {
                matchesLeader = false;
                send(from, new AppendResponse(formation, term, false, prevIndex,
                        agreementHint(prevIndex - 1, m.prevTerm()), m.probe()));
                return;
            }
        }
        long last = log.lastPosition().index();
        for (int i = 0; i < entries.size(); i++) {
            LogEntry entry = entries.get(i);
            if (entry.index() <= last) {
                if (log.termAt(entry.index()) == entry.term()) {
                    continue;
                }
                if (entry.index() <= commitIndex) {
                    throw new IllegalStateException("leader " + from + " overwrites committed entry " + entry.index());
                }
                truncate(entry.index());
            }
            appendEntries(entries.subList(i, entries.size()));
            break;
        }
        long matched = prevIndex + entries.size();
        matchesLeader = true;
        long newCommit = Math.min(m.leaderCommit(), matched);
        if (newCommit > commitIndex) {
            commitIndex = newCommit;
        }
        send(from, new AppendResponse(formation, term, true, matched, log.lastPosition().index(), m.probe()));
    }

    /** The highest index at or below {@code from} whose term is at most {@code term}. */
    private long agreementHint(long from, long term) {
        long index = Math.min(from, log.lastPosition().index());
        while (index > commitIndex && log.termAt(index) > term) {
            index--;
        }
        return index;
    }

    private void onAppendResponse(PeerId from, AppendResponse m) {
        if (m.term() > term) {
            becomeFollower(m.term(), null);
            return;
        }
        if (role != Role.LEADER || m.term() != term) {
            return;
        }
        Progress p = progress.get(from);
        if (p == null) {
            return;
        }
        p.lastContact = now;
        p.probeAck = Math.max(p.probeAck, m.probe());
        if (m.success()) {
            p.reportedLast = m.hint();
            if (p.acknowledged(m.index())) {
                advanceCommit();
            }
            if (role == Role.LEADER && from.equals(transferTarget)) {
                maybeSendTimeoutNow();
            }
        } else {
            p.reportedLast = m.hint();
            p.refused(m.index(), m.hint());
        }
        confirmReads();
    }

    private void broadcastAppends(boolean heartbeat) {
        boolean noticesDue = now >= commitNoticeAt;
        boolean deferred = false;
        long last = log.lastPosition().index();
        for (Map.Entry<PeerId, Progress> e : progress.entrySet()) {
            PeerId peer = e.getKey();
            if (!connected.contains(peer)) {
                continue;
            }
            Progress p = e.getValue();
            if (p.next <= log.compactedPosition().index()) {
                // What it needs next was compacted away: it gets the snapshot, a window of chunks at a time.
                sendSnapshotChunks(peer, p, heartbeat);
                continue;
            }
            boolean sentAny = false;
            while (p.next <= last && p.canSend(config.maxInflight())) {
                sendAppend(peer, p, last);
                sentAny = true;
                if (!p.replicating) {
                    break;
                }
            }
            // An empty append carries a read's probe (always: reads wait for it) or a new commit index
            // (when the window has room, and at once only if the follower waits for it).
            boolean commitNews = p.sentCommit < commitIndex && p.canSend(config.maxInflight());
            boolean awaited = p.awaitedCommit > p.sentCommit && commitIndex >= p.awaitedCommit;
            if (!sentAny && (heartbeat || p.sentProbe < probe || (commitNews && (noticesDue || awaited)))) {
                sendEmptyAppend(peer, p);
            } else if (!sentAny && commitNews) {
                deferred = true;
            }
        }
        if (!deferred) {
            commitNoticeAt = Long.MAX_VALUE;
        } else if (noticesDue || commitNoticeAt == Long.MAX_VALUE) {
            commitNoticeAt = now + COMMIT_NOTICE_DELAY;
        }
    }

    /** Whether commit indices are held back from followers: the shell should tick within a millisecond. */
    public boolean commitNoticesPending() {
        return role == Role.LEADER && commitNoticeAt != Long.MAX_VALUE;
    }

    private void sendAppend(PeerId peer, Progress p, long last) {
        long prevIndex = p.next - 1;
        long to = Math.min(last, p.next + MAX_ENTRIES_PER_APPEND - 1);
        BuiltAppend built = appendsThisTurn.get(prevIndex);
        AppendEntries append = built == null ? null : built.message();
        if (append == null || built.to() != to || append.term() != term || append.formation() != formation
                || append.leaderCommit() != commitIndex || append.probe() != probe) {
            List<LogEntry> entries = log.entries(p.next, to, config.maxAppendBytes());
            append = new AppendEntries(formation, term, prevIndex, log.termAt(prevIndex), entries, commitIndex, probe);
            appendsThisTurn.put(prevIndex, new BuiltAppend(append, to));
        }
        send(peer, append);
        p.sentCommit = commitIndex;
        p.sentProbe = probe;
        p.sent(append.entries().getLast().index());
    }

    private void sendSnapshotChunks(PeerId peer, Progress p, boolean heartbeat) {
        Snapshot snapshot = p.snapshotSending;
        if (snapshot == null || snapshot.position().index() < log.compactedPosition().index()
                && p.snapshotAcked == 0) {
            // A new transfer, or one that had not begun when a newer snapshot came: take the latest.
            snapshot = snapshots.latest();
        }
        SnapshotData data = snapshot.data();
        if (snapshot != p.snapshotSending) {
            p.snapshotSending = snapshot;
            p.snapshotOffset = 0;
            p.snapshotAcked = 0;
            p.snapshotRewind = -1;
            p.snapshotStalled = false;
            p.probeOut = false;
        } else if (heartbeat) {
            if (p.snapshotStalled) {
                // No answer for a whole heartbeat interval: chunks were lost with a bond; resend them.
                p.snapshotOffset = p.snapshotAcked;
                p.probeOut = false;
            }
            p.snapshotStalled = true;
        }
        int chunk = snapshotChunk();
        byte[] configuration = null;
        while (p.snapshotOffset - p.snapshotAcked < (long) SNAPSHOT_WINDOW * chunk
                && (p.snapshotOffset < data.size() || data.size() == 0 && !p.probeOut)) {
            long from = p.snapshotOffset;
            int length = (int) Math.min(chunk, data.size() - from);
            if (configuration == null) {
                configuration = snapshot.configuration().encode();
            }
            send(peer, new InstallSnapshot(formation, term, snapshot.position(), configuration, from, data.size(),
                    data.checksum(), data.read(from, length)));
            p.snapshotOffset = from + length;
            p.probeOut = true;
            if (length == 0) {
                break;
            }
        }
        p.replicating = false;
    }

    private void onInstallSnapshot(PeerId from, InstallSnapshot m) {
        if (m.term() < term) {
            send(from, new InstallSnapshotResponse(formation, term, m.position(), 0, false));
            return;
        }
        if (m.term() > term || role != Role.FOLLOWER || !from.equals(leader)) {
            becomeFollower(m.term(), from);
        }
        leaderContact = now;
        electionDeadline = now + electionTimeout();
        LogPosition position = m.position();
        if (position.index() <= commitIndex) {
            abandonReceiving();
            send(from, new InstallSnapshotResponse(formation, term, position, m.total(), true));
            return;
        }
        if (receiving == null || !receiving.position.equals(position) || receiving.total != m.total()
                || receiving.checksum != m.checksum()) {
            if (m.offset() != 0) {
                send(from, new InstallSnapshotResponse(formation, term, position, 0, false));
                return;
            }
            abandonReceiving();
            receiving = new Receiving(position, m.total(), m.checksum(),
                    snapshots.create(position, Configuration.decode(m.configuration())), from);
        }
        Receiving r = receiving;
        r.leader = from;
        long written = r.writer.written();
        if (m.offset() < written && written == r.reported && now - r.staleAnsweredAt < config.heartbeatInterval()) {
            // a chunk it has (others sent it first) and the leader already heard how far it got: an answer
            // would only make the leader send its window again; one per heartbeat keeps a lost answer from
            // stalling the transfer
            return;
        }
        if (m.offset() != written) {
            if (m.offset() < written) {
                r.staleAnsweredAt = now;
            }
            answerLeader(r);
            return;
        }
        try {
            r.writer.write(m.chunk(), 0, m.chunk().length);
        } catch (java.io.IOException e) {
            throw receivingFailed(e);
        }
        continueReceiving(true);
    }

    /**
     * Writes the chunks fetched ahead that now follow on; then, if the snapshot is whole, checks and
     * installs it, else tells the leader how far it got (always after a chunk of its own, or when a
     * fetched chunk moved the snapshot on) and asks other members for more.
     */
    private void continueReceiving(boolean answerLeader) {
        Receiving r = receiving;
        SnapshotWriter writer = r.writer;
        long before = writer.written();
        Snapshot snapshot;
        try {
            while (!r.ahead.isEmpty() && r.ahead.firstKey() <= writer.written()) {
                Map.Entry<Long, byte[]> next = r.ahead.pollFirstEntry();
                if (next.getKey() == writer.written()) {
                    writer.write(next.getValue(), 0, next.getValue().length);
                    r.helped = true;
                }
            }
            if (writer.written() < r.total) {
                if (answerLeader || writer.written() > before) {
                    answerLeader(r);
                }
                planFetches();
                return;
            }
            receiving = null;
            if (writer.checksum() != r.checksum) {
                writer.close();
                if (r.helped) {
                    unhelpedSnapshot = r.position; // a member sent a bad chunk: the leader alone, this time
                }
                send(r.leader, new InstallSnapshotResponse(formation, term, r.position, 0, false)); // start over
                return;
            }
            writer.prepare();
            snapshot = writer.commit();
        } catch (java.io.IOException e) {
            throw receivingFailed(e);
        }
        if (snapshot == null) {
            snapshot = snapshots.latest(); // one at least as recent was committed meanwhile
        }
        coverLogWith(snapshot);
        commitIndex = Math.max(commitIndex, snapshot.position().index());
        if (appliedIndex < snapshot.position().index()) {
            appliedIndex = snapshot.position().index();
            toRestore = snapshot;
        }
        matchesLeader = true;
        send(r.leader, new InstallSnapshotResponse(formation, term, r.position, r.total, true));
    }

    /** Tells the leader how far the snapshot got. */
    private void answerLeader(Receiving r) {
        r.reported = r.writer.written();
        send(r.leader, new InstallSnapshotResponse(formation, term, r.position, r.reported, false));
    }

    private java.io.UncheckedIOException receivingFailed(java.io.IOException e) {
        LogPosition position = receiving != null ? receiving.position : null;
        if (receiving != null) {
            receiving.writer.close();
            receiving = null;
        }
        return new java.io.UncheckedIOException("cannot write the snapshot at " + position + " being installed", e);
    }

    /**
     * Asks members other than the leader for chunks beyond the leader's window, up to {@link #FETCH_WINDOW}
     * at a time from each, up to {@link #FETCH_AHEAD} chunks ahead: those whose latest snapshot is this one
     * send them.
     */
    private void planFetches() {
        Receiving r = receiving;
        if (r == null || r.position.equals(unhelpedSnapshot)) {
            return;
        }
        long chunk = snapshotChunk();
        long written = r.writer.written();
        long offset = (written + SNAPSHOT_WINDOW * chunk + chunk - 1) / chunk * chunk;
        long limit = Math.min(r.total, written + (SNAPSHOT_WINDOW + FETCH_AHEAD) * chunk);
        List<PeerId> members = new ArrayList<>();
        for (PeerId member : connected) {
            if (!member.equals(r.leader) && !r.refused.contains(member)) {
                members.add(member);
            }
        }
        // Round robin: each member gets the next chunk nobody has or was asked for, up to its window.
        for (boolean asked = true; asked && !members.isEmpty(); ) {
            asked = false;
            for (PeerId member : members) {
                if (r.asked(member) >= FETCH_WINDOW) {
                    continue;
                }
                while (offset < limit && (r.ahead.containsKey(offset) || r.fetching.containsKey(offset))) {
                    offset += chunk;
                }
                if (offset >= limit) {
                    return;
                }
                send(member, new SnapshotFetch(formation, r.position, r.checksum, offset, (int) chunk));
                r.fetching.put(offset, new Fetch(member, now));
                offset += chunk;
                asked = true;
            }
        }
    }

    private int snapshotChunk() {
        return (int) Math.max(1, Math.min(SNAPSHOT_CHUNK, config.maxAppendBytes()));
    }

    /** Members that were asked for a chunk an election timeout ago and did not answer are not asked again. */
    private void expireFetches() {
        Receiving r = receiving;
        if (r == null || r.fetching.isEmpty()) {
            return;
        }
        Set<PeerId> late = new HashSet<>();
        r.fetching.values().forEach(fetch -> {
            if (now - fetch.sentAt() >= config.electionTimeout()) {
                late.add(fetch.member());
            }
        });
        if (!late.isEmpty()) {
            late.forEach(r::drop);
            planFetches();
        }
    }

    private void onSnapshotFetch(PeerId from, SnapshotFetch m) {
        Snapshot latest = snapshots.latest();
        boolean available = latest != null && latest.position().equals(m.position())
                && latest.data().checksum() == m.checksum() && m.offset() < latest.data().size();
        byte[] chunk = NO_BYTES;
        if (available) {
            int length = (int) Math.min(Math.min(m.length(), SNAPSHOT_CHUNK), latest.data().size() - m.offset());
            chunk = latest.data().read(m.offset(), length);
            snapshotChunksServed++;
        }
        send(from, new SnapshotFetchResponse(formation, m.position(), m.checksum(), m.offset(), available, chunk));
    }

    private void onSnapshotFetchResponse(PeerId from, SnapshotFetchResponse m) {
        Receiving r = receiving;
        if (r == null) {
            return;
        }
        Fetch asked = r.fetching.get(m.offset());
        if (asked == null || !asked.member().equals(from) || !m.position().equals(r.position)
                || m.checksum() != r.checksum) {
            return; // not what it was asked for (an answer that came after its time ran out)
        }
        r.fetching.remove(m.offset());
        long expected = Math.min(snapshotChunk(), r.total - m.offset());
        if (!m.available() || m.chunk().length != expected) {
            r.drop(from);
            planFetches();
            return;
        }
        if (m.offset() >= r.writer.written()) {
            r.ahead.put(m.offset(), m.chunk());
            snapshotChunksFetched++;
        }
        continueReceiving(false);
    }

    private void abandonReceiving() {
        if (receiving != null) {
            receiving.writer.close();
            receiving = null;
        }
    }

    /** Makes the log continue from a snapshot: keeps the entries after it if the log agrees there. */
    private void coverLogWith(Snapshot snapshot) {
        LogPosition position = snapshot.position();
        if (position.index() <= log.compactedPosition().index()) {
            return;
        }
        if (position.index() <= log.lastPosition().index() && log.termAt(position.index()) == position.term()) {
            log.compact(position);
            forgetConfigurationsBefore(position.index());
        } else {
            log.reset(position);
            configurations.clear();
        }
        if (!configurations.containsKey(position.index())) {
            configurations.put(position.index(), snapshot.configuration());
        }
        configurationsChanged();
        if (configurations.lastEntry() == null || configurations.lastKey() <= position.index()) {
            formation = snapshot.configuration().formation();
        }
    }

    /** Drops configurations older than the one in force at {@code index}. */
    private void forgetConfigurationsBefore(long index) {
        Long floor = configurations.floorKey(index);
        if (floor != null) {
            configurations.headMap(floor, false).clear();
            configurationsChanged();
        }
    }

    private void onInstallSnapshotResponse(PeerId from, InstallSnapshotResponse m) {
        if (m.term() > term) {
            becomeFollower(m.term(), null);
            return;
        }
        Progress p = progress.get(from);
        if (role != Role.LEADER || m.term() != term || p == null) {
            return;
        }
        p.lastContact = now;
        p.probeOut = false;
        if (m.done()) {
            p.snapshotSending = null;
            if (p.acknowledged(m.position().index())) {
                advanceCommit();
            }
        } else if (p.snapshotSending != null && m.position().equals(p.snapshotSending.position())) {
            p.snapshotStalled = false;
            long next = m.nextOffset();
            if (next > p.snapshotAcked) {
                p.snapshotAcked = next;
                p.snapshotOffset = Math.max(p.snapshotOffset, next);
                p.snapshotRewind = -1;
            } else if (next != p.snapshotRewind) {
                // It refused a chunk (it has less than was sent): go on from what it has, once.
                p.snapshotAcked = next;
                p.snapshotOffset = next;
                p.snapshotRewind = next;
                p.probeOut = false;
            }
            sendSnapshotChunks(from, p, false);
        }
    }

    private void sendEmptyAppend(PeerId peer, Progress p) {
        long prevIndex = p.replicating ? p.next - 1 : Math.min(p.next - 1, log.lastPosition().index());
        send(peer, new AppendEntries(formation, term, prevIndex, log.termAt(prevIndex), List.of(), commitIndex, probe));
        p.sentCommit = commitIndex;
        p.sentProbe = probe;
        if (!p.replicating) {
            p.probeOut = true;
        }
    }

    private void advanceCommit() {
        Configuration current = configuration();
        long last = log.lastPosition().index();
        long majority = current.majorityIndex(peer -> {
            if (peer.equals(self)) {
                return last;
            }
            Progress p = progress.get(peer);
            return p == null ? 0 : p.match;
        });
        if (majority <= commitIndex || log.termAt(majority) != term) {
            return;
        }
        commitIndex = majority;
        if (commitIndex >= termStart && !readsAwaitingTermCommit.isEmpty()) {
            List<PendingRead> waiting = new ArrayList<>(readsAwaitingTermCommit);
            readsAwaitingTermCommit.clear();
            for (PendingRead r : waiting) {
                registerRead(r.requestId, r.origin);
            }
        }
        if (!current.isVoter(self) && configurations.lastKey() <= commitIndex) {
            // This node's own removal committed: it hands over by stepping down.
            becomeFollower(term, null);
        }
    }

    private boolean hasActiveQuorum() {
        Set<PeerId> active = new HashSet<>();
        active.add(self);
        progress.forEach((peer, p) -> {
            if (now - p.lastContact < config.electionTimeout()) {
                active.add(peer);
            }
        });
        return configuration().isQuorum(active);
    }

    // ---------------------------------------------------------------- membership

    private boolean membershipChangeAllowed() {
        return role == Role.LEADER && commitIndex >= termStart && configurations.lastKey() <= commitIndex;
    }

    /**
     * Whether a learner keeps up with the log, in rounds: it is caught up once it holds every committed
     * entry, or once it reaches the commit index a round began at within an election timeout. Under a
     * steady load a learner is always a few entries behind (those in flight), so waiting for it to hold
     * the commit index itself could wait for ever, most of all in a group of one voter, whose commit
     * index is its last entry.
     */
    private boolean caughtUp(Progress p) {
        if (p.match >= commitIndex) {
            return true;
        }
        if (p.roundTarget > 0 && p.match >= p.roundTarget) {
            boolean quick = now - p.roundStarted <= config.electionTimeout();
            p.roundTarget = commitIndex;
            p.roundStarted = now;
            return quick;
        }
        if (p.roundTarget == 0) {
            p.roundTarget = commitIndex;
            p.roundStarted = now;
        }
        return false;
    }

    private void adjustMembership() {
        if (!membershipChangeAllowed()) {
            return;
        }
        Configuration current = configuration();
        if (config.voterRemovalTimeout() > 0) {
            for (PeerId voter : current.voters()) {
                Progress p = progress.get(voter);
                if (p != null && now - p.lastContact > config.voterRemovalTimeout()) {
                    appendNew(LogEntry.Kind.CONFIGURATION, current.withoutVoter(voter).encode());
                    return;
                }
            }
        }
        if (current.voters().size() < config.targetVoters()) {
            PeerId best = null;
            for (PeerId peer : connected) {
                Hello hello = hellos.get(peer);
                Progress p = progress.get(peer);
                if (current.isVoter(peer) || hello == null || p == null
                        || hello.preference() == LeadershipPreference.OBSERVER
                        || !caughtUp(p) || now - p.lastContact >= config.electionTimeout()) {
                    continue;
                }
                if (best == null || (hellos.get(best).preference() == LeadershipPreference.RELUCTANT
                        && hello.preference() == LeadershipPreference.NORMAL)) {
                    best = peer;
                }
            }
            if (best != null) {
                appendNew(LogEntry.Kind.CONFIGURATION, current.withVoter(best).encode());
            }
        } else if (current.voters().size() > config.targetVoters()) {
            PeerId drop = null;
            for (PeerId voter : current.voters()) {
                if (!voter.equals(self)) {
                    Progress p = progress.get(voter);
                    Progress d = drop == null ? null : progress.get(drop);
                    if (drop == null || (p != null && d != null && p.lastContact <= d.lastContact)) {
                        drop = voter;
                    }
                }
            }
            if (drop != null) {
                appendNew(LogEntry.Kind.CONFIGURATION, current.withoutVoter(drop).encode());
            }
        }
    }

    // ---------------------------------------------------------------- requests

    private void registerRead(long requestId, PeerId origin) {
        if (commitIndex < termStart) {
            readsAwaitingTermCommit.add(new PendingRead(requestId, origin, 0, 0));
            return;
        }
        if (configuration().isQuorum(Set.of(self))) {
            answerRead(requestId, origin, commitIndex);
            return;
        }
        reads.add(new PendingRead(requestId, origin, commitIndex, ++probe));
    }

    private void confirmReads() {
        while (!reads.isEmpty()) {
            PendingRead first = reads.getFirst();
            Set<PeerId> confirmed = new HashSet<>();
            confirmed.add(self);
            progress.forEach((peer, p) -> {
                if (p.probeAck >= first.probe) {
                    confirmed.add(peer);
                }
            });
            if (!configuration().isQuorum(confirmed)) {
                return;
            }
            reads.removeFirst();
            answerRead(first.requestId, first.origin, first.index);
        }
    }

    private void answerRead(long requestId, PeerId origin, long index) {
        if (origin.equals(self)) {
            events.add(new ReadReady(requestId, index));
        } else {
            send(origin, new ReadIndexResponse(formation, requestId, index));
            awaitCommit(origin, index);
        }
    }

    /** A follower waits to learn that {@code index} committed: tell it as soon as it is. */
    private void awaitCommit(PeerId follower, long index) {
        Progress p = progress.get(follower);
        if (p != null) {
            p.awaitedCommit = Math.max(p.awaitedCommit, index);
        }
    }

    private void onForwardCommands(PeerId from, ForwardCommands m) {
        List<Accepted> accepted = new ArrayList<>();
        List<Long> refused = new ArrayList<>();
        List<Long> unknown = new ArrayList<>();
        for (Forwarded f : m.commands()) {
            if (role != Role.LEADER) {
                refused.add(f.requestId());
                continue;
            }
            ForwardKey key = new ForwardKey(from, f.requestId());
            LogPosition at = recentForwards.get(key);
            if (at == null && f.resendTerm() != 0) {
                // A resend: its first send may have reached this node in the term it names; if that term
                // is over, or the request was forgotten since, appending it could apply it twice.
                Long forgotten = forgottenUpTo.get(from);
                if (f.resendTerm() != term || (forgotten != null && f.requestId() - forgotten <= 0)) {
                    unknown.add(f.requestId());
                    continue;
                }
            }
            if (at == null) {
                at = appendNew(LogEntry.Kind.COMMAND, f.data());
                if (role == Role.LEADER) { // appending may commit this node's own removal: then it leads no more
                    recentForwards.put(key, at);
                }
            }
            accepted.add(new Accepted(f.requestId(), at));
            awaitCommit(from, at.index());
        }
        send(from, new ForwardResponse(formation, accepted, refused, unknown));
    }

    private void onForwardResponse(PeerId from, ForwardResponse m) {
        for (Accepted a : m.accepted()) {
            if (forwards.remove(a.requestId()) != null) {
                events.add(new CommandAccepted(a.requestId(), a.position()));
            }
        }
        for (long id : m.refused()) {
            PendingForward f = forwards.get(id);
            if (f != null && f.resent) {
                // It no longer leads the term its first send may have been appended in.
                forwards.remove(id);
                events.add(new CommandFailed(id, Failure.LEADER_UNRESPONSIVE));
            } else if (f != null) {
                f.sent = false; // its only send was refused, so it is in no log: the next leader takes it
                f.sentTo = null;
                f.orphaned = false;
            }
        }
        for (long id : m.unknown()) {
            if (forwards.remove(id) != null) {
                events.add(new CommandFailed(id, Failure.LEADER_UNRESPONSIVE));
            }
        }
        if (role == Role.LEADER && transferTarget == null) {
            // This node leads now: what was refused elsewhere goes into its log (during a handover it waits
            // for the next leader, as new commands do).
            appendWaitingCommands();
        }
        if (!m.refused().isEmpty() && from.equals(leader)) {
            leader = null; // it no longer leads; wait to hear from whoever does
        }
    }

    private void onReadIndexRequest(PeerId from, ReadIndexRequest m) {
        if (role != Role.LEADER) {
            send(from, new ReadIndexResponse(formation, m.requestId(), -1));
        } else {
            registerRead(m.requestId(), from);
        }
    }

    private void onReadIndexResponse(PeerId from, ReadIndexResponse m) {
        PendingForward r = readForwards.get(m.requestId());
        if (r == null) {
            return;
        }
        if (m.index() >= 0) {
            readForwards.remove(m.requestId());
            events.add(new ReadReady(m.requestId(), m.index()));
        } else {
            r.sent = false;
            if (from.equals(leader)) {
                leader = null;
            }
        }
    }

    private void flushForwards() {
        List<Forwarded> batch = new ArrayList<>();
        long bytes = 0;
        for (Iterator<PendingForward> it = forwards.values().iterator(); it.hasNext(); ) {
            PendingForward f = it.next();
            if (f.sent) {
                continue;
            }
            if (f.orphaned && !(leader.equals(f.sentTo) && term == f.sentTerm)) {
                // Another leader, or another term: the first send may be in the log, or not; no one can tell.
                it.remove();
                events.add(new CommandFailed(f.requestId, Failure.LEADER_UNRESPONSIVE));
                continue;
            }
            if (!batch.isEmpty() && bytes + f.data.length > config.maxAppendBytes()) {
                send(leader, new ForwardCommands(formation, batch));
                batch = new ArrayList<>();
                bytes = 0;
            }
            f.sent = true;
            f.resent = f.orphaned;
            if (!f.orphaned) {
                f.sentTo = leader;
                f.sentTerm = term;
            }
            batch.add(new Forwarded(f.requestId, f.data, f.orphaned ? f.sentTerm : 0));
            bytes += f.data.length;
        }
        if (!batch.isEmpty()) {
            send(leader, new ForwardCommands(formation, batch));
        }
        for (PendingForward r : readForwards.values()) {
            // A read changes nothing, so one unanswered for a heartbeat interval (lost with a bond that
            // was replaced, say) is asked again rather than left to its deadline; the leader answers
            // each, and the answers after the first find nothing waiting.
            if (!r.sent || now - r.sentAt >= config.heartbeatInterval()) {
                r.sent = true;
                r.sentAt = now;
                send(leader, new ReadIndexRequest(formation, r.requestId));
            }
        }
    }

    private void expireRequests() {
        for (Iterator<PendingForward> it = forwards.values().iterator(); it.hasNext(); ) {
            PendingForward f = it.next();
            if (now >= f.deadline) {
                it.remove();
                events.add(new CommandFailed(f.requestId,
                        f.sent || f.orphaned ? Failure.LEADER_UNRESPONSIVE : Failure.NO_LEADER));
            }
        }
        for (Iterator<PendingForward> it = readForwards.values().iterator(); it.hasNext(); ) {
            PendingForward r = it.next();
            if (now >= r.deadline) {
                it.remove();
                events.add(new ReadFailed(r.requestId, r.sent ? Failure.LEADER_UNRESPONSIVE : Failure.NO_LEADER));
            }
        }
    }

    // ---------------------------------------------------------------- log

    private LogPosition appendNew(LogEntry.Kind kind, byte[] data) {
        LogEntry entry = new LogEntry(term, log.lastPosition().index() + 1, kind, data);
        appendEntries(List.of(entry));
        // The leader's own last index is the highest of all, so it decides the majority only when it is
        // the sole voter; a configuration entry changes the voters themselves.
        if (role == Role.LEADER && (kind == LogEntry.Kind.CONFIGURATION || configuration().voters().size() == 1)) {
            advanceCommit();
        }
        return entry.position();
    }

    private void appendEntries(List<LogEntry> entries) {
        log.append(entries);
        long before = formation;
        for (LogEntry entry : entries) {
            noteConfiguration(entry);
        }
        if (before == 0 && formation != 0) {
            broadcastHello();
        }
    }

    private void noteConfiguration(LogEntry entry) {
        if (entry.kind() == LogEntry.Kind.CONFIGURATION) {
            Configuration c = Configuration.decode(entry.data());
            configurations.put(entry.index(), c);
            configurationsChanged();
            formation = c.formation();
        }
    }

    private void configurationsChanged() {
        latestConfiguration = configurations.isEmpty() ? null : configurations.lastEntry().getValue();
    }

    private void truncate(long from) {
        log.truncateFrom(from);
        appendsThisTurn.clear();
        configurations.tailMap(from, true).clear();
        configurationsChanged();
        if (configurations.isEmpty()) {
            formation = 0;
        }
    }

    // ---------------------------------------------------------------- plumbing

    private void advance(long time) {
        if (time > now) {
            now = time;
        }
    }

    private void setHardState(long newTerm, PeerId vote) {
        term = newTerm;
        votedFor = vote;
        log.saveHardState(new HardState(newTerm, vote));
    }

    private Hello hello() {
        return new Hello(formation, term, log.lastPosition(), config.preference());
    }

    private void broadcastHello() {
        Hello hello = hello();
        for (PeerId peer : connected) {
            send(peer, hello);
        }
    }

    private void send(PeerId to, RaftMessage message) {
        outbox.add(new Outbound(to, message));
    }
}

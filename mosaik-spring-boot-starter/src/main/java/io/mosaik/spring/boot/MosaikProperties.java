package io.mosaik.spring.boot;

import io.mosaik.network.TransportKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code mosaik.*} configuration of the node a Spring Boot application runs.
 *
 * <p>Only {@code mosaik.network-id} is required; everything else has a default that suits a node on
 * the loopback interface. The values are checked when the node is built, and a wrong one stops the
 * application with a report naming the property (see {@link MosaikConfigurationException}). The field
 * comments below are the descriptions IDEs show for each property.
 */
@ConfigurationProperties(prefix = "mosaik")
public class MosaikProperties {

    /**
     * Whether to run a mosaik node in this application.
     */
    private boolean enabled = true;

    /**
     * Id of the network this node joins: nodes only talk to nodes with the same network id. Any
     * non-blank name (hashed), or 64 hex characters taken as the id itself. Required.
     */
    private String networkId;

    /**
     * Secret key of this node, 64 hex characters (32 bytes); it fixes the node's peer id. When neither
     * this nor key-file is set, the node gets a random key and a new peer id on every start. Do not set
     * both.
     */
    private String secretKey;

    /**
     * File holding this node's secret key. Created with a random key and owner-only permissions
     * (rw-------) on first start if it does not exist, so the peer id stays the same across restarts.
     */
    private Path keyFile;

    /**
     * Transport to run on: "quic" (QUIC on one UDP port) or "tcp" (TLS 1.3 over TCP). Every node of a
     * network must use the same one.
     */
    private String transport = TransportKind.DEFAULT.configName();

    /**
     * Local IP address to listen on. The default accepts connections from this machine only; use
     * 0.0.0.0 or a specific interface address to accept them from other machines.
     */
    private String bindAddress = "127.0.0.1";

    /**
     * Host other nodes dial to reach this one, published in the node's address. Defaults to the bind
     * address; set it when binding 0.0.0.0 or behind port mapping.
     */
    private String advertisedHost;

    /**
     * Port to listen on, 0 for any free port (the chosen one is part of the node's address).
     */
    private int port = 0;

    /**
     * Largest frame accepted from a peer; larger ones close the link. At least 1KB.
     */
    private DataSize maxFrameSize = DataSize.ofMegabytes(4);

    /**
     * How long a silent connection lives before it is declared dead. At least 1s.
     */
    private Duration idleTimeout = Duration.ofSeconds(10);

    /**
     * Longest time a dial, a peer authentication or a link opening may take.
     */
    private Duration handshakeTimeout = Duration.ofSeconds(10);

    /**
     * Directory this node keeps its durable data under: a group with storage "disk" and no data-dir of
     * its own keeps its log and snapshots in groups/NAME below it (each group's directory is created
     * readable by its owner only). Unset: every disk-backed group must set its own data-dir.
     */
    private Path dataDir;

    /**
     * How this node finds the other nodes of its network.
     */
    private final Discovery discovery = new Discovery();

    /** Producers and consumers of streams declared as beans. */
    private final Streams streams = new Streams();

    /**
     * Groups this node joins, by bean name: each entry becomes a Group bean of that name, a replicated
     * state machine kept by Raft among every node that declares the same key, state machine and
     * heartbeat settings.
     */
    private Map<String, GroupSpec> groups = new LinkedHashMap<>();

    /**
     * Replicated collections this node opens, by bean name: each entry becomes a bean of that name
     * (a ReplicatedMapWriter, ReplicatedSet... after its kind and role), shared with every node that
     * opens the same store with the same kind and types.
     */
    private Map<String, CollectionSpec> collections = new LinkedHashMap<>();

    /** Every property at its default; Spring Boot binds the configured values. */
    public MosaikProperties() {
    }

    /** Whether to run a mosaik node; default {@code true}. */
    public boolean isEnabled() {
        return enabled;
    }

    /** Sets whether to run a mosaik node. */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** The network id as configured, {@code null} if unset. */
    public String getNetworkId() {
        return networkId;
    }

    /** Sets the network id (a name or 64 hex characters). */
    public void setNetworkId(String networkId) {
        this.networkId = networkId;
    }

    /** The secret key as configured (64 hex characters), {@code null} if unset. */
    public String getSecretKey() {
        return secretKey;
    }

    /** Sets the secret key (64 hex characters). */
    public void setSecretKey(String secretKey) {
        this.secretKey = secretKey;
    }

    /** The key file, {@code null} if unset. */
    public Path getKeyFile() {
        return keyFile;
    }

    /** Sets the key file. */
    public void setKeyFile(Path keyFile) {
        this.keyFile = keyFile;
    }

    /** The transport name as configured; default {@link TransportKind#DEFAULT}. */
    public String getTransport() {
        return transport;
    }

    /** Sets the transport name, {@code quic} or {@code tcp}. */
    public void setTransport(String transport) {
        this.transport = transport;
    }

    /** The host other nodes dial, {@code null} to advertise the bind address. */
    public String getAdvertisedHost() {
        return advertisedHost;
    }

    /** Sets the host other nodes dial. */
    public void setAdvertisedHost(String advertisedHost) {
        this.advertisedHost = advertisedHost;
    }

    /** The address to listen on as configured; default {@code 127.0.0.1}. */
    public String getBindAddress() {
        return bindAddress;
    }

    /** Sets the address to listen on. */
    public void setBindAddress(String bindAddress) {
        this.bindAddress = bindAddress;
    }

    /** The port to listen on; default 0 (any free port). */
    public int getPort() {
        return port;
    }

    /** Sets the port to listen on, 0 for any free port. */
    public void setPort(int port) {
        this.port = port;
    }

    /** The largest frame accepted from a peer; default 4MB. */
    public DataSize getMaxFrameSize() {
        return maxFrameSize;
    }

    /** Sets the largest frame accepted from a peer. */
    public void setMaxFrameSize(DataSize maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    /** How long a silent connection lives; default 10s. */
    public Duration getIdleTimeout() {
        return idleTimeout;
    }

    /** Sets how long a silent connection lives. */
    public void setIdleTimeout(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    /** The longest a dial, an authentication or a link opening may take; default 10s. */
    public Duration getHandshakeTimeout() {
        return handshakeTimeout;
    }

    /** Sets the longest a dial, an authentication or a link opening may take. */
    public void setHandshakeTimeout(Duration handshakeTimeout) {
        this.handshakeTimeout = handshakeTimeout;
    }

    /** The node's data directory, {@code null} if unset. */
    public Path getDataDir() {
        return dataDir;
    }

    /** Sets the node's data directory, under which disk-backed groups get {@code groups/<name>}. */
    public void setDataDir(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Stream producers and consumers declared in the configuration. */
    public Streams getStreams() {
        return streams;
    }

    /** Discovery settings. */
    public Discovery getDiscovery() {
        return discovery;
    }

    /** The groups declared in the configuration, by bean name. */
    public Map<String, GroupSpec> getGroups() {
        return groups;
    }

    /** Sets the groups declared in the configuration. */
    public void setGroups(Map<String, GroupSpec> groups) {
        this.groups = groups;
    }

    /** The collections declared in the configuration, by bean name. */
    public Map<String, CollectionSpec> getCollections() {
        return collections;
    }

    /** Sets the collections declared in the configuration. */
    public void setCollections(Map<String, CollectionSpec> collections) {
        this.collections = collections;
    }

    /**
     * The {@code mosaik.discovery.*} settings: how this node finds the other nodes of its network.
     */
    public static class Discovery {

        /**
         * Nodes to connect to at start-up and to stay connected to, each as peerId@host:port (IPv6 as
         * peerId@[::1]:port). An entry naming this node itself is ignored, so all nodes can share one
         * list. Each node prints its address at start-up and shows it at /actuator/mosaik.
         */
        private List<String> bootstrap = new ArrayList<>();

        /**
         * Role tags this node carries in the catalog, such as matcher or eu-west; other nodes select
         * peers by them.
         */
        private List<String> tags = new ArrayList<>();

        /** A peer not heard of for this long is dropped from the catalog. */
        private Duration purgeAfter = Duration.ofSeconds(300);

        /** How often the node re-announces itself and syncs its catalog with a random known peer. */
        private Duration announceInterval = Duration.ofSeconds(45);

        /** The fraction of the announce interval added or removed at random, from 0 to below 1. */
        private double announceJitter = 0.5;

        /** A gossiped entry or departure whose timestamp is further than this from the local clock is ignored. */
        private Duration maxTimeDrift = Duration.ofSeconds(50);

        /** How often every known peer is pinged for a round-trip sample (actual period: half to 1.5 times it). */
        private Duration rttProbeInterval = Duration.ofSeconds(30);

        /**
         * A peer whose smoothed round-trip time is above this is hidden from the node's view of the
         * network: its consumers do not subscribe to it, its producers refuse it. Groups still see it. A
         * peer not measured yet is kept. None by default: no peer is hidden.
         */
        private Duration maxRtt;

        /**
         * How many discovery events a receiver of Discovery.events() may leave unread; beyond that the
         * oldest are dropped and the receiver is told how many it missed.
         */
        private int eventsBacklog = 100;

        /** No bootstrap entries, no tags, the default intervals. */
        public Discovery() {
        }

        /** The role tags as configured. */
        public List<String> getTags() {
            return tags;
        }

        /** Sets the role tags. */
        public void setTags(List<String> tags) {
            this.tags = tags;
        }

        /** The purge interval. */
        public Duration getPurgeAfter() {
            return purgeAfter;
        }

        /** Sets the purge interval. */
        public void setPurgeAfter(Duration purgeAfter) {
            this.purgeAfter = purgeAfter;
        }

        /** The announce interval. */
        public Duration getAnnounceInterval() {
            return announceInterval;
        }

        /** Sets the announce interval. */
        public void setAnnounceInterval(Duration announceInterval) {
            this.announceInterval = announceInterval;
        }

        /** The announce jitter. */
        public double getAnnounceJitter() {
            return announceJitter;
        }

        /** Sets the announce jitter. */
        public void setAnnounceJitter(double announceJitter) {
            this.announceJitter = announceJitter;
        }

        /** The allowed clock drift of gossiped entries. */
        public Duration getMaxTimeDrift() {
            return maxTimeDrift;
        }

        /** Sets the allowed clock drift of gossiped entries. */
        public void setMaxTimeDrift(Duration maxTimeDrift) {
            this.maxTimeDrift = maxTimeDrift;
        }

        /** The RTT probe interval. */
        public Duration getRttProbeInterval() {
            return rttProbeInterval;
        }

        /** Sets the RTT probe interval. */
        public void setRttProbeInterval(Duration rttProbeInterval) {
            this.rttProbeInterval = rttProbeInterval;
        }

        /** The round-trip limit, or {@code null} for none. */
        public Duration getMaxRtt() {
            return maxRtt;
        }

        /** Sets the round-trip limit. */
        public void setMaxRtt(Duration maxRtt) {
            this.maxRtt = maxRtt;
        }

        /** The events backlog. */
        public int getEventsBacklog() {
            return eventsBacklog;
        }

        /** Sets the events backlog. */
        public void setEventsBacklog(int eventsBacklog) {
            this.eventsBacklog = eventsBacklog;
        }

        /** The bootstrap entries as configured. */
        public List<String> getBootstrap() {
            return bootstrap;
        }

        /** Sets the bootstrap entries, each {@code peerId@host:port}. */
        public void setBootstrap(List<String> bootstrap) {
            this.bootstrap = bootstrap;
        }
    }

    /**
     * Streams declared in the configuration: each entry of {@code producers} and {@code consumers} becomes
     * a bean of that name, injectable as {@code Producer<Type>} or {@code Consumer<Type>}.
     */
    public static class Streams {

        /** Producers by bean name. */
        private Map<String, ProducerSpec> producers = new LinkedHashMap<>();

        /** Consumers by bean name. */
        private Map<String, ConsumerSpec> consumers = new LinkedHashMap<>();

        /** None declared. */
        public Streams() {
        }

        /** The producers by bean name. */
        public Map<String, ProducerSpec> getProducers() {
            return producers;
        }

        /** Sets the producers. */
        public void setProducers(Map<String, ProducerSpec> producers) {
            this.producers = producers;
        }

        /** The consumers by bean name. */
        public Map<String, ConsumerSpec> getConsumers() {
            return consumers;
        }

        /** Sets the consumers. */
        public void setConsumers(Map<String, ConsumerSpec> consumers) {
            this.consumers = consumers;
        }
    }

    /** What producers and consumers declared in the configuration have in common. */
    public abstract static class StreamSpec {

        /** The datum class, fully qualified (required). */
        private String type;

        /** The stream's name; empty means the datum class's fully qualified name. */
        private String streamId;

        /** Only peers carrying every one of these tags may be on the other end. */
        private List<String> requireTags = new ArrayList<>();

        /** How many datums may wait in each queue. */
        private int bufferSize = 1024;

        /** Nothing set. */
        protected StreamSpec() {
        }

        /** The datum class name. */
        public String getType() {
            return type;
        }

        /** Sets the datum class name. */
        public void setType(String type) {
            this.type = type;
        }

        /** The stream name. */
        public String getStreamId() {
            return streamId;
        }

        /** Sets the stream name. */
        public void setStreamId(String streamId) {
            this.streamId = streamId;
        }

        /** The required tags. */
        public List<String> getRequireTags() {
            return requireTags;
        }

        /** Sets the required tags. */
        public void setRequireTags(List<String> requireTags) {
            this.requireTags = requireTags;
        }

        /** The queue capacity. */
        public int getBufferSize() {
            return bufferSize;
        }

        /** Sets the queue capacity. */
        public void setBufferSize(int bufferSize) {
            this.bufferSize = bufferSize;
        }
    }

    /** A producer declared in the configuration. */
    public static class ProducerSpec extends StreamSpec {

        /** The most consumers at once; empty means unlimited. */
        private Integer maxConsumers;

        /** Whether a consumer whose queue overflows is disconnected (TooSlow) rather than missing datums. */
        private boolean disconnectLagging = true;

        /** The producer sends (rather than waits) once at least this many consumers are connected. */
        private int onlineMinimum = 1;

        /** Defaults. */
        public ProducerSpec() {
        }

        /** The most consumers. */
        public Integer getMaxConsumers() {
            return maxConsumers;
        }

        /** Sets the most consumers. */
        public void setMaxConsumers(Integer maxConsumers) {
            this.maxConsumers = maxConsumers;
        }

        /** Whether lagging consumers are disconnected. */
        public boolean isDisconnectLagging() {
            return disconnectLagging;
        }

        /** Sets whether lagging consumers are disconnected. */
        public void setDisconnectLagging(boolean disconnectLagging) {
            this.disconnectLagging = disconnectLagging;
        }

        /** The online minimum. */
        public int getOnlineMinimum() {
            return onlineMinimum;
        }

        /** Sets the online minimum. */
        public void setOnlineMinimum(int onlineMinimum) {
            this.onlineMinimum = onlineMinimum;
        }
    }

    /** A consumer declared in the configuration. */
    public static class ConsumerSpec extends StreamSpec {

        /** The consumer counts as online once at least this many producers are connected. */
        private int onlineMinimum = 0;

        /** Defaults. */
        public ConsumerSpec() {
        }

        /** The online minimum. */
        public int getOnlineMinimum() {
            return onlineMinimum;
        }

        /** Sets the online minimum. */
        public void setOnlineMinimum(int onlineMinimum) {
            this.onlineMinimum = onlineMinimum;
        }
    }

    /**
     * A group declared in the configuration ({@code mosaik.groups.<name>.*}). Only {@code key} and
     * {@code state-machine} are required; the rest are the engine's defaults (consensus, an in-memory
     * log, snapshots every 10,000 entries). The heartbeat
     * interval, its jitter and the missed-heartbeat limit are part of the group id, so every member must
     * set them alike; the other timings may differ between members.
     */
    public static class GroupSpec {

        /**
         * Secret shared by every member of the group; members prove they hold it without sending it. 64
         * hex characters are the 32 key bytes, anything else is hashed. Use a long random value and keep
         * it out of source control (an environment variable or a secret store). Required.
         */
        private String key;

        /**
         * Name of the bean implementing io.mosaik.groups.StateMachine that this node runs in the group.
         * It is used by this group alone, so give each group a state machine bean of its own. Required.
         */
        private String stateMachine;

        /** How many voters the leader promotes members to; odd numbers tolerate the most failures. */
        private int targetVoters = 3;

        /**
         * How many new members must see each other before the first of them bootstraps the group with that
         * many voters; more than 1 makes a lone node wait for company.
         */
        private int bootstrapExpect = 1;

        /**
         * A voter unreachable this long is removed by the leader so that a learner can take its place;
         * 0 never removes one.
         */
        private Duration voterRemovalTimeout = Duration.ofSeconds(30);

        /**
         * How eager this node is to lead the group: normal, reluctant (stands for election only when
         * nobody else does) or observer (never votes nor leads, replicates and serves reads). Empty means
         * the state machine's own preference.
         */
        private String leadershipPreference;

        /** How often bond pings and leader heartbeats go out. Part of the group id. */
        private Duration heartbeatInterval = Duration.ofMillis(500);

        /** Bond pings go out every heartbeat interval minus up to this; below the interval. Part of the group id. */
        private Duration heartbeatJitter = Duration.ofMillis(150);

        /** A bond silent for this many heartbeats is closed. Part of the group id. */
        private int maxMissedHeartbeats = 10;

        /**
         * A voter that hears nothing from a leader this long stands for election; at least twice the
         * heartbeat interval.
         */
        private Duration electionTimeout = Duration.ofSeconds(2);

        /** A random extra of up to this much is added to every election timeout. */
        private Duration electionJitter = Duration.ofMillis(500);

        /**
         * Added to a new node's first election timeout, so that nodes starting together meet before one of
         * them bootstraps the group.
         */
        private Duration bootstrapDelay = Duration.ofSeconds(3);

        /** How long a command or a strong query waits for a leader to take it before it fails. */
        private Duration forwardTimeout = Duration.ofSeconds(2);

        /**
         * Where this member keeps the group's log and snapshots: "memory" (lost when the node stops; it
         * then catches up from the other members when it starts again) or "disk" (in data-dir, so the
         * member restarts with its state, its log and its vote). A disk-backed member that should stay the
         * same member across restarts also needs a stable peer id (mosaik.key-file or mosaik.secret-key).
         */
        private String storage = "memory";

        /**
         * Directory of this group's log and snapshots when storage is "disk", used by this group and this
         * process alone; created readable by its owner only. A directory holding another group's or
         * network's data is refused at start-up. Defaults to groups/NAME under mosaik.data-dir; setting it
         * while storage is "memory" is an error, as nothing would be kept there.
         */
        private Path dataDir;

        /**
         * When the log is forced to the disk (fsync), with storage "disk": "always" (default; every entry
         * and vote is on the disk before this node acknowledges it, so nothing acknowledged is lost even on
         * a power failure; what Raft's safety assumes), "batched" (the log is forced at most once per
         * sync-interval, the term and vote at once: faster, but a power failure of a majority of the voters
         * at once may lose entries reported committed) or "never" (the operating system writes back when it
         * likes: a process crash loses nothing, a power failure may lose anything, even a vote; for tests
         * and throw-away clusters).
         */
        private String sync;

        /**
         * With sync "batched": the least time between two forces of the log, and so how much acknowledged
         * work a power failure may take. Positive; default 10ms. Only allowed when sync is "batched".
         */
        private Duration syncInterval;

        /**
         * Applied entries between two snapshots of the state machine (if it implements snapshots), after
         * which the log is compacted; members far behind and new ones then catch up from a snapshot. 0
         * never snapshots, so the log keeps every entry.
         */
        private long snapshotEvery = 10_000;

        /** Entries kept in the log before a snapshot when it is compacted, for members slightly behind. */
        private long snapshotRetain = 1_000;

        /** The engine's defaults, no key and no state machine. */
        public GroupSpec() {
        }

        /** The group secret as configured, {@code null} if unset. */
        public String getKey() {
            return key;
        }

        /** Sets the group secret. */
        public void setKey(String key) {
            this.key = key;
        }

        /** The state machine's bean name, {@code null} if unset. */
        public String getStateMachine() {
            return stateMachine;
        }

        /** Sets the state machine's bean name. */
        public void setStateMachine(String stateMachine) {
            this.stateMachine = stateMachine;
        }

        /** How many voters the leader promotes members to; default 3. */
        public int getTargetVoters() {
            return targetVoters;
        }

        /** Sets how many voters the leader promotes members to. */
        public void setTargetVoters(int targetVoters) {
            this.targetVoters = targetVoters;
        }

        /** How many new members bootstrap the group together; default 1. */
        public int getBootstrapExpect() {
            return bootstrapExpect;
        }

        /** Sets how many new members bootstrap the group together. */
        public void setBootstrapExpect(int bootstrapExpect) {
            this.bootstrapExpect = bootstrapExpect;
        }

        /** How long an unreachable voter stays a voter; default 30s, 0 for ever. */
        public Duration getVoterRemovalTimeout() {
            return voterRemovalTimeout;
        }

        /** Sets how long an unreachable voter stays a voter. */
        public void setVoterRemovalTimeout(Duration voterRemovalTimeout) {
            this.voterRemovalTimeout = voterRemovalTimeout;
        }

        /** The leadership preference as configured, {@code null} for the state machine's. */
        public String getLeadershipPreference() {
            return leadershipPreference;
        }

        /** Sets the leadership preference: {@code normal}, {@code reluctant} or {@code observer}. */
        public void setLeadershipPreference(String leadershipPreference) {
            this.leadershipPreference = leadershipPreference;
        }

        /** The heartbeat interval; default 500ms. */
        public Duration getHeartbeatInterval() {
            return heartbeatInterval;
        }

        /** Sets the heartbeat interval. */
        public void setHeartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
        }

        /** The heartbeat jitter; default 150ms. */
        public Duration getHeartbeatJitter() {
            return heartbeatJitter;
        }

        /** Sets the heartbeat jitter. */
        public void setHeartbeatJitter(Duration heartbeatJitter) {
            this.heartbeatJitter = heartbeatJitter;
        }

        /** The missed-heartbeat limit; default 10. */
        public int getMaxMissedHeartbeats() {
            return maxMissedHeartbeats;
        }

        /** Sets the missed-heartbeat limit. */
        public void setMaxMissedHeartbeats(int maxMissedHeartbeats) {
            this.maxMissedHeartbeats = maxMissedHeartbeats;
        }

        /** The election timeout; default 2s. */
        public Duration getElectionTimeout() {
            return electionTimeout;
        }

        /** Sets the election timeout. */
        public void setElectionTimeout(Duration electionTimeout) {
            this.electionTimeout = electionTimeout;
        }

        /** The election jitter; default 500ms. */
        public Duration getElectionJitter() {
            return electionJitter;
        }

        /** Sets the election jitter. */
        public void setElectionJitter(Duration electionJitter) {
            this.electionJitter = electionJitter;
        }

        /** The bootstrap delay; default 3s. */
        public Duration getBootstrapDelay() {
            return bootstrapDelay;
        }

        /** Sets the bootstrap delay. */
        public void setBootstrapDelay(Duration bootstrapDelay) {
            this.bootstrapDelay = bootstrapDelay;
        }

        /** The forward timeout; default 2s. */
        public Duration getForwardTimeout() {
            return forwardTimeout;
        }

        /** Sets the forward timeout. */
        public void setForwardTimeout(Duration forwardTimeout) {
            this.forwardTimeout = forwardTimeout;
        }

        /** The storage as configured; default {@code memory}. */
        public String getStorage() {
            return storage;
        }

        /** Sets the storage: {@code memory} or {@code disk}. */
        public void setStorage(String storage) {
            this.storage = storage;
        }

        /** The group's data directory, {@code null} if unset. */
        public Path getDataDir() {
            return dataDir;
        }

        /** Sets the group's data directory. */
        public void setDataDir(Path dataDir) {
            this.dataDir = dataDir;
        }

        /** The sync policy as configured, {@code null} if unset (then {@code always}). */
        public String getSync() {
            return sync;
        }

        /** Sets the sync policy: {@code always}, {@code batched} or {@code never}. */
        public void setSync(String sync) {
            this.sync = sync;
        }

        /** The batched sync interval as configured, {@code null} if unset (then 10ms). */
        public Duration getSyncInterval() {
            return syncInterval;
        }

        /** Sets the batched sync interval. */
        public void setSyncInterval(Duration syncInterval) {
            this.syncInterval = syncInterval;
        }

        /** Applied entries between snapshots; default 10,000, 0 for never. */
        public long getSnapshotEvery() {
            return snapshotEvery;
        }

        /** Sets the applied entries between snapshots. */
        public void setSnapshotEvery(long snapshotEvery) {
            this.snapshotEvery = snapshotEvery;
        }

        /** Entries kept in the log before a snapshot; default 1,000. */
        public long getSnapshotRetain() {
            return snapshotRetain;
        }

        /** Sets the entries kept in the log before a snapshot. */
        public void setSnapshotRetain(long snapshotRetain) {
            this.snapshotRetain = snapshotRetain;
        }
    }

    /**
     * One {@code mosaik.collections.<name>} entry: a replicated collection as a bean.
     */
    public static class CollectionSpec {

        /** The kind: map, vec, set, cell, once or priority-queue. Required. */
        private String kind;

        /** The store's name, shared by every node of the collection; empty means the bean name. */
        private String store;

        /**
         * writer (writes and reads; the node is a voting member of the collection's group) or reader
         * (reads only; the node is an observer). At least one node must open each collection as a writer.
         */
        private String role = "writer";

        /** The element class of a vec, set, cell or once, fully qualified. */
        private String type;

        /** The key class of a map or priority-queue, fully qualified. */
        private String keyType;

        /** The value class of a map or priority-queue, fully qualified. */
        private String valueType;

        /** The priority class of a priority-queue (naturally ordered, such as java.lang.Long). */
        private String priorityType;

        /** The most entries a priority-queue holds (the lowest priorities are evicted); empty: unbounded. */
        private Long capacity;

        /**
         * A secret every node of the collection must give; without one, anyone on the network who knows
         * the store name can read and write it. Keep it out of source control.
         */
        private String secret;

        /** Writes between snapshots of the collection, after which its log is compacted. */
        private long snapshotEvery = 10_000;

        /** Log entries kept behind a snapshot. */
        private long snapshotRetain = 1_000;

        /**
         * A directory of its own where this node keeps the collection on disk (it then restarts with it);
         * empty keeps it in memory (it is then fetched from the other nodes after a restart).
         */
        private Path dataDir;

        /** No kind and no types; Spring Boot binds the configured values. */
        public CollectionSpec() {
        }

        /** The kind as configured. */
        public String getKind() {
            return kind;
        }

        /** Sets the kind. */
        public void setKind(String kind) {
            this.kind = kind;
        }

        /** The store name as configured, {@code null} for the bean name. */
        public String getStore() {
            return store;
        }

        /** Sets the store name. */
        public void setStore(String store) {
            this.store = store;
        }

        /** The role as configured; default writer. */
        public String getRole() {
            return role;
        }

        /** Sets the role: writer or reader. */
        public void setRole(String role) {
            this.role = role;
        }

        /** The element class name. */
        public String getType() {
            return type;
        }

        /** Sets the element class name. */
        public void setType(String type) {
            this.type = type;
        }

        /** The key class name. */
        public String getKeyType() {
            return keyType;
        }

        /** Sets the key class name. */
        public void setKeyType(String keyType) {
            this.keyType = keyType;
        }

        /** The value class name. */
        public String getValueType() {
            return valueType;
        }

        /** Sets the value class name. */
        public void setValueType(String valueType) {
            this.valueType = valueType;
        }

        /** The priority class name. */
        public String getPriorityType() {
            return priorityType;
        }

        /** Sets the priority class name. */
        public void setPriorityType(String priorityType) {
            this.priorityType = priorityType;
        }

        /** The capacity of a priority-queue, {@code null} for unbounded. */
        public Long getCapacity() {
            return capacity;
        }

        /** Sets the capacity of a priority-queue. */
        public void setCapacity(Long capacity) {
            this.capacity = capacity;
        }

        /** The secret, {@code null} if unset. */
        public String getSecret() {
            return secret;
        }

        /** Sets the secret. */
        public void setSecret(String secret) {
            this.secret = secret;
        }

        /** Writes between snapshots; default 10,000. */
        public long getSnapshotEvery() {
            return snapshotEvery;
        }

        /** Sets the writes between snapshots. */
        public void setSnapshotEvery(long snapshotEvery) {
            this.snapshotEvery = snapshotEvery;
        }

        /** Log entries kept behind a snapshot; default 1,000. */
        public long getSnapshotRetain() {
            return snapshotRetain;
        }

        /** Sets the log entries kept behind a snapshot. */
        public void setSnapshotRetain(long snapshotRetain) {
            this.snapshotRetain = snapshotRetain;
        }

        /** The data directory, {@code null} for memory. */
        public Path getDataDir() {
            return dataDir;
        }

        /** Sets the data directory. */
        public void setDataDir(Path dataDir) {
            this.dataDir = dataDir;
        }
    }
}

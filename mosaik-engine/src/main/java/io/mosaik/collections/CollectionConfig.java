package io.mosaik.collections;

import io.mosaik.groups.ConsensusConfig;
import io.mosaik.groups.raft.SyncPolicy;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How a collection is replicated. Every node that opens one store must use the same secret and
 * consensus settings (the secret and the heartbeat settings are part of the collection's group id: nodes
 * that differ never meet); the snapshot policy and data directory are each node's own, though nodes with
 * the same snapshot policy can serve each other's catch-up. Every handle on one store on one node must
 * give the same configuration (they share one replica).
 *
 * @param secret          a secret every node of the store must give, or {@code null} (the store id alone
 *                        admits, see {@link StoreId})
 * @param consensus       Raft timings of the collection's group
 * @param snapshotEvery   writes between snapshots of the collection, after which its log is compacted
 *                        (a late or lagging replica installs the snapshot instead of replaying the log)
 * @param snapshotRetain  log entries kept behind a snapshot
 * @param dataDirectory   where this node keeps the collection on disk, or {@code null} to keep it in
 *                        memory (it is then rebuilt from the other replicas after a restart)
 * @param syncPolicy      when the log is forced to disk, if it is on disk
 */
public record CollectionConfig(String secret, ConsensusConfig consensus, long snapshotEvery, long snapshotRetain,
                               Path dataDirectory, SyncPolicy syncPolicy) {

    /** Snapshots every 10,000 writes by default. */
    public static final long DEFAULT_SNAPSHOT_EVERY = 10_000;
    /** 1,000 entries kept behind a snapshot by default. */
    public static final long DEFAULT_SNAPSHOT_RETAIN = 1_000;

    /**
     * A configuration; prefer {@link #defaults()} and the {@code with} methods.
     */
    public CollectionConfig {
        Objects.requireNonNull(consensus, "consensus");
        Objects.requireNonNull(syncPolicy, "syncPolicy");
        if (secret != null && secret.isBlank()) {
            throw new IllegalArgumentException("a collection secret must not be blank; leave it out for none");
        }
        if (snapshotEvery <= 0) {
            throw new IllegalArgumentException("snapshot-every must be positive (a collection's log is kept short by"
                    + " snapshots): " + snapshotEvery);
        }
        if (snapshotRetain < 0) {
            throw new IllegalArgumentException("snapshot-retain must not be negative: " + snapshotRetain);
        }
    }

    /** No secret, default consensus, snapshots every 10,000 writes keeping 1,000, in memory. */
    public static CollectionConfig defaults() {
        return new CollectionConfig(null, ConsensusConfig.defaults(), DEFAULT_SNAPSHOT_EVERY, DEFAULT_SNAPSHOT_RETAIN,
                null, SyncPolicy.ALWAYS);
    }

    /** The secret, if any. */
    public Optional<String> secretValue() {
        return Optional.ofNullable(secret);
    }

    /**
     * Requires a secret: only nodes that give the same secret share the collection (they prove it on
     * every bond without revealing it). Use a long random string.
     */
    public CollectionConfig withSecret(String secret) {
        return new CollectionConfig(Objects.requireNonNull(secret, "secret"), consensus, snapshotEvery,
                snapshotRetain, dataDirectory, syncPolicy);
    }

    /** Other Raft timings (the same on every node of the store). */
    public CollectionConfig withConsensus(ConsensusConfig consensus) {
        return new CollectionConfig(secret, consensus, snapshotEvery, snapshotRetain, dataDirectory, syncPolicy);
    }

    /** Another snapshot policy: a snapshot every {@code every} writes, keeping {@code retain} entries. */
    public CollectionConfig withSnapshots(long every, long retain) {
        return new CollectionConfig(secret, consensus, every, retain, dataDirectory, syncPolicy);
    }

    /**
     * Keeps the collection on disk in this directory (one directory per collection and node), so that
     * a restarted node has it at once.
     */
    public CollectionConfig withDataDirectory(Path directory, SyncPolicy policy) {
        return new CollectionConfig(secret, consensus, snapshotEvery, snapshotRetain,
                Objects.requireNonNull(directory, "directory"), policy);
    }

    @Override
    public String toString() {
        return "CollectionConfig[secret=" + (secret == null ? "none" : "****") + ", consensus=" + consensus
                + ", snapshotEvery=" + snapshotEvery + ", snapshotRetain=" + snapshotRetain + ", dataDirectory="
                + dataDirectory + ", syncPolicy=" + syncPolicy + "]";
    }

    /** The settings in which {@code other} differs from this, as {@code "name this vs other"} (secrets masked). */
    String differencesFrom(CollectionConfig other) {
        java.util.List<String> differences = new java.util.ArrayList<>();
        if (!Objects.equals(secret, other.secret)) {
            differences.add("secret (not shown) " + (secret == null ? "none" : "set") + " vs "
                    + (other.secret == null ? "none" : "set"));
        }
        difference(differences, "consensus", consensus, other.consensus);
        difference(differences, "snapshotEvery", snapshotEvery, other.snapshotEvery);
        difference(differences, "snapshotRetain", snapshotRetain, other.snapshotRetain);
        difference(differences, "dataDirectory", dataDirectory, other.dataDirectory);
        difference(differences, "syncPolicy", syncPolicy, other.syncPolicy);
        return String.join(", ", differences);
    }

    private static void difference(java.util.List<String> differences, String name, Object mine, Object theirs) {
        if (!Objects.equals(mine, theirs)) {
            differences.add(name + " " + mine + " vs " + theirs);
        }
    }
}

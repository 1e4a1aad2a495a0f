package io.mosaik.discovery.gossip;

/**
 * The knobs of a {@link GossipCore}. {@link #defaults()} gives the HyParView/Plumtree values of the
 * papers (and of iroh-gossip, which the original mosaik uses); times are milliseconds of whatever clock
 * the shell feeds in.
 *
 * @param activeViewSize              the most peers we keep links with (HyParView active view), at most 32
 * @param passiveViewSize             the most peers we only remember as candidates (passive view)
 * @param activeRandomWalkLength      ttl of a FORWARD_JOIN and of a SHUFFLE random walk
 * @param passiveRandomWalkLength     the ttl at which a FORWARD_JOIN also puts the joiner in the passive view
 * @param shuffleIntervalMillis       how often a node exchanges samples with a random neighbour
 * @param shuffleActiveCount          how many active peers go into a shuffle sample
 * @param shufflePassiveCount         how many passive peers go into a shuffle sample
 * @param neighborTimeoutMillis       how long a JOIN or NEIGHBOR request waits for its reply
 * @param repairIntervalMillis        how often a node whose active view is not full asks one passive peer
 * @param graftTimeoutMillis          how long an announced (IHAVE) message may stay missing before GRAFT
 * @param graftRetryMillis            how long to wait for the GRAFT answer before asking the next announcer
 * @param messageCacheCapacity        the most messages (with payloads) kept to answer GRAFTs and to announce
 *                                    to new neighbours; their ids are remembered for dedup for the whole
 *                                    lifetime, up to 16 times this many
 * @param messageCacheTtlMillis       how long a received message (and its id) is remembered
 * @param maxIHaveBatch               the most ids in one IHAVE message (and accepted from one)
 * @param treeOptimizationThreshold   how many hops shorter an announced path must be than the one a message
 *                                    came along before the tree switches to it (Plumtree's optimisation);
 *                                    {@link Integer#MAX_VALUE} turns the optimisation off
 */
public record GossipConfig(
        int activeViewSize,
        int passiveViewSize,
        int activeRandomWalkLength,
        int passiveRandomWalkLength,
        long shuffleIntervalMillis,
        int shuffleActiveCount,
        int shufflePassiveCount,
        long neighborTimeoutMillis,
        long repairIntervalMillis,
        long graftTimeoutMillis,
        long graftRetryMillis,
        int messageCacheCapacity,
        long messageCacheTtlMillis,
        int maxIHaveBatch,
        int treeOptimizationThreshold) {

    /** Validates the values; every rule names the field it is about. */
    public GossipConfig {
        positive("activeViewSize", activeViewSize);
        if (activeViewSize > OriginTrees.MAX_NEIGHBOURS) {
            throw new IllegalArgumentException("activeViewSize must be at most " + OriginTrees.MAX_NEIGHBOURS
                    + " (the broadcast trees keep a bit per neighbour), was " + activeViewSize);
        }
        positive("passiveViewSize", passiveViewSize);
        if (activeRandomWalkLength < 0 || passiveRandomWalkLength < 0) {
            throw new IllegalArgumentException("random walk lengths must not be negative");
        }
        if (passiveRandomWalkLength > activeRandomWalkLength) {
            throw new IllegalArgumentException("passiveRandomWalkLength (" + passiveRandomWalkLength
                    + ") must not exceed activeRandomWalkLength (" + activeRandomWalkLength + ")");
        }
        positive("shuffleIntervalMillis", shuffleIntervalMillis);
        if (shuffleActiveCount < 0 || shufflePassiveCount < 0) {
            throw new IllegalArgumentException("shuffle counts must not be negative");
        }
        positive("neighborTimeoutMillis", neighborTimeoutMillis);
        positive("repairIntervalMillis", repairIntervalMillis);
        positive("graftTimeoutMillis", graftTimeoutMillis);
        positive("graftRetryMillis", graftRetryMillis);
        positive("messageCacheCapacity", messageCacheCapacity);
        positive("maxIHaveBatch", maxIHaveBatch);
        positive("treeOptimizationThreshold", treeOptimizationThreshold);
        // a message must still be known when the last graft for it can arrive, or grafts cannot be answered
        if (messageCacheTtlMillis <= graftTimeoutMillis + graftRetryMillis) {
            throw new IllegalArgumentException("messageCacheTtlMillis (" + messageCacheTtlMillis
                    + ") must exceed graftTimeoutMillis + graftRetryMillis");
        }
    }

    /**
     * Active 5, passive 30, walks 6/3, shuffle every 10 s (3 active + 4 passive), graft after 1 s, tree
     * switches to a path at least 3 hops shorter.
     */
    public static GossipConfig defaults() {
        return new GossipConfig(5, 30, 6, 3, 10_000, 3, 4, 5_000, 1_000, 1_000, 500, 4_096, 60_000, 256, 3);
    }

    /** The largest shuffle sample we send, and the most entries we read from a received one. */
    public int maxSampleSize() {
        return 1 + shuffleActiveCount + shufflePassiveCount;
    }

    /** A copy with other view sizes. */
    public GossipConfig withViewSizes(int active, int passive) {
        return new GossipConfig(active, passive, activeRandomWalkLength, passiveRandomWalkLength,
                shuffleIntervalMillis, shuffleActiveCount, shufflePassiveCount, neighborTimeoutMillis,
                repairIntervalMillis, graftTimeoutMillis, graftRetryMillis, messageCacheCapacity,
                messageCacheTtlMillis, maxIHaveBatch, treeOptimizationThreshold);
    }

    /** A copy with other GRAFT timers (how long a missing message waits, and each retry). */
    public GossipConfig withGraftTimeouts(long timeoutMillis, long retryMillis) {
        return new GossipConfig(activeViewSize, passiveViewSize, activeRandomWalkLength, passiveRandomWalkLength,
                shuffleIntervalMillis, shuffleActiveCount, shufflePassiveCount, neighborTimeoutMillis,
                repairIntervalMillis, timeoutMillis, retryMillis, messageCacheCapacity, messageCacheTtlMillis,
                maxIHaveBatch, treeOptimizationThreshold);
    }

    /** A copy with another {@link #treeOptimizationThreshold()}. */
    public GossipConfig withTreeOptimizationThreshold(int threshold) {
        return new GossipConfig(activeViewSize, passiveViewSize, activeRandomWalkLength, passiveRandomWalkLength,
                shuffleIntervalMillis, shuffleActiveCount, shufflePassiveCount, neighborTimeoutMillis,
                repairIntervalMillis, graftTimeoutMillis, graftRetryMillis, messageCacheCapacity,
                messageCacheTtlMillis, maxIHaveBatch, threshold);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}

package io.mosaik.discovery.gossip;

import java.security.SecureRandom;

/**
 * Hashing for the gossip core's open-addressing tables, whose keys (origins, message ids) come from peers:
 * a 64-bit key mixed with a secret drawn once per process, so that no peer can choose keys that share a
 * probe run and turn every lookup into a walk along it. Where keys land differs between runs; what the
 * tables hold does not.
 */
final class GossipHashing {

    private static final long SECRET = new SecureRandom().nextLong();

    private GossipHashing() {
    }

    /** A well-mixed 32-bit hash of {@code key} (MurmurHash3's 64-bit finalizer over the key and the secret). */
    static int mix(long key) {
        long h = key ^ SECRET;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb93fe53a87cdL;
        h ^= h >>> 33;
        return (int) h;
    }
}

package io.mosaik.groups;

import io.mosaik.primitives.Digest;
import java.util.Objects;

/**
 * The id of a group: derived from its key, the consensus settings members must agree on, and the state
 * machine's signature. Nodes whose ids differ never bond; the id is public (it is in the discovery
 * catalog), the key is not.
 *
 * @param digest the 32 bytes
 */
public record GroupId(Digest digest) {

    /** Validates. */
    public GroupId {
        Objects.requireNonNull(digest, "digest");
    }

    /**
     * Derives the id: BLAKE3 of the key, then the consensus digest, then the signature.
     *
     * @param key       the group key
     * @param consensus the consensus settings
     * @param signature the state machine's signature
     * @return the id
     */
    public static GroupId of(GroupKey key, ConsensusConfig consensus, String signature) {
        return new GroupId(key.secret().hashed().derive(consensus.digest()).derive(signature));
    }

    /** The first bytes in hex, for logs and meter tags. */
    public String toShortString() {
        return digest.toShortString();
    }

    @Override
    public String toString() {
        return digest.toHex();
    }
}

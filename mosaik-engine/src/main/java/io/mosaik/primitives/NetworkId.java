package io.mosaik.primitives;

import java.util.Objects;

/**
 * The id of a mosaik network: nodes only talk to nodes of the same network id.
 *
 * <p>Usually made from a name ({@code NetworkId.of("orders-prod")} hashes it); 64 hex characters are
 * taken as the id itself (spec §1.1).
 *
 * @param digest the 32-byte id
 */
public record NetworkId(Digest digest) {

    /** Validates the component. */
    public NetworkId {
        Objects.requireNonNull(digest, "digest");
    }

    /**
     * The network id for a name, or for its 64-hex-character form.
     *
     * @param name a name such as {@code "orders-prod"}, or 64 hex characters
     * @return the id
     * @throws IllegalArgumentException if the name is blank
     */
    public static NetworkId of(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a network id needs a non-blank name (mosaik.network-id)");
        }
        return new NetworkId(Digest.of(name));
    }

    /** The 64-character hex form. */
    @Override
    public String toString() {
        return digest.toHex();
    }

    /** The short form for logs and metric tags. */
    public String toShortString() {
        return digest.toShortString();
    }
}

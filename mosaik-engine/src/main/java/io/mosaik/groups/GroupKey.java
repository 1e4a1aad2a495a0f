package io.mosaik.groups;

import io.mosaik.primitives.Digest;
import java.util.Objects;

/**
 * The secret a group's members share. Only nodes that hold it can bond with the members (they prove it
 * on every new bond without revealing it), and it is part of the group's id, so nodes with different
 * keys are simply in different groups.
 */
public final class GroupKey {

    private final Digest secret;

    private GroupKey(Digest secret) {
        this.secret = secret;
    }

    /**
     * A key from a secret string: 64 hex characters are taken as the 32 key bytes, anything else is
     * hashed (BLAKE3). Use a long random secret: whoever guesses it can join.
     *
     * @param secret the secret
     * @return the key
     */
    public static GroupKey fromSecret(String secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.isBlank()) {
            throw new IllegalArgumentException("a group secret must not be blank");
        }
        return new GroupKey(Digest.of(secret));
    }

    /**
     * A key of 32 bytes.
     *
     * @param bytes exactly 32 bytes
     * @return the key
     */
    public static GroupKey fromBytes(byte[] bytes) {
        return new GroupKey(Digest.fromBytes(bytes));
    }

    /** A new random key. */
    public static GroupKey random() {
        return new GroupKey(Digest.random());
    }

    /** The 32 secret bytes, as a digest. */
    Digest secret() {
        return secret;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GroupKey key && key.secret.equals(secret);
    }

    @Override
    public int hashCode() {
        return secret.hashCode();
    }

    /** Only the first and last byte, so that logs never show the secret. */
    @Override
    public String toString() {
        String hex = secret.toHex();
        return hex.substring(0, 2) + "****" + hex.substring(hex.length() - 2);
    }
}

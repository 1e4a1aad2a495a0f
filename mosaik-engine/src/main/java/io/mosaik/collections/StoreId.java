package io.mosaik.collections;

import io.mosaik.primitives.Digest;
import java.util.Objects;
import java.util.Optional;

/**
 * Which replicated collection a handle is on. Every node that opens a collection with the same store id
 * (and the same kind, element types and settings) shares its contents.
 *
 * <p>A store id made from a name is the BLAKE3 hash of the name, so anyone on the network who knows the
 * name can open the collection, write included: a well-known name is a shared secret. To keep a
 * collection to the nodes that should have it, give it a secret as well
 * ({@link CollectionConfig#withSecret(String)}), or use a {@linkplain #random() random} id handed out
 * privately.
 */
public final class StoreId {

    private final Digest digest;
    private final String name;

    private StoreId(Digest digest, String name) {
        this.digest = digest;
        this.name = name;
    }

    /**
     * The store of a name (its BLAKE3 hash; 64 hex characters are taken as the id's bytes).
     *
     * @param name the name, not blank
     * @return the id
     */
    public static StoreId of(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a store name must not be blank");
        }
        return new StoreId(Digest.of(name), name);
    }

    /** A new random store id (share it with the other nodes to let them open the collection). */
    public static StoreId random() {
        return new StoreId(Digest.random(), null);
    }

    /**
     * A store id of 32 bytes.
     *
     * @param digest the bytes
     * @return the id
     */
    public static StoreId of(Digest digest) {
        return new StoreId(Objects.requireNonNull(digest, "digest"), null);
    }

    /** The 32 bytes of the id. */
    public Digest digest() {
        return digest;
    }

    /** The name it was made from, if it was made from one on this node. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** The name if known, else the first bytes of the id in hex; for logs and meters. */
    public String displayName() {
        return name != null ? name : digest.toShortString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoreId id && id.digest.equals(digest);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return "StoreId[" + displayName() + "]";
    }
}

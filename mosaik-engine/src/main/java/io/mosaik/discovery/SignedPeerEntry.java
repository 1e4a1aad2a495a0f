package io.mosaik.discovery;

import io.mosaik.primitives.Digest;
import io.mosaik.primitives.SecretKey;
import java.util.Objects;

/**
 * A {@link PeerEntry} with its node's Ed25519 signature over the BLAKE3 digest of its encoding. Only the
 * node that owns the peer id can make one; anyone can check it.
 *
 * @param entry     the entry
 * @param signature the 64-byte signature
 */
public record SignedPeerEntry(PeerEntry entry, byte[] signature) {

    /** Validates the components. */
    public SignedPeerEntry {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(signature, "signature");
        signature = signature.clone();
    }

    /**
     * Signs an entry.
     *
     * @param entry the entry
     * @param key   the secret key of the entry's peer
     * @return the signed entry
     * @throws IllegalArgumentException if the key belongs to another peer id
     */
    public static SignedPeerEntry sign(PeerEntry entry, SecretKey key) {
        if (!key.peerId().equals(entry.peerId())) {
            throw new IllegalArgumentException("cannot sign the entry of " + entry.peerId().toShortString()
                    + " with the key of " + key.peerId().toShortString());
        }
        return new SignedPeerEntry(entry, key.sign(digest(entry).toBytes()));
    }

    /** The wire form: the encoded entry followed by the 64-byte signature. */
    public byte[] toBytes() {
        byte[] entryBytes = entry.encode();
        byte[] bytes = java.util.Arrays.copyOf(entryBytes, entryBytes.length + 64);
        System.arraycopy(signature, 0, bytes, entryBytes.length, 64);
        return bytes;
    }

    /**
     * Reads the wire form and checks the signature, so that no unverified entry ever exists.
     *
     * @param bytes the wire form
     * @return the verified entry
     * @throws PeerEntry.MalformedEntryException if the bytes are malformed or the signature does not verify
     */
    public static SignedPeerEntry fromBytes(byte[] bytes) {
        if (bytes.length < 64) {
            throw new PeerEntry.MalformedEntryException("too short for a signed entry");
        }
        PeerEntry entry = PeerEntry.decode(java.util.Arrays.copyOf(bytes, bytes.length - 64));
        SignedPeerEntry signed = new SignedPeerEntry(entry,
                java.util.Arrays.copyOfRange(bytes, bytes.length - 64, bytes.length));
        if (!signed.verify()) {
            throw new PeerEntry.MalformedEntryException("the signature of " + entry.peerId().toShortString()
                    + " does not verify");
        }
        return signed;
    }

    /** Whether the signature was made by the entry's peer over exactly this entry. */
    public boolean verify() {
        return entry.peerId().verify(digest(entry).toBytes(), signature);
    }

    /** The signature (a copy). */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** The BLAKE3 digest of the entry's encoding: what is signed. */
    public static Digest digest(PeerEntry entry) {
        return Digest.hash(entry.encode());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SignedPeerEntry signed && entry.equals(signed.entry)
                && java.util.Arrays.equals(signature, signed.signature);
    }

    @Override
    public int hashCode() {
        return entry.hashCode() * 31 + java.util.Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "SignedPeerEntry(" + entry.peerId().toShortString() + " " + entry.version() + ")";
    }
}

package io.mosaik.discovery;

import io.mosaik.primitives.Digest;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.PeerId;
import io.mosaik.primitives.SecretKey;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * What discovery broadcasts over gossip (spec §2.4): a node's new signed entry, or its signed, graceful
 * departure. Both are signed by the node they are about, so any node may relay them.
 *
 * <pre>
 * 1 | signed entry                        (OwnEntryUpdate)
 * 2 | peer id (32) | network id (32) | last version start (i64) | last version update (i64)
 *   | timestamp ms (i64) | Ed25519 signature (64)          (GracefulDeparture)
 * </pre>
 *
 * <p>Unlike the original, a departure's signature also covers the network id, so a departure cannot be
 * replayed into another network the same key takes part in.
 */
public sealed interface AnnounceMessage {

    /** The peer the message is about (and signed by). */
    PeerId peer();

    /** The time the message claims, compared with the local clock against the allowed drift. */
    long timestampMillis();

    /** The binary form. */
    byte[] toBytes();

    /**
     * Decodes and verifies a message.
     *
     * @param bytes the binary form
     * @return the verified message
     * @throws PeerEntry.MalformedEntryException if it is malformed or its signature does not verify
     */
    static AnnounceMessage fromBytes(byte[] bytes) {
        if (bytes.length == 0) {
            throw new PeerEntry.MalformedEntryException("an empty announcement");
        }
        return switch (bytes[0]) {
            case 1 -> new EntryUpdate(SignedPeerEntry.fromBytes(Arrays.copyOfRange(bytes, 1, bytes.length)));
            case 2 -> Departure.decode(bytes);
            default -> throw new PeerEntry.MalformedEntryException("unknown announcement type " + bytes[0]);
        };
    }

    /**
     * A node's new entry: sent whenever its version increases.
     *
     * @param entry the signed entry
     */
    record EntryUpdate(SignedPeerEntry entry) implements AnnounceMessage {
        /** Validates. */
        public EntryUpdate {
            Objects.requireNonNull(entry, "entry");
        }

        @Override
        public PeerId peer() {
            return entry.entry().peerId();
        }

        @Override
        public long timestampMillis() {
            return entry.entry().version().update();
        }

        @Override
        public byte[] toBytes() {
            byte[] signed = entry.toBytes();
            byte[] bytes = new byte[1 + signed.length];
            bytes[0] = 1;
            System.arraycopy(signed, 0, bytes, 1, signed.length);
            return bytes;
        }
    }

    /**
     * A node leaving on purpose: every entry of it up to {@code lastVersion} is gone.
     *
     * @param peer            the departing node
     * @param network         its network
     * @param lastVersion     the last version of its entry
     * @param timestampMillis when it left
     * @param signature       its Ed25519 signature over {@link #digest}
     */
    record Departure(PeerId peer, NetworkId network, EntryVersion lastVersion, long timestampMillis,
            byte[] signature) implements AnnounceMessage {

        private static final int LENGTH = 1 + 32 + 32 + 8 + 8 + 8 + 64;

        /** Validates and copies the signature. */
        public Departure {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(network, "network");
            Objects.requireNonNull(lastVersion, "lastVersion");
            if (signature.length != 64) {
                throw new IllegalArgumentException("an Ed25519 signature has 64 bytes, not " + signature.length);
            }
            signature = signature.clone();
        }

        /**
         * Signs the departure of the key's node.
         *
         * @param key             the departing node's key
         * @param network         its network
         * @param lastVersion     the last version of its entry
         * @param timestampMillis now
         * @return the signed departure
         */
        public static Departure sign(SecretKey key, NetworkId network, EntryVersion lastVersion, long timestampMillis) {
            byte[] signature = key.sign(digest(key.peerId(), network, lastVersion, timestampMillis).toBytes());
            return new Departure(key.peerId(), network, lastVersion, timestampMillis, signature);
        }

        /** Whether the signature was made by {@link #peer} over these fields. */
        public boolean verify() {
            return peer.verify(digest(peer, network, lastVersion, timestampMillis).toBytes(), signature);
        }

        /** The signature (a copy). */
        @Override
        public byte[] signature() {
            return signature.clone();
        }

        /** What the signature covers. */
        static Digest digest(PeerId peer, NetworkId network, EntryVersion version, long timestampMillis) {
            ByteBuffer numbers = ByteBuffer.allocate(24).putLong(version.start()).putLong(version.update())
                    .putLong(timestampMillis);
            return Digest.fromParts("mosaik.discovery.departure".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    peer.toBytes(), network.digest().toBytes(), numbers.array());
        }

        @Override
        public byte[] toBytes() {
            return ByteBuffer.allocate(LENGTH).put((byte) 2).put(peer.toBytes()).put(network.digest().toBytes())
                    .putLong(lastVersion.start()).putLong(lastVersion.update()).putLong(timestampMillis)
                    .put(signature).array();
        }

        static Departure decode(byte[] bytes) {
            if (bytes.length != LENGTH) {
                throw new PeerEntry.MalformedEntryException("a departure of " + bytes.length + " bytes, not " + LENGTH);
            }
            ByteBuffer in = ByteBuffer.wrap(bytes, 1, LENGTH - 1);
            try {
                PeerId peer = PeerId.fromBytes(take(in, 32));
                NetworkId network = new NetworkId(Digest.fromBytes(take(in, 32)));
                EntryVersion version = new EntryVersion(in.getLong(), in.getLong());
                long timestamp = in.getLong();
                Departure departure = new Departure(peer, network, version, timestamp, take(in, 64));
                if (!departure.verify()) {
                    throw new PeerEntry.MalformedEntryException("the departure signature of "
                            + peer.toShortString() + " does not verify");
                }
                return departure;
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                if (e instanceof PeerEntry.MalformedEntryException malformed) {
                    throw malformed;
                }
                throw new PeerEntry.MalformedEntryException("bad departure: " + e.getMessage());
            }
        }

        private static byte[] take(ByteBuffer in, int length) {
            byte[] bytes = new byte[length];
            in.get(bytes);
            return bytes;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Departure that && peer.equals(that.peer) && network.equals(that.network)
                    && lastVersion.equals(that.lastVersion) && timestampMillis == that.timestampMillis
                    && Arrays.equals(signature, that.signature);
        }

        @Override
        public int hashCode() {
            return Objects.hash(peer, network, lastVersion, timestampMillis, Arrays.hashCode(signature));
        }

        @Override
        public String toString() {
            return "Departure(" + peer.toShortString() + " at " + lastVersion + ")";
        }
    }
}

package io.mosaik.groups;

import io.mosaik.primitives.Digest;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.PeerId;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The bond protocol of groups ({@value #PROTOCOL}): a three-message handshake in which both ends prove
 * they hold the group key, then frames of Raft messages, heartbeats, departures, and the signed catalog entries of newly bonded
 * members ({@code BOND_FORMED}), which complete the mesh even when discovery is slow.
 *
 * <p>Handshake: the initiator sends {@code Start(network, group, nonceA)}; the acceptor answers
 * {@code Reply(nonceB, proof of the acceptor)}; the initiator checks it and sends
 * {@code Finish(proof of the initiator)}. A proof is HMAC-SHA256 under the group secret over the role,
 * the group id, both nonces and both peer ids (prover first). Fresh nonces from both sides bind a proof
 * to one handshake, and the peer ids (authenticated by the transport) to the two ends, so a recorded
 * proof is worth nothing elsewhere, and the key never crosses the wire.
 */
final class GroupWire {

    /** The protocol name bonds use. */
    static final String PROTOCOL = "/mosaik/groups/1.2";

    static final byte START = 1;
    static final byte REPLY = 2;
    static final byte FINISH = 3;

    static final byte RAFT = 10;
    static final byte PING = 11;
    static final byte PONG = 12;
    static final byte DEPARTURE = 13;
    static final byte BOND_FORMED = 14;

    private static final int NONCE = 32;
    private static final int PROOF = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private GroupWire() {
    }

    /** The first handshake message. */
    record Start(NetworkId network, GroupId group, byte[] nonce) {
        byte[] encode() {
            return ByteBuffer.allocate(1 + 32 + 32 + NONCE).put(START).put(network.digest().toBytes())
                    .put(group.digest().toBytes()).put(nonce).array();
        }

        static Start decode(byte[] bytes) {
            if (bytes.length != 1 + 32 + 32 + NONCE || bytes[0] != START) {
                throw new IllegalArgumentException("not a group handshake start (" + bytes.length + " bytes)");
            }
            ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
            return new Start(new NetworkId(Digest.fromBytes(take(in, 32))), new GroupId(Digest.fromBytes(take(in, 32))),
                    take(in, NONCE));
        }
    }

    /** The acceptor's answer. */
    record Reply(byte[] nonce, byte[] proof) {
        byte[] encode() {
            return ByteBuffer.allocate(1 + NONCE + PROOF).put(REPLY).put(nonce).put(proof).array();
        }

        static Reply decode(byte[] bytes) {
            if (bytes.length != 1 + NONCE + PROOF || bytes[0] != REPLY) {
                throw new IllegalArgumentException("not a group handshake reply (" + bytes.length + " bytes)");
            }
            ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
            return new Reply(take(in, NONCE), take(in, PROOF));
        }
    }

    /** The initiator's proof. */
    record Finish(byte[] proof) {
        byte[] encode() {
            return ByteBuffer.allocate(1 + PROOF).put(FINISH).put(proof).array();
        }

        static Finish decode(byte[] bytes) {
            if (bytes.length != 1 + PROOF || bytes[0] != FINISH) {
                throw new IllegalArgumentException("not a group handshake finish (" + bytes.length + " bytes)");
            }
            return new Finish(java.util.Arrays.copyOfRange(bytes, 1, bytes.length));
        }
    }

    /** A fresh random nonce. */
    static byte[] nonce() {
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /**
     * The proof that {@code prover} holds the key, for this handshake.
     *
     * @param key       the group key
     * @param group     the group id
     * @param initiator whether the prover is the initiator
     * @param nonceA    the initiator's nonce
     * @param nonceB    the acceptor's nonce
     * @param prover    the proving peer
     * @param verifier  the peer that checks
     * @return 32 bytes
     */
    static byte[] proof(GroupKey key, GroupId group, boolean initiator, byte[] nonceA, byte[] nonceB,
                        PeerId prover, PeerId verifier) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.secret().toBytes(), "HmacSHA256"));
            mac.update(initiator ? (byte) 'I' : (byte) 'A');
            mac.update(group.digest().toBytes());
            mac.update(nonceA);
            mac.update(nonceB);
            mac.update(prover.toBytes());
            mac.update(verifier.toBytes());
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Compares proofs in constant time. */
    static boolean matches(byte[] expected, byte[] actual) {
        return MessageDigest.isEqual(expected, actual);
    }

    /** A bond frame of one type with a body. */
    static byte[] frame(byte type, byte[] body) {
        byte[] frame = new byte[1 + body.length];
        frame[0] = type;
        System.arraycopy(body, 0, frame, 1, body.length);
        return frame;
    }

    private static byte[] take(ByteBuffer in, int n) {
        byte[] out = new byte[n];
        in.get(out);
        return out;
    }
}

package io.mosaik.network;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.FrameStream;
import io.mosaik.network.transport.LinkClosedException;
import io.mosaik.network.transport.TransportConnection;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.PeerId;
import io.mosaik.primitives.SecretKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * Mutual proof of identity on the first stream of every connection, before anything else may use it.
 *
 * <pre>
 * dialer   → HELLO     version | networkId | dialerPeerId | dialerNonce | expected listener peerId (or zeros)
 * listener → CHALLENGE listenerPeerId | listenerNonce | sign_listener(transcript("server"))
 * dialer   → PROOF     sign_dialer(transcript("client"))
 * listener → ACCEPT
 * transcript(role) = "mosaik/peer-auth/1/" role | networkId | dialerNonce | listenerNonce
 *                    | serverTlsKey | clientTlsKey | dialerPeerId | listenerPeerId
 * </pre>
 *
 * <p>Why it holds: each side signs a nonce the other side just chose (no replay) together with the TLS
 * keys of this very connection as both ends see them. A man in the middle terminates TLS with its own
 * key, so a signature relayed through it names a TLS key the victim did not see and fails. Refusals
 * travel as a CLOSE frame on this stream (other network, wrong peer, failed proof, self-connection), so
 * the refused side learns why.
 */
final class PeerAuth {

    private static final byte VERSION = 1;
    private static final int NONCE = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PeerAuth() {
    }

    /**
     * Runs the dialer's side.
     *
     * @return the listener's proven peer id
     */
    static PeerId dialer(FrameStream control, TransportConnection connection, SecretKey key, NetworkId network,
            PeerId expected) throws IOException {
        PeerId self = key.peerId();
        byte[] dialerNonce = nonce();
        ByteBuffer hello = ByteBuffer.allocate(1 + 32 + 32 + NONCE + 32);
        hello.put(VERSION).put(network.digest().toBytes()).put(self.toBytes()).put(dialerNonce)
                .put(expected == null ? new byte[32] : expected.toBytes());
        control.send(hello.array());

        ByteBuffer challenge = ByteBuffer.wrap(receive(control));
        if (challenge.remaining() != 32 + NONCE + 64) {
            throw refuse(control, CloseReason.PROTOCOL_VIOLATION, "malformed challenge");
        }
        PeerId listener = PeerId.fromBytes(take(challenge, 32));
        byte[] listenerNonce = take(challenge, NONCE);
        byte[] listenerSignature = take(challenge, 64);
        if (expected != null && !expected.equals(listener)) {
            throw refuse(control, CloseReason.WRONG_PEER, "expected peer " + expected.toShortString()
                    + " but " + listener.toShortString() + " answered");
        }
        byte[] serverTranscript = transcript("server", network, dialerNonce, listenerNonce, connection, self, listener);
        if (!listener.verify(serverTranscript, listenerSignature)) {
            throw refuse(control, CloseReason.AUTHENTICATION_FAILED,
                    "peer " + listener.toShortString() + " failed to prove its identity");
        }
        control.send(key.sign(transcript("client", network, dialerNonce, listenerNonce, connection, self, listener)));
        byte[] accept = receive(control);
        if (accept.length != 1 || accept[0] != VERSION) {
            throw refuse(control, CloseReason.PROTOCOL_VIOLATION, "malformed accept");
        }
        return listener;
    }

    /**
     * Runs the listener's side.
     *
     * @return the dialer's proven peer id
     */
    static PeerId listener(FrameStream control, TransportConnection connection, SecretKey key, NetworkId network)
            throws IOException {
        PeerId self = key.peerId();
        ByteBuffer hello = ByteBuffer.wrap(receive(control));
        if (hello.remaining() != 1 + 32 + 32 + NONCE + 32 || hello.get() != VERSION) {
            throw refuse(control, CloseReason.PROTOCOL_VIOLATION, "malformed hello");
        }
        byte[] remoteNetwork = take(hello, 32);
        PeerId dialer = PeerId.fromBytes(take(hello, 32));
        byte[] dialerNonce = take(hello, NONCE);
        byte[] expected = take(hello, 32);
        if (!network.digest().equals(io.mosaik.primitives.Digest.fromBytes(remoteNetwork))) {
            throw refuse(control, CloseReason.DIFFERENT_NETWORK, "peer " + dialer.toShortString()
                    + " belongs to network " + io.mosaik.primitives.Digest.fromBytes(remoteNetwork).toShortString());
        }
        if (!isZero(expected) && !self.equals(PeerId.fromBytes(expected))) {
            throw refuse(control, CloseReason.WRONG_PEER, "peer " + dialer.toShortString() + " dialed "
                    + PeerId.fromBytes(expected).toShortString() + ", which is not this node");
        }
        if (dialer.equals(self)) {
            throw refuse(control, CloseReason.WRONG_PEER, "a node dialed itself");
        }
        byte[] listenerNonce = nonce();
        byte[] signature = key.sign(transcript("server", network, dialerNonce, listenerNonce, connection, dialer, self));
        control.send(ByteBuffer.allocate(32 + NONCE + 64).put(self.toBytes()).put(listenerNonce).put(signature).array());

        byte[] proof = receive(control);
        if (!dialer.verify(transcript("client", network, dialerNonce, listenerNonce, connection, dialer, self), proof)) {
            throw refuse(control, CloseReason.AUTHENTICATION_FAILED,
                    "peer claiming to be " + dialer.toShortString() + " failed to prove it");
        }
        control.send(new byte[] {VERSION});
        return dialer;
    }

    static byte[] transcript(String role, NetworkId network, byte[] dialerNonce, byte[] listenerNonce,
            TransportConnection connection, PeerId dialer, PeerId listener) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        out.writeBytes(("mosaik/peer-auth/1/" + role).getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(network.digest().toBytes());
        out.writeBytes(dialerNonce);
        out.writeBytes(listenerNonce);
        writeSized(out, connection.serverTlsKey());
        writeSized(out, connection.clientTlsKey());
        out.writeBytes(dialer.toBytes());
        out.writeBytes(listener.toBytes());
        return out.toByteArray();
    }

    private static void writeSized(ByteArrayOutputStream out, byte[] bytes) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
        out.writeBytes(bytes);
    }

    private static byte[] receive(FrameStream control) throws IOException {
        try {
            return control.receive();
        } catch (LinkClosedException e) {
            throw new PeerAuthException(e.reason(), "peer authentication ended: " + e.getMessage());
        }
    }

    private static PeerAuthException refuse(FrameStream control, CloseReason reason, String message) {
        control.close(reason);
        return new PeerAuthException(reason, message);
    }

    private static byte[] take(ByteBuffer buffer, int length) {
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] nonce() {
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        return nonce;
    }
}

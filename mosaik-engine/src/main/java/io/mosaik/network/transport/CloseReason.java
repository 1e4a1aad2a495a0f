package io.mosaik.network.transport;

import java.util.Map;
import java.util.Objects;

/**
 * Why a link or connection was closed: a numeric code that travels on the wire and a name for logs.
 *
 * <p>The codes are those of the mosaik protocol (spec §1.6): 100–199 network internals, 200–299
 * orderly outcomes, 400–499 protocol errors, 10_xxx streams, 30_xxx groups. A code received from a
 * remote peer that this version does not know is kept as it is, with the name {@code "Unknown"}.
 *
 * @param code the wire code
 * @param name the stable name of the code, as used in logs and metrics
 */
public record CloseReason(int code, String name) {

    /** The stream or protocol asked for is not served here (the ALPN of the original). */
    public static final CloseReason INVALID_ALPN = new CloseReason(100, "InvalidAlpn");
    /** The remote peer belongs to another network id. */
    public static final CloseReason DIFFERENT_NETWORK = new CloseReason(101, "DifferentNetwork");
    /** The local side cancelled the operation (for example on shutdown). */
    public static final CloseReason CANCELLED = new CloseReason(102, "Cancelled");
    /** The remote side went away without a close frame. */
    public static final CloseReason UNEXPECTED_CLOSE = new CloseReason(103, "UnexpectedClose");
    /** The remote peer could not prove the peer id it claims. */
    public static final CloseReason AUTHENTICATION_FAILED = new CloseReason(104, "AuthenticationFailed");
    /** A second connection to the same peer lost the deduplication rule. */
    public static final CloseReason DUPLICATE_CONNECTION = new CloseReason(105, "DuplicateConnection");
    /** No traffic for longer than the idle timeout, or a handshake step timed out. */
    public static final CloseReason TIMEOUT = new CloseReason(106, "Timeout");
    /** The peer asked to be talked to by another peer id than the one that answered. */
    public static final CloseReason WRONG_PEER = new CloseReason(107, "WrongPeer");
    /** Orderly end of a link. */
    public static final CloseReason SUCCESS = new CloseReason(200, "Success");
    /** The node is shutting down. */
    public static final CloseReason GRACEFUL_SHUTDOWN = new CloseReason(204, "GracefulShutdown");
    /** A frame did not decode, was larger than allowed, or broke the protocol's order. */
    public static final CloseReason PROTOCOL_VIOLATION = new CloseReason(400, "ProtocolViolation");
    /** "I don't know you": sync your catalog with me and retry. */
    public static final CloseReason UNKNOWN_PEER = new CloseReason(401, "UnknownPeer");

    /** Streams: the producer's {@code require} predicate refuses this consumer (or no longer accepts it). */
    public static final CloseReason NOT_ALLOWED = new CloseReason(10_403, "NotAllowed");
    /** Streams: this node produces no stream with the id asked for. */
    public static final CloseReason STREAM_NOT_FOUND = new CloseReason(10_404, "StreamNotFound");
    /** Streams: the consumer did not keep up and its queue at the producer overflowed. */
    public static final CloseReason TOO_SLOW = new CloseReason(10_413, "TooSlow");
    /** Streams: the producer already has its maximum number of consumers. */
    public static final CloseReason NO_CAPACITY = new CloseReason(10_509, "NoCapacity");

    /** Groups: the bond handshake was malformed. */
    public static final CloseReason INVALID_HANDSHAKE = new CloseReason(30_400, "InvalidHandshake");
    /** Groups: the peer is not allowed in the group. */
    public static final CloseReason GROUP_NOT_ALLOWED = new CloseReason(30_403, "NotAllowed");
    /** Groups: this node is not a member of the group asked for. */
    public static final CloseReason GROUP_NOT_FOUND = new CloseReason(30_404, "GroupNotFound");
    /** Groups: the peer's proof of the group key is wrong (it holds another key, or none). */
    public static final CloseReason INVALID_PROOF = new CloseReason(30_405, "InvalidProof");
    /** Groups: the handshake or the bond's heartbeats timed out. */
    public static final CloseReason BOND_TIMEOUT = new CloseReason(30_408, "Timeout");
    /** Groups: the two nodes already have a bond for this group. */
    public static final CloseReason ALREADY_BONDED = new CloseReason(30_429, "AlreadyBonded");

    private static final Map<Integer, CloseReason> KNOWN = Map.ofEntries(
            entry(INVALID_ALPN), entry(DIFFERENT_NETWORK), entry(CANCELLED), entry(UNEXPECTED_CLOSE),
            entry(AUTHENTICATION_FAILED), entry(DUPLICATE_CONNECTION), entry(TIMEOUT), entry(WRONG_PEER),
            entry(SUCCESS), entry(GRACEFUL_SHUTDOWN), entry(PROTOCOL_VIOLATION), entry(UNKNOWN_PEER),
            entry(NOT_ALLOWED), entry(STREAM_NOT_FOUND), entry(TOO_SLOW), entry(NO_CAPACITY),
            entry(INVALID_HANDSHAKE), entry(GROUP_NOT_ALLOWED), entry(GROUP_NOT_FOUND), entry(INVALID_PROOF),
            entry(BOND_TIMEOUT), entry(ALREADY_BONDED));

    /** Validates the components. */
    public CloseReason {
        Objects.requireNonNull(name, "name");
    }

    /**
     * The reason for a code received from the wire.
     *
     * @param code the wire code
     * @return the known reason, or a reason named {@code "Unknown"} carrying the code
     */
    public static CloseReason ofCode(int code) {
        CloseReason known = KNOWN.get(code);
        return known != null ? known : new CloseReason(code, "Unknown");
    }

    /** Whether this reason means an orderly end rather than an error. */
    public boolean isOrderly() {
        return code == SUCCESS.code || code == GRACEFUL_SHUTDOWN.code;
    }

    @Override
    public String toString() {
        return name + "(" + code + ")";
    }

    private static Map.Entry<Integer, CloseReason> entry(CloseReason reason) {
        return Map.entry(reason.code, reason);
    }
}

package io.mosaik.actuator;

import io.mosaik.network.ConnectionInfo;

/**
 * One entry of the {@code connections} section of {@code /actuator/mosaik}, keyed there by the remote
 * peer id.
 *
 * @param remoteAddress the remote socket address, {@code host:port}
 * @param direction     {@code outbound} if this node dialed, {@code inbound} otherwise
 * @param transport     the transport, {@code tcp} or {@code quic}
 * @param openedAt      when the peer was authenticated, ISO-8601
 * @param links         the protocol links open on the connection now
 * @param primary       whether new links to the peer use this connection
 */
public record MosaikConnectionDescriptor(String remoteAddress, String direction, String transport, String openedAt,
        int links, boolean primary) {

    /**
     * Describes a connection.
     *
     * @param connection the engine's snapshot of it
     * @return its description
     */
    public static MosaikConnectionDescriptor of(ConnectionInfo connection) {
        return new MosaikConnectionDescriptor(connection.remoteAddress(), connection.direction(),
                connection.transport(), connection.openedAt() == null ? null : connection.openedAt().toString(),
                connection.links(), connection.primary());
    }
}

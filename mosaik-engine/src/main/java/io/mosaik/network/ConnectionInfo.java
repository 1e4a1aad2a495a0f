package io.mosaik.network;

import io.mosaik.primitives.PeerId;
import java.time.Instant;

/**
 * A snapshot of one authenticated connection, for diagnostics and the actuator.
 *
 * @param peer          the remote peer
 * @param remoteAddress the remote socket address, {@code host:port}
 * @param direction     {@code outbound} if this node dialed, {@code inbound} otherwise
 * @param transport     the transport's name
 * @param openedAt      when the peer was authenticated
 * @param links         the links open on it now
 * @param primary       whether new links to this peer use this connection (a second connection from a
 *                      simultaneous dial is retired and closes when its last link does)
 */
public record ConnectionInfo(PeerId peer, String remoteAddress, String direction, String transport,
        Instant openedAt, int links, boolean primary) {
}

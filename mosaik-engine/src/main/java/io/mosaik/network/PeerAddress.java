package io.mosaik.network;

import io.mosaik.primitives.PeerId;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where a node can be dialed, with the identity it must prove: {@code peerId@host:port}
 * ({@code peerId@[::1]:port} for IPv6). This is the form of bootstrap entries and of
 * {@link Network#address()}.
 *
 * @param peerId the identity the node must prove
 * @param host   a literal IP address or a host name
 * @param port   the port
 */
public record PeerAddress(PeerId peerId, String host, int port) {

    /** Validates the components. */
    public PeerAddress {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("a peer address needs a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
    }

    /**
     * Parses {@code peerId@host:port}.
     *
     * @param text the address, such as {@code 3b6a…e1@127.0.0.1:7400} or {@code 3b6a…e1@[::1]:7400}
     * @return the address
     * @throws IllegalArgumentException with a message that says which part is wrong
     */
    public static PeerAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        String value = text.strip();
        int at = value.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("a peer address is peerId@host:port, got '" + value
                    + "' (the peer id, 64 hex characters, is printed by each node at start-up)");
        }
        PeerId peerId;
        try {
            peerId = PeerId.parse(value.substring(0, at));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad peer id in peer address '" + value + "': " + e.getMessage(), e);
        }
        String hostPort = value.substring(at + 1);
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("a peer address is peerId@host:port, the port is missing in '"
                    + value + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("write IPv6 hosts in brackets, as peerId@[::1]:port, got '"
                    + value + "'");
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in peer address '" + value + "'", e);
        }
        return new PeerAddress(peerId, host, port);
    }

    /** The address for a bound socket. */
    public static PeerAddress of(PeerId peerId, InetSocketAddress socket) {
        String host = socket.isUnresolved() ? socket.getHostString() : socket.getAddress().getHostAddress();
        return new PeerAddress(peerId, host, socket.getPort());
    }

    /** The socket address to dial (resolves the host name if it is one). */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    /** The text form, {@code peerId@host:port}. */
    @Override
    public String toString() {
        return peerId.toHex() + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}

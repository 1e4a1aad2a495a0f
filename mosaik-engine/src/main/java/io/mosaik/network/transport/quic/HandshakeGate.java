package io.mosaik.network.transport.quic;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The listening UDP socket handed to kwik's server connector, which caps the QUIC handshakes in flight.
 *
 * <p>kwik 0.10.9 builds a full server connection (four to six platform threads) for every Initial packet
 * that carries a complete ClientHello, before the handshake is done and before the application hears of
 * it; a spoofed source address costs an attacker one datagram. kwik offers no limit for this, and its
 * address validation ({@code retryRequired}) makes it worse: a connection that sent a Retry never
 * starts its idle timer, so every unanswered Retry keeps its threads for ever (measured on 0.10.9).
 *
 * <p>So this socket, whose {@link #receive} kwik's single receiver thread calls, admits a QUIC v1 Initial
 * packet from a source address it has not seen only while fewer than {@code maxHandshakes} sources are
 * in a handshake. A source holds its slot until its connection reaches the application
 * ({@link #release}) or until it has been silent for {@code window}, which is longer than kwik keeps a
 * handshake that gets no answer (its idle timeout plus the close). Every long-header packet from a
 * source refreshes its slot, so a peer that keeps a handshake alive keeps it counted. Initial packets
 * from new sources that are shorter than 1200 bytes are dropped, as kwik would (RFC 9000 §14.1), but
 * before kwik allocates anything for them. All other packets pass untouched.
 *
 * <p>Under a flood of handshakes, new peers are turned away until slots free up (a dialer's QUIC stack
 * retransmits its Initial, so a short flood only delays it); the threads kwik spends on handshakes stay
 * bounded at {@code maxHandshakes} connections' worth.
 */
final class HandshakeGate extends DatagramSocket {

    /** The smallest datagram that may carry a client's first Initial packet (RFC 9000 §14.1). */
    static final int MIN_INITIAL_DATAGRAM = 1200;
    private static final int QUIC_V1 = 1;

    private final int maxHandshakes;
    private final long windowNanos;
    // source address -> when its last long-header packet arrived (System.nanoTime)
    private final Map<SocketAddress, Long> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean released;

    /**
     * Binds the socket.
     *
     * @param address       the address to bind
     * @param maxHandshakes how many sources may be in a handshake at once
     * @param window        how long a silent source keeps its slot
     * @throws SocketException if the address cannot be bound
     */
    HandshakeGate(SocketAddress address, int maxHandshakes, Duration window) throws SocketException {
        super(address);
        this.maxHandshakes = maxHandshakes;
        this.windowNanos = window.toNanos();
    }

    /**
     * Closes the socket, releasing the port, while kwik's receiver thread may still be running.
     *
     * <p>kwik 0.10.9's server treats any I/O error in its receive loop that comes before its own
     * shutdown as fatal and calls {@code System.exit(9)}, and its {@code close()} shuts the receiver
     * down only after waiting up to 30 s for connections to close. So once released, {@link #receive}
     * reports a timeout after a short pause instead of an error: kwik's loop ignores timeouts and ends
     * when kwik's own close gets to its receiver.
     */
    void release() {
        released = true;
        close();
    }

    /** Receives the next datagram that is admitted; refused ones are dropped silently. */
    @Override
    public void receive(DatagramPacket packet) throws IOException {
        int capacity = packet.getLength();
        while (true) {
            if (released) {
                throw releasedTimeout();
            }
            packet.setLength(capacity);
            try {
                super.receive(packet);
            } catch (SocketException e) {
                if (released) {
                    throw releasedTimeout();
                }
                throw e;
            }
            if (admit(packet.getData(), packet.getOffset(), packet.getLength(), packet.getSocketAddress())) {
                return;
            }
            refused.incrementAndGet();
        }
    }

    private static java.net.SocketTimeoutException releasedTimeout() {
        // pause so that kwik's receive loop, which retries at once, does not spin until it is shut down
        java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50));
        return new java.net.SocketTimeoutException("the socket was released; kwik's receiver is shutting down");
    }

    /** Frees the slot of a source whose connection reached the application. */
    void release(SocketAddress source) {
        if (source != null) {
            inFlight.remove(source);
        }
    }

    /** How many sources hold a handshake slot now. */
    int handshakesInFlight() {
        synchronized (inFlight) {
            expire(System.nanoTime());
            return inFlight.size();
        }
    }

    /** How many datagrams were dropped because they would have started a handshake over the limit. */
    long refused() {
        return refused.get();
    }

    private boolean admit(byte[] data, int offset, int length, SocketAddress source) {
        if (length < 5 || (data[offset] & 0x80) == 0) {
            return true; // short header: an established connection (kwik drops unknown ones cheaply)
        }
        long now = System.nanoTime();
        if (inFlight.computeIfPresent(source, (key, seen) -> now) != null) {
            return true;
        }
        int version = ((data[offset + 1] & 0xff) << 24) | ((data[offset + 2] & 0xff) << 16)
                | ((data[offset + 3] & 0xff) << 8) | (data[offset + 4] & 0xff);
        boolean initial = version == QUIC_V1 && (data[offset] & 0x30) == 0;
        if (!initial) {
            return true; // handshake packets of known connections, version negotiation: kwik's business
        }
        if (length < MIN_INITIAL_DATAGRAM) {
            return false;
        }
        synchronized (inFlight) {
            if (inFlight.size() >= maxHandshakes) {
                expire(now);
                if (inFlight.size() >= maxHandshakes) {
                    return false;
                }
            }
            inFlight.put(source, now);
            return true;
        }
    }

    private void expire(long now) {
        inFlight.values().removeIf(seen -> now - seen > windowNanos);
    }
}

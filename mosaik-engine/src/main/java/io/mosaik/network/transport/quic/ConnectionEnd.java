package io.mosaik.network.transport.quic;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;
import tech.kwik.core.ConnectionTerminatedEvent;

/**
 * How a QUIC connection ended, in the transport SPI's terms.
 *
 * @param reason why it ended
 * @param remote whether the remote side ended it
 * @param detail extra words for exception messages, may be {@code null}
 */
record ConnectionEnd(CloseReason reason, boolean remote, String detail) {

    /**
     * Translates kwik's termination event.
     *
     * <p>Idle timeouts (including kwik's "connection lost" variant, an idle timeout after unanswered
     * packets) become {@link CloseReason#TIMEOUT}; an application close carries our own wire code (and its
     * reason phrase as the detail, unless that is just the reason's name); a
     * close without error (kwik's plain {@code close()}, as done by a shutting-down server connector) is
     * an orderly {@link CloseReason#SUCCESS}; transport errors and stateless resets are
     * {@link CloseReason#UNEXPECTED_CLOSE}.
     *
     * @param event the event
     * @return the end
     */
    static ConnectionEnd of(ConnectionTerminatedEvent event) {
        return switch (event.closeReason()) {
            case IdleTimeout, ConnectionLost -> new ConnectionEnd(CloseReason.TIMEOUT, false,
                    "QUIC " + event.closeReason());
            case StatelessReset -> new ConnectionEnd(CloseReason.UNEXPECTED_CLOSE, true, "QUIC stateless reset");
            case ImmediateClose -> {
                if (event.hasApplicationError()) {
                    CloseReason reason = CloseReason.ofCode((int) (long) event.applicationErrorCode());
                    // The reason phrase is the remote's detail when it says more than the reason's name.
                    String phrase = event.errorDescription();
                    yield new ConnectionEnd(reason, event.closedByPeer(),
                            phrase == null || phrase.isBlank() || phrase.equals(reason.name()) ? null : phrase);
                }
                if (event.hasTransportError()) {
                    yield new ConnectionEnd(CloseReason.UNEXPECTED_CLOSE, event.closedByPeer(),
                            event.errorDescription());
                }
                yield new ConnectionEnd(CloseReason.SUCCESS, event.closedByPeer(), "QUIC close without error");
            }
        };
    }

    /** A fresh exception describing this end (a new instance per throw keeps stack traces right). */
    LinkClosedException exception() {
        return new LinkClosedException(reason, remote, detail);
    }
}

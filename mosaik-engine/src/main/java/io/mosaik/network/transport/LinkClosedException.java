package io.mosaik.network.transport;

import java.io.IOException;

/**
 * A stream or connection was closed, by this side or by the remote, with a {@link CloseReason}.
 *
 * <p>Thrown by blocking reads and writes once the stream is gone. {@link #remote()} tells whether the
 * reason came from the other side (a close frame or a connection close it sent).
 */
public class LinkClosedException extends IOException {

    private final CloseReason reason;
    private final boolean remote;

    /**
     * Creates the exception.
     *
     * @param reason why the stream was closed
     * @param remote whether the remote side closed it
     * @param detail extra words for the message, may be {@code null}
     */
    public LinkClosedException(CloseReason reason, boolean remote, String detail) {
        super((remote ? "closed by the remote peer: " : "closed locally: ") + reason
                + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
        this.reason = reason;
        this.remote = remote;
    }

    /** Why the stream was closed. */
    public CloseReason reason() {
        return reason;
    }

    /** Whether the remote side closed the stream. */
    public boolean remote() {
        return remote;
    }
}

package io.mosaik.network.transport.tcp;

import io.mosaik.network.transport.CloseReason;
import io.mosaik.network.transport.LinkClosedException;

/**
 * How a stream or connection ended, kept so that every later call can throw a fresh
 * {@link LinkClosedException} (with the caller's own stack trace) carrying the same reason.
 *
 * @param reason why it ended
 * @param remote whether the remote side ended it
 * @param detail extra words for the message, may be {@code null}
 */
record Closure(CloseReason reason, boolean remote, String detail) {

    /** A new exception describing this closure. */
    LinkClosedException exception() {
        return new LinkClosedException(reason, remote, detail);
    }
}

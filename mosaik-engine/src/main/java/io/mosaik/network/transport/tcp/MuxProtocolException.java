package io.mosaik.network.transport.tcp;

import java.io.IOException;

/**
 * The peer sent a mux frame that breaks {@link MuxFrame}'s format or rules: the connection is closed
 * with {@link io.mosaik.network.transport.CloseReason#PROTOCOL_VIOLATION}.
 */
final class MuxProtocolException extends IOException {

    /**
     * Creates the exception.
     *
     * @param message what the peer did wrong
     */
    MuxProtocolException(String message) {
        super(message);
    }
}

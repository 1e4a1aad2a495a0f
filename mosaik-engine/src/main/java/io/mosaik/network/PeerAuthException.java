package io.mosaik.network;

import io.mosaik.network.transport.CloseReason;
import java.io.IOException;

/** A connection was refused before any protocol saw it: the peer could not be authenticated. */
public class PeerAuthException extends IOException {

    private final CloseReason reason;

    /**
     * Creates the exception.
     *
     * @param reason  the close reason sent or received
     * @param message what happened
     */
    public PeerAuthException(CloseReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** The close reason sent or received. */
    public CloseReason reason() {
        return reason;
    }
}

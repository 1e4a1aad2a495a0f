package io.mosaik.spring.boot;

import io.mosaik.primitives.PeerId;

/**
 * The mosaik node was configured but could not start, most often because its port is taken.
 * {@link MosaikStartFailureAnalyzer} reports it with the properties to check.
 */
public class MosaikStartException extends RuntimeException {

    private final PeerId peerId;

    /**
     * Creates the exception.
     *
     * @param peerId the node that could not start
     * @param cause  why, usually an {@link java.io.IOException} from binding the port
     */
    public MosaikStartException(PeerId peerId, Throwable cause) {
        super("mosaik node " + peerId.toShortString() + " could not start: " + cause.getMessage(), cause);
        this.peerId = peerId;
    }

    /** The node that could not start. */
    public PeerId getPeerId() {
        return peerId;
    }
}

package io.mosaik.network;

/**
 * Serves the links that remote peers open for one protocol. Registered with
 * {@link Network#handle(String, LinkHandler)}.
 */
@FunctionalInterface
public interface LinkHandler {

    /**
     * Takes over a link a remote peer opened. Runs on a virtual thread of its own, so it may block;
     * the link stays open after this returns until someone closes it. An exception closes the link with
     * {@link io.mosaik.network.transport.CloseReason#CANCELLED} and is logged.
     *
     * @param link the authenticated link
     * @throws Exception anything; the node keeps running
     */
    void accept(Link link) throws Exception;
}

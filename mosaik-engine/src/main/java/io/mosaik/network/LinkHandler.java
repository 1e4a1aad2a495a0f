package io.mosaik.network;

/**
 * Serves the links that remote peers open for one protocol. Registered with
 * {@link Network#handle(String, LinkHandler)}.
 */
@FunctionalInterface
public interface LinkHandler {

    /**
     * Serves a link a remote peer opened. Runs on a virtual thread of its own, so it may block for as
     * long as the link is in use. When it returns, the link is closed with
     * {@link io.mosaik.network.transport.CloseReason#SUCCESS} (so no stream outlives its handler); an
     * exception closes it with {@link io.mosaik.network.transport.CloseReason#CANCELLED} and is logged.
     *
     * @param link the authenticated link
     * @throws Exception anything; the node keeps running
     */
    void accept(Link link) throws Exception;
}

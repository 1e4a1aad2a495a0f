package io.mosaik.network;

/** The life cycle of a {@link Network}. */
public enum NetworkState {
    /** Built, not started: it has an identity but no address. */
    CREATED,
    /** Binding its port. */
    STARTING,
    /** Bound, accepting and dialing. */
    RUNNING,
    /** Closing its connections. */
    CLOSING,
    /** Closed; the port is released. */
    CLOSED
}

package io.mosaik.streams;

/** Where a subscription (a channel between one producer and one consumer) is in its life. */
public enum ChannelState {
    /** The link is being opened and the handshake exchanged. */
    CONNECTING,
    /** Datums flow. */
    CONNECTED,
    /** Ended; a consumer may open a new channel to the same producer later. */
    TERMINATED
}

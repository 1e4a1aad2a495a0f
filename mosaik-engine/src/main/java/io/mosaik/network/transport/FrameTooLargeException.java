package io.mosaik.network.transport;

import java.io.IOException;

/**
 * A peer announced a frame larger than the configured maximum frame size. The frame is not read; the
 * stream it came on can no longer be used and is closed with {@link CloseReason#PROTOCOL_VIOLATION}.
 */
public class FrameTooLargeException extends IOException {

    private final long size;
    private final int limit;

    /**
     * Creates the exception.
     *
     * @param size  the size the peer announced
     * @param limit the maximum frame size in force
     */
    public FrameTooLargeException(long size, int limit) {
        super("frame of " + size + " bytes exceeds the maximum frame size of " + limit
                + " bytes (mosaik.max-frame-size)");
        this.size = size;
        this.limit = limit;
    }

    /** The size the peer announced. */
    public long size() {
        return size;
    }

    /** The maximum frame size in force. */
    public int limit() {
        return limit;
    }
}

package io.mosaik.network.transport;

import java.io.IOException;

/**
 * Where a {@link FrameStream} delivers its payloads when asked to push them
 * ({@link FrameStream#deliverTo}) rather than be read: called on the transport's own reader thread, so
 * its methods must return quickly and never block (hand the work on, as a queue does). A receiver that
 * pushes costs no thread of its own and no thread wake-up per frame.
 */
public interface FrameSink {

    /**
     * The payload of the next DATA frame, in order.
     *
     * @param payload the payload
     */
    void frame(byte[] payload);

    /**
     * The stream ended; called once, after every payload delivered before the end. The cause is what
     * {@link FrameStream#receive()} would have thrown: a {@link LinkClosedException} for a close by either
     * side or a lost connection, a {@link FrameTooLargeException} or a malformed-frame exception when the
     * peer broke the format (the stream is then already closed with {@link CloseReason#PROTOCOL_VIOLATION}).
     *
     * @param cause why it ended
     */
    void ended(IOException cause);
}

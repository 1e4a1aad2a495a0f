package io.mosaik.groups;

import io.mosaik.network.Link;
import io.mosaik.network.transport.CloseReason;
import io.mosaik.primitives.PeerId;
import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One authenticated link between two members of a group, after the handshake. A reader thread hands
 * every frame to the group's loop; a writer thread drains a queue, so the loop never blocks on a slow
 * peer. A bond whose queue overflows, whose link fails, or that stays silent too long is closed, and
 * the loop learns it through {@code onClosed}.
 */
final class Bond {

    /** Frames queued for a peer before the bond is considered stuck. */
    private static final int MAX_QUEUED = 16_384;
    private static final byte[] STOP = new byte[0];

    final PeerId peer;
    final PeerId initiator;
    final long established = System.nanoTime();
    private final Link link;
    private final LinkedBlockingQueue<byte[]> outgoing = new LinkedBlockingQueue<>();
    /** Frames queued for the writer and not yet handed to the link (a frame is sent directly only at 0). */
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private final Object sending = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean readerDone = new AtomicBoolean();
    volatile long lastReceivedNanos = System.nanoTime();
    volatile long lastSentNanos = System.nanoTime();
    private volatile CloseReason departReason;
    private volatile boolean lost;
    private final java.util.concurrent.CompletableFuture<Void> ended = new java.util.concurrent.CompletableFuture<>();

    Bond(PeerId peer, PeerId initiator, Link link) {
        this.peer = peer;
        this.initiator = initiator;
        this.link = link;
    }

    /**
     * Starts the reader and writer. Over a transport that pushes frames ({@link Link#deliverTo}) the
     * reader is the connection's own reader thread; otherwise a thread of the bond's.
     *
     * @param onFrame  called (on the reader thread) with each frame; must not block
     * @param onClosed called once when the bond ends, with the reason if known
     */
    void start(Consumer<byte[]> onFrame, Consumer<Bond> onClosed) {
        String name = "mosaik-bond-" + peer.toShortString();
        io.mosaik.network.transport.FrameSink sink = new io.mosaik.network.transport.FrameSink() {
            @Override
            public void frame(byte[] frame) {
                if (closed.get()) {
                    return;
                }
                lastReceivedNanos = System.nanoTime();
                try {
                    onFrame.accept(frame);
                } catch (RuntimeException e) {
                    ended(new IOException("a frame's handler failed", e));
                }
            }

            @Override
            public void ended(IOException cause) {
                if (!readerDone.compareAndSet(false, true)) {
                    return; // ended already (a failed handler, or the reading thread's last call)
                }
                readerEnded(cause);
                ended.complete(null);
                onClosed.accept(Bond.this);
            }
        };
        if (!link.deliverTo(sink)) {
            // The transport does not push: a thread of the bond's reads and feeds the same sink.
            Thread.ofPlatform().daemon().name(name + "-reader").start(() -> {
                try {
                    while (!closed.get()) {
                        sink.frame(link.receiveBytes());
                    }
                } catch (IOException e) {
                    sink.ended(e);
                } catch (RuntimeException e) {
                    sink.ended(new IOException("the link failed", e));
                }
                sink.ended(null); // closed here (no effect if it already ended)
            });
        }
        Thread.ofPlatform().daemon().name(name + "-writer").start(() -> {
            try {
                while (true) {
                    byte[] frame = outgoing.take();
                    if (frame == STOP) {
                        if (departReason != null) {
                            link.close(departReason);
                        }
                        return;
                    }
                    link.sendBytes(frame);
                    queued.decrementAndGet(); // after the hand-over: a direct send now comes after it
                    lastSentNanos = System.nanoTime();
                }
            } catch (IOException | InterruptedException e) {
                close(CloseReason.UNEXPECTED_CLOSE);
            }
        });
    }

    /** The reader stopped: on an error ({@code cause}), or because the bond was closed ({@code null}). */
    private void readerEnded(IOException cause) {
        if (cause != null) {
            lost = !closed.get() && !(cause instanceof io.mosaik.network.transport.LinkClosedException end
                    && end.remote() && (end.reason().equals(CloseReason.BOND_TIMEOUT)
                            || end.reason().equals(CloseReason.ALREADY_BONDED)
                            || end.reason().equals(CloseReason.PROTOCOL_VIOLATION)));
            close(CloseReason.UNEXPECTED_CLOSE);
        }
    }

    /**
     * Sends a frame: straight to the link when nothing is queued before it and the link takes it without
     * waiting (no thread hand-off), else through the writer's queue. Never blocks; a bond that cannot keep
     * up is closed.
     */
    void send(byte[] frame) {
        if (closed.get()) {
            return;
        }
        synchronized (sending) {
            if (queued.get() == 0 && link.trySendBytes(frame)) {
                lastSentNanos = System.nanoTime();
                return;
            }
            if (queued.get() < MAX_QUEUED) {
                queued.incrementAndGet();
                outgoing.add(frame);
                return;
            }
        }
        close(CloseReason.BOND_TIMEOUT);
    }

    /** Whether nothing waits to be sent. */
    boolean idle() {
        return queued.get() == 0;
    }

    /**
     * Whether the bond ended because its connection was lost or the peer shut down, rather than closed
     * by this side or by the peer for silence, a replacing bond or a protocol violation: what a process
     * that died or left looks like.
     */
    boolean lost() {
        return lost;
    }

    /** Whether the bond has ended. */
    boolean isClosed() {
        return closed.get();
    }

    /**
     * Sends what is queued, then this last frame, then closes the link with the reason (best effort,
     * for departures: the writer does it, so frames keep their order).
     */
    void depart(byte[] lastFrame, CloseReason reason) {
        if (closed.compareAndSet(false, true)) {
            departReason = reason;
            queued.incrementAndGet(); // the writer counts it off like any other
            outgoing.add(lastFrame);
            outgoing.add(STOP);
        }
    }

    /** Closes the bond with a reason the peer sees. */
    void close(CloseReason reason) {
        if (closed.compareAndSet(false, true)) {
            outgoing.clear();
            outgoing.add(STOP);
            link.close(reason);
        }
        ended.complete(null);
    }

    /** Runs the action once the bond has ended (at once if it has). */
    void onEnded(Runnable action) {
        ended.whenComplete((ignored, error) -> action.run());
    }
}

package io.mosaik.codec;

import java.io.Serial;
import java.util.concurrent.atomic.AtomicReferenceArray;
import tools.jackson.core.util.BufferRecycler;
import tools.jackson.core.util.RecyclerPool;

/**
 * Jackson's reusable buffers, pooled in a few slots that a thread picks by its id, so that threads
 * encoding and decoding at the same time (a producer's sender and a consumer's takers, a group's loop
 * and its callers) rarely touch the same slot. Jackson's default pool is one shared deque that every
 * encode and decode takes from and gives back to; under a stream's load its contention cost more than
 * the decoding itself. A thread-local pool would avoid that but gives every short-lived virtual thread
 * fresh buffers.
 *
 * <p>At most {@link #SLOTS} sets of buffers are kept; one given back to a slot that is taken is dropped.
 */
final class StripedBufferPool implements RecyclerPool<BufferRecycler> {

    @Serial
    private static final long serialVersionUID = 1L;
    /** Slots (a power of two). */
    static final int SLOTS = 32;
    /** Slots tried, from the thread's own, before giving up. */
    private static final int PROBES = 4;

    private final transient AtomicReferenceArray<BufferRecycler> slots = new AtomicReferenceArray<>(SLOTS);

    @Override
    public BufferRecycler acquirePooled() {
        int home = home();
        for (int i = 0; i < PROBES; i++) {
            BufferRecycler pooled = slots.getAndSet((home + i) & (SLOTS - 1), null);
            if (pooled != null) {
                return pooled;
            }
        }
        return new BufferRecycler();
    }

    @Override
    public void releasePooled(BufferRecycler recycler) {
        int home = home();
        for (int i = 0; i < PROBES; i++) {
            if (slots.compareAndSet((home + i) & (SLOTS - 1), null, recycler)) {
                return;
            }
        }
    }

    @Override
    public int pooledCount() {
        int count = 0;
        for (int i = 0; i < SLOTS; i++) {
            count += slots.get(i) == null ? 0 : 1;
        }
        return count;
    }

    @Override
    public boolean clear() {
        for (int i = 0; i < SLOTS; i++) {
            slots.set(i, null);
        }
        return true;
    }

    private static int home() {
        long id = Thread.currentThread().threadId();
        return (int) (id ^ (id >>> 7) ^ (id >>> 17)) & (SLOTS - 1);
    }

    @Serial
    private Object readResolve() {
        return new StripedBufferPool(); // the buffers are not serialized
    }
}

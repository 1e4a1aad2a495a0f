package io.mosaik.groups;

import io.mosaik.groups.raft.HardState;
import io.mosaik.groups.raft.InMemoryLogStorage;
import io.mosaik.groups.raft.LogEntry;
import io.mosaik.groups.raft.LogPosition;
import io.mosaik.groups.raft.LogStorage;
import java.util.List;

/**
 * A log storage for the simulator that models a disk: changes are volatile until {@link #sync()}, and
 * {@link #crash()} loses everything written since the last sync (the un-fsynced tail, a vote not yet
 * flushed). It keeps a durable copy up to date incrementally at each sync.
 */
final class CrashableStorage implements LogStorage {

    private InMemoryLogStorage live = new InMemoryLogStorage();
    private final InMemoryLogStorage durable = new InMemoryLogStorage();
    private long dirtyFrom = Long.MAX_VALUE;
    private long lost;

    /** Entries lost to crashes so far. */
    long lost() {
        return lost;
    }

    /** Whether a crash now would lose something: entries, a truncation or a term or vote not yet synced. */
    boolean dirty() {
        return dirtyFrom != Long.MAX_VALUE || !live.hardState().equals(durable.hardState());
    }

    /** The process dies: what was not synced is gone. */
    void crash() {
        lost += Math.max(0, live.lastPosition().index() - durable.lastPosition().index());
        InMemoryLogStorage restored = new InMemoryLogStorage();
        restored.saveHardState(durable.hardState());
        restored.reset(durable.compactedPosition());
        if (durable.lastPosition().index() > durable.compactedPosition().index()) {
            restored.append(durable.entries(durable.firstIndex(), durable.lastPosition().index(), Long.MAX_VALUE));
        }
        live = restored;
        dirtyFrom = Long.MAX_VALUE;
    }

    @Override
    public void sync() {
        durable.saveHardState(live.hardState());
        LogPosition compacted = live.compactedPosition();
        if (compacted.index() > durable.compactedPosition().index()) {
            if (durable.termAt(compacted.index()) == compacted.term()) {
                durable.compact(compacted);
            } else {
                durable.reset(compacted);
                dirtyFrom = Math.min(dirtyFrom, compacted.index() + 1);
            }
        }
        long from = Math.max(dirtyFrom, durable.firstIndex());
        if (from <= durable.lastPosition().index()) {
            durable.truncateFrom(from);
        }
        from = durable.lastPosition().index() + 1;
        if (from <= live.lastPosition().index()) {
            durable.append(live.entries(Math.max(from, live.firstIndex()), live.lastPosition().index(), Long.MAX_VALUE));
        }
        dirtyFrom = Long.MAX_VALUE;
    }

    @Override
    public HardState hardState() {
        return live.hardState();
    }

    @Override
    public void saveHardState(HardState state) {
        live.saveHardState(state);
    }

    @Override
    public LogPosition compactedPosition() {
        return live.compactedPosition();
    }

    @Override
    public LogPosition lastPosition() {
        return live.lastPosition();
    }

    @Override
    public long termAt(long index) {
        return live.termAt(index);
    }

    @Override
    public List<LogEntry> entries(long from, long to, long maxBytes) {
        return live.entries(from, to, maxBytes);
    }

    @Override
    public void append(List<LogEntry> entries) {
        if (!entries.isEmpty()) {
            dirtyFrom = Math.min(dirtyFrom, entries.getFirst().index());
        }
        live.append(entries);
    }

    @Override
    public void truncateFrom(long index) {
        dirtyFrom = Math.min(dirtyFrom, index);
        live.truncateFrom(index);
    }

    @Override
    public void compact(LogPosition upTo) {
        live.compact(upTo);
    }

    @Override
    public void reset(LogPosition position) {
        live.reset(position);
        dirtyFrom = Math.min(dirtyFrom, position.index() + 1);
    }
}

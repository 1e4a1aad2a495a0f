package io.mosaik.groups.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link LogStorage} on the heap: fast, and gone with the process. A node restarted with a new
 * instance rejoins its group as a new, empty member; keep the instance (as the simulator does) to model
 * a restart that kept its state.
 */
public final class InMemoryLogStorage implements LogStorage {

    private final ArrayList<LogEntry> entries = new ArrayList<>();
    private HardState hardState = HardState.INITIAL;

    @Override
    public HardState hardState() {
        return hardState;
    }

    @Override
    public void saveHardState(HardState state) {
        hardState = Objects.requireNonNull(state, "state");
    }

    @Override
    public long firstIndex() {
        return 1;
    }

    @Override
    public LogPosition lastPosition() {
        return entries.isEmpty() ? LogPosition.ZERO : entries.getLast().position();
    }

    @Override
    public long termAt(long index) {
        if (index == 0) {
            return 0;
        }
        if (index < 0 || index > entries.size()) {
            return -1;
        }
        return entries.get((int) index - 1).term();
    }

    @Override
    public List<LogEntry> entries(long from, long to, long maxBytes) {
        if (from < 1 || to > entries.size()) {
            throw new IndexOutOfBoundsException("entries " + from + ".." + to + " of a log of " + entries.size());
        }
        List<LogEntry> out = new ArrayList<>();
        long bytes = 0;
        for (long i = from; i <= to; i++) {
            LogEntry entry = entries.get((int) i - 1);
            if (!out.isEmpty() && bytes + entry.size() > maxBytes) {
                break;
            }
            out.add(entry);
            bytes += entry.size();
        }
        return out;
    }

    @Override
    public void append(List<LogEntry> more) {
        for (LogEntry entry : more) {
            if (entry.index() != entries.size() + 1) {
                throw new IllegalArgumentException("entry " + entry.index() + " does not continue a log of " + entries.size());
            }
            entries.add(entry);
        }
    }

    @Override
    public void truncateFrom(long index) {
        if (index < 1) {
            throw new IllegalArgumentException("index " + index);
        }
        while (entries.size() >= index) {
            entries.removeLast();
        }
    }
}

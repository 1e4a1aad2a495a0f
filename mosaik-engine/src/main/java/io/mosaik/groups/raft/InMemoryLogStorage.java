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
    private LogPosition compacted = LogPosition.ZERO;
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
    public LogPosition compactedPosition() {
        return compacted;
    }

    @Override
    public LogPosition lastPosition() {
        return entries.isEmpty() ? compacted : entries.getLast().position();
    }

    @Override
    public long termAt(long index) {
        if (index == 0) {
            return 0;
        }
        if (index == compacted.index()) {
            return compacted.term();
        }
        long offset = index - compacted.index() - 1;
        if (offset < 0 || offset >= entries.size()) {
            return -1;
        }
        return entries.get((int) offset).term();
    }

    @Override
    public List<LogEntry> entries(long from, long to, long maxBytes) {
        if (from <= compacted.index() || to > lastPosition().index()) {
            throw new IndexOutOfBoundsException("entries " + from + ".." + to + " of a log holding "
                    + firstIndex() + ".." + lastPosition().index());
        }
        List<LogEntry> out = new ArrayList<>((int) Math.min(Math.max(0, to - from + 1), 1024));
        long bytes = 0;
        for (long i = from; i <= to; i++) {
            LogEntry entry = entries.get((int) (i - compacted.index() - 1));
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
            if (entry.index() != lastPosition().index() + 1) {
                throw new IllegalArgumentException("entry " + entry.index() + " does not continue a log ending at "
                        + lastPosition().index());
            }
            entries.add(entry);
        }
    }

    @Override
    public void truncateFrom(long index) {
        if (index <= compacted.index()) {
            throw new IllegalArgumentException("index " + index + " is compacted (up to " + compacted.index() + ")");
        }
        while (lastPosition().index() >= index) {
            entries.removeLast();
        }
    }

    @Override
    public void compact(LogPosition upTo) {
        if (upTo.index() <= compacted.index()) {
            return;
        }
        if (upTo.index() > lastPosition().index() || termAt(upTo.index()) != upTo.term()) {
            throw new IllegalArgumentException("cannot compact up to " + upTo + ": not in this log");
        }
        entries.subList(0, (int) (upTo.index() - compacted.index())).clear();
        compacted = upTo;
    }

    @Override
    public void reset(LogPosition position) {
        entries.clear();
        compacted = Objects.requireNonNull(position, "position");
    }

    @Override
    public void sync() {
        // nothing to make durable
    }
}

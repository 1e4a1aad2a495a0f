package io.mosaik.benchmarks;

import io.mosaik.groups.raft.FileLogStorage;
import io.mosaik.groups.raft.LogEntry;
import io.mosaik.groups.raft.LogPosition;
import io.mosaik.groups.raft.SyncPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Log storage benchmark ({@link FileLogStorage}): appends per second and the latency of
 * {@code sync()} for each sync policy, with 1 and 64 entries per sync (one {@code append} per entry,
 * as a leader appends one per proposal) and 8-byte and 1 KiB entries; the cost of reading back the
 * entry just appended (as a leader does to replicate it, before the turn's sync) with and without the
 * cache of recent entries (without it, the read first writes out the write buffer); and the time to
 * open a log of 1,000,000 entries with the segments' sidecars and without them (the median of three
 * opens after a warm-up one), and to read the whole log after opening (in 16 MiB requests, as
 * {@code RaftCore} does at start).
 *
 * <pre>scripts/bench-storage.sh [seconds-per-phase, default 3] [directory, default the temp directory]</pre>
 *
 * The directory must be on the disk to measure (a tmpfs makes fsync free).
 */
public final class StorageBenchmark {

    private static final int RECOVERY_ENTRIES = 1_000_000;

    private StorageBenchmark() {
    }

    /**
     * Runs every phase and prints tables.
     *
     * @param args the seconds per phase (default 3), the directory to work in (default the temp directory)
     */
    public static void main(String[] args) throws Exception {
        Duration phase = Duration.ofSeconds(args.length > 0 ? Integer.parseInt(args[0]) : 3);
        Path base = Files.createTempDirectory(args.length > 1 ? Path.of(args[1]) : Path.of(System.getProperty("java.io.tmpdir")),
                "bench-storage");
        System.out.printf("working in %s (%s)%n", base, Files.getFileStore(base).type());
        try {
            List<String> appendRows = new ArrayList<>();
            appendPhase(base, SyncPolicy.ALWAYS, 8, 1, Duration.ofSeconds(1)); // warm-up
            for (SyncPolicy policy : List.of(SyncPolicy.ALWAYS, SyncPolicy.batched(Duration.ofMillis(10)), SyncPolicy.NEVER)) {
                for (int size : new int[] {8, 1024}) {
                    for (int perSync : new int[] {1, 64}) {
                        appendRows.add(appendPhase(base, policy, size, perSync, phase));
                    }
                }
            }
            List<String> readRows = new ArrayList<>();
            for (int size : new int[] {8, 1024}) {
                readRows.add(readPhase(base, size, true, phase));
                readRows.add(readPhase(base, size, false, phase));
            }
            List<String> recoveryRows = new ArrayList<>();
            for (int size : new int[] {8, 1024}) {
                recoveryRows.add(recoveryPhase(base, size));
            }

            System.out.println();
            System.out.printf("%-14s | %6s | %9s | %12s | %12s | %12s | %12s%n", "policy", "entry", "per sync",
                    "appends/s", "sync p50 µs", "sync p99 µs", "sync max µs");
            System.out.println("-".repeat(94));
            appendRows.forEach(System.out::println);
            System.out.println();
            System.out.printf("%-6s | %-5s | %22s%n", "entry", "cache", "read the entry just appended, µs");
            System.out.println("-".repeat(50));
            readRows.forEach(System.out::println);
            System.out.println();
            System.out.printf("%-9s | %6s | %9s | %19s | %19s | %15s%n", "entries", "entry", "on disk",
                    "open, sidecars, ms", "open, no sidecars", "read all, ms");
            System.out.println("-".repeat(95));
            recoveryRows.forEach(System.out::println);
        } finally {
            delete(base);
        }
    }

    private static String appendPhase(Path base, SyncPolicy policy, int size, int perSync, Duration phase)
            throws IOException {
        Path dir = base.resolve("append");
        LatencyHistogram syncs = new LatencyHistogram();
        long appended = 0;
        long elapsed;
        byte[] data = new byte[size];
        try (FileLogStorage log = FileLogStorage.open(dir, policy)) {
            long started = System.nanoTime();
            long end = started + phase.toNanos();
            long index = 1;
            while (System.nanoTime() < end) {
                for (int i = 0; i < perSync; i++) {
                    log.append(List.of(new LogEntry(1, index++, LogEntry.Kind.COMMAND, data)));
                }
                long before = System.nanoTime();
                log.sync();
                syncs.record(System.nanoTime() - before);
                appended += perSync;
            }
            elapsed = System.nanoTime() - started;
        }
        delete(dir);
        return String.format("%-14s | %4d B | %9d | %,12.0f | %12.1f | %12.1f | %,12.0f", policy, size, perSync,
                appended * 1e9 / elapsed, syncs.percentileMicros(50), syncs.percentileMicros(99),
                syncs.percentileMicros(100));
    }

    private static String readPhase(Path base, int size, boolean cache, Duration phase) throws IOException {
        Path dir = base.resolve("read");
        FileLogStorage.Options options = cache ? FileLogStorage.Options.DEFAULTS
                : FileLogStorage.Options.DEFAULTS.withCache(0, 0);
        byte[] data = new byte[size];
        LatencyHistogram reads = new LatencyHistogram();
        try (FileLogStorage log = FileLogStorage.open(dir, SyncPolicy.NEVER, options)) {
            long end = System.nanoTime() + phase.toNanos();
            long index = 1;
            while (System.nanoTime() < end) {
                log.append(List.of(new LogEntry(1, index, LogEntry.Kind.COMMAND, data)));
                long before = System.nanoTime();
                if (log.entries(index, index, Long.MAX_VALUE).size() != 1) {
                    throw new AssertionError("entry " + index + " not read back");
                }
                reads.record(System.nanoTime() - before);
                if (index % 64 == 0) {
                    log.sync();
                }
                index++;
            }
        }
        delete(dir);
        return String.format("%4d B | %-5s | p50 %6.2f, p99 %7.2f", size, cache ? "on" : "off",
                reads.percentileMicros(50), reads.percentileMicros(99));
    }

    private static String recoveryPhase(Path base, int size) throws IOException {
        Path dir = base.resolve("recovery");
        byte[] data = new byte[size];
        try (FileLogStorage log = FileLogStorage.open(dir, SyncPolicy.NEVER)) {
            List<LogEntry> batch = new ArrayList<>();
            for (long index = 1; index <= RECOVERY_ENTRIES; index++) {
                batch.add(new LogEntry(1 + index / 100_000, index, LogEntry.Kind.COMMAND, data));
                if (batch.size() == 1000) {
                    log.append(batch);
                    batch.clear();
                    log.sync();
                }
            }
        }
        long onDisk;
        try (Stream<Path> files = Files.list(dir)) {
            onDisk = files.mapToLong(StorageBenchmark::sizeOf).sum();
        }
        timeOpen(dir, false); // warm-up: class loading and compilation
        long withSidecars = median(timeOpen(dir, false), timeOpen(dir, false), timeOpen(dir, false));
        long withoutSidecars = median(timeOpen(dir, true), timeOpen(dir, true), timeOpen(dir, true));
        long readAll;
        try (FileLogStorage log = FileLogStorage.open(dir, SyncPolicy.NEVER)) {
            long started = System.nanoTime();
            long read = 0;
            long last = log.lastPosition().index();
            for (long from = log.firstIndex(); from <= last; ) {
                List<LogEntry> chunk = log.entries(from, last, 16L << 20);
                read += chunk.size();
                from = chunk.getLast().index() + 1;
            }
            readAll = System.nanoTime() - started;
            if (read != RECOVERY_ENTRIES) {
                throw new AssertionError("read " + read + " entries");
            }
        }
        delete(dir);
        return String.format("%,9d | %4d B | %5.0f MiB | %19.0f | %17.0f | %15.0f", RECOVERY_ENTRIES, size,
                onDisk / 1048576.0, withSidecars / 1e6, withoutSidecars / 1e6, readAll / 1e6);
    }

    /** Opens the log (after deleting the sidecars, if asked) and answers how long that took. */
    private static long timeOpen(Path dir, boolean withoutSidecars) throws IOException {
        if (withoutSidecars) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path sidecar : files.filter(p -> p.toString().endsWith(".idx")).toList()) {
                    Files.delete(sidecar);
                }
            }
        }
        long started = System.nanoTime();
        try (FileLogStorage log = FileLogStorage.open(dir, SyncPolicy.NEVER)) {
            long took = System.nanoTime() - started;
            if (!log.lastPosition().equals(new LogPosition(1 + RECOVERY_ENTRIES / 100_000, RECOVERY_ENTRIES))) {
                throw new AssertionError("reopened at " + log.lastPosition());
            }
            return took;
        }
    }

    private static long median(long a, long b, long c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}

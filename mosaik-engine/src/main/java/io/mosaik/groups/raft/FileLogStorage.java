package io.mosaik.groups.raft;

import io.mosaik.primitives.PeerId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link LogStorage}: plain files in a directory of its own, written with {@link FileChannel}.
 *
 * <h2>Files</h2>
 * <ul>
 *   <li>{@code log-<first index, 20 digits>.seg}: segments of the log, append-only. A 16-byte header
 *       ({@code "MLOG"}, format version 1, the first index), then one record per entry:
 *       {@code [length u32][crc32c u32][term i64][index i64][kind u8][data]}, big-endian, where
 *       {@code length} counts the bytes after the checksum (17 + data) and the CRC32C covers them. A
 *       segment is sealed once the next record would take it past
 *       {@link Options#segmentBytes()} (default 8 MiB); an entry larger than that gets a segment of
 *       its own. The segment being appended to is extended with zeros 1 MiB at a time ahead of its
 *       records (an fsync of an append then writes into blocks the file has, without a journal commit);
 *       the zeros end the log when it is read and are cut off when the segment is sealed.</li>
 *   <li>{@code log-<first index>.idx}: the sidecar of a sealed segment: the segment's length, the
 *       offset of every record and the runs of terms, with a CRC32C.</li>
 *   <li>{@code hardstate}: the term and vote; {@code meta}: the compacted position. Both small, with a
 *       CRC32C, and replaced atomically (write {@code *.tmp}, force it, rename it over the old one,
 *       force the directory).</li>
 *   <li>{@code lock}: locked ({@link FileChannel#tryLock()}) while the storage is open, so two
 *       processes cannot use one directory.</li>
 * </ul>
 * The directory is created owner-only ({@code rwx------}) and the files {@code rw-------} where the
 * file system has POSIX permissions; an existing directory that others may enter is logged.
 *
 * <h2>Durability</h2>
 * {@link #append} and {@link #truncateFrom} go to a write buffer and the files; {@link #saveHardState}
 * is kept in memory. {@link #sync()} writes the buffer and a changed hard state to the operating system
 * and then forces what the {@link SyncPolicy} asks for: nothing {@code sync()} returned for is lost to a
 * process crash under any policy, nor to a power failure under {@link SyncPolicy#ALWAYS}. Compaction
 * and {@link #reset} write the compacted position at once (forced, except under {@code NEVER}) and then
 * delete segments, so a crash between the two leaves segments that the next open recognises and
 * deletes. Sealing a segment forces it before its sidecar is written.
 *
 * <h2>Recovery</h2>
 * {@link #open} reads the hard state and compacted position, then the segments in index order. A
 * sealed segment with an intact sidecar (checksum good, and the length it records is the file's) is
 * not read at all: its offsets and terms come from the sidecar. Any other segment is read record by
 * record, checking length, checksum, that indices continue and that terms do not decrease:
 * <ul>
 *   <li>in the last segment, the first bad record and everything after it is a torn or corrupt tail
 *       (a crash during a write, a power failure): it is truncated away, and logged once at WARN with
 *       what was dropped;</li>
 *   <li>in an earlier segment, a bad record cannot be a torn write (later segments were written after
 *       it was sealed and forced), so opening fails with an {@link IllegalStateException} naming the
 *       file and offset rather than lose entries silently. So does a gap between segments.</li>
 * </ul>
 * Recovery therefore reads the last segment (at most about 8 MiB) and a few bytes per entry of the
 * others, whatever the length of the history. A compaction that covers half of a large active segment
 * has it sealed at the next append, so that under snapshots the last segment holds about what came
 * after the latest snapshot, and that is what a restart reads. Sidecars were chosen over a sparse index or over
 * reading sealed segments because termAt and reads need every entry's term and offset in memory anyway
 * (4 bytes an entry, terms as runs), and a sidecar yields exactly that in one small read; a sealed
 * segment is immutable, so its sidecar never goes stale except through damage, which its checksum and
 * recorded length catch (the segment is then read in full and the sidecar rewritten). A bit flipped
 * in a segment whose sidecar is intact is found when the record is read: {@link #entries} checks every
 * record's checksum and throws an {@link IllegalStateException} naming the file and offset.
 *
 * <h2>Reads</h2>
 * {@link #entries} reads records with positional reads, one per run of records in a segment (at most
 * 8 MiB), straight from the offsets; nothing of the log is cached except the most recently appended
 * entries ({@link Options#cachedEntries()}, default 1,024 entries up to 8 MiB), which the leader sends
 * to its followers right after appending them and the state machine applies soon after. Measured
 * ({@code scripts/bench-storage.sh}): reading the entry just appended takes about 0.05 µs from the
 * cache and about 1 µs without it (writing out the write buffer, a positional read, the checksum).
 *
 * <h2>Threads</h2>
 * Calls come from one thread at a time, as {@link LogStorage} says; a lock makes that safe anyway, and
 * lets {@link #close()} be called from any thread (it waits for a call in progress). After an I/O
 * error the storage takes no more calls (an fsync that failed cannot be retried safely): close it and
 * open the directory again.
 */
public final class FileLogStorage implements LogStorage, AutoCloseable {

    /**
     * Tuning of a {@link FileLogStorage}.
     *
     * @param segmentBytes  the size at which a segment is sealed and the next begins, from 128 bytes
     *                      (tiny values are for tests) to 1 GiB
     * @param cachedEntries how many of the most recently appended entries to keep on the heap for
     *                      reads, 0 for none
     * @param cachedBytes   the most bytes ({@link LogEntry#size()}) those may take
     */
    public record Options(long segmentBytes, int cachedEntries, long cachedBytes) {

        /**
         * 8 MiB segments (recovery reads the last one in full: about 0.1 s in a JVM that just started),
         * the last 1,024 entries (up to 8 MiB) cached.
         */
        public static final Options DEFAULTS = new Options(8L << 20, 1024, 8L << 20);

        /** Validates. */
        public Options {
            if (segmentBytes < 128 || segmentBytes > 1L << 30) {
                throw new IllegalArgumentException("segmentBytes must be from 128 B to 1 GiB: " + segmentBytes);
            }
            if (cachedEntries < 0 || cachedBytes < 0) {
                throw new IllegalArgumentException("negative cache size");
            }
        }

        /**
         * These options with another segment size.
         *
         * @param bytes the size at which a segment is sealed
         * @return the new options
         */
        public Options withSegmentBytes(long bytes) {
            return new Options(bytes, cachedEntries, cachedBytes);
        }

        /**
         * These options with another cache of recent entries.
         *
         * @param entries how many entries, 0 for no cache
         * @param bytes   how many bytes at most
         * @return the new options
         */
        public Options withCache(int entries, long bytes) {
            return new Options(segmentBytes, entries, bytes);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(FileLogStorage.class);
    private static final String LOCK = "lock";
    private static final String HARD_STATE = "hardstate";
    private static final String META = "meta";
    private static final int HARD_STATE_MAGIC = 0x4D485354; // "MHST"
    private static final int META_MAGIC = 0x4D4D4554; // "MMET"
    private static final int SMALL_FILE_VERSION = 1;
    private static final int WRITE_BUFFER = 1 << 20;
    private static final int MAX_READ = 8 << 20;
    /** An active segment at least this large (or an eighth of a segment) rolls when compaction passed half of it. */
    private static final long ROLL_AFTER_COMPACTION_BYTES = 1 << 20;
    /** Zeros written ahead of the active segment's records at a time (or a segment's size, if smaller). */
    private static final long PREALLOCATION_STEP = 1 << 20;

    private final Path directory;
    private final SyncPolicy policy;
    private final Options options;
    private final boolean durable;
    private final long forceIntervalNanos;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ReentrantLock guard = new ReentrantLock();
    private final List<FileLogSegment> segments = new ArrayList<>();
    private final FileLogTerms terms = new FileLogTerms();
    private final Recent recent;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer pending = ByteBuffer.allocateDirect(WRITE_BUFFER);
    private final Set<FileLogSegment> unforced = new HashSet<>();
    private ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 << 10);
    private LogPosition compacted = LogPosition.ZERO;
    private LogPosition last = LogPosition.ZERO;
    private HardState hardState = HardState.INITIAL;
    private boolean hardStateDirty;
    private boolean directoryDirty;
    /** Seal the active segment before the next append: compaction left it mostly dead weight. */
    private boolean rollBeforeAppend;
    private boolean forcedOnce;
    private long lastForce;
    private long forces;
    private boolean closed;
    private IOException failure;

    private long preallocationStep() {
        return Math.min(PREALLOCATION_STEP, options.segmentBytes());
    }

    private FileLogStorage(Path directory, SyncPolicy policy, Options options, FileChannel lockChannel, FileLock lock) {
        this.directory = directory;
        this.policy = policy;
        this.options = options;
        this.durable = !(policy instanceof SyncPolicy.Never);
        this.forceIntervalNanos = policy instanceof SyncPolicy.Batched b ? b.interval().toNanos() : 0;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.recent = new Recent(options.cachedEntries(), options.cachedBytes());
    }

    /**
     * Opens the log in a directory with {@link Options#DEFAULTS}, creating it (owner-only) if needed and
     * recovering what a crash left (see the class comment).
     *
     * @param directory the directory, used by this storage alone
     * @param policy    when {@link #sync()} forces to the disk
     * @return the storage, which holds the directory's lock until {@link #close()}
     * @throws IllegalStateException if another process (or another open storage in this one) uses the
     *                               directory, or if the log is damaged before its tail
     * @throws UncheckedIOException  if the directory cannot be read or written
     */
    public static FileLogStorage open(Path directory, SyncPolicy policy) {
        return open(directory, policy, Options.DEFAULTS);
    }

    /**
     * Opens the log in a directory, creating it (owner-only) if needed and recovering what a crash left
     * (see the class comment).
     *
     * @param directory the directory, used by this storage alone
     * @param policy    when {@link #sync()} forces to the disk
     * @param options   segment size and cache
     * @return the storage, which holds the directory's lock until {@link #close()}
     * @throws IllegalStateException if another process (or another open storage in this one) uses the
     *                               directory, or if the log is damaged before its tail
     * @throws UncheckedIOException  if the directory cannot be read or written
     */
    public static FileLogStorage open(Path directory, SyncPolicy policy, Options options) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(options, "options");
        Path dir = directory.toAbsolutePath().normalize();
        try {
            createDirectory(dir);
            FileChannel lockChannel = FileLogIo.openReadWrite(dir.resolve(LOCK));
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            } catch (IOException | RuntimeException e) {
                lockChannel.close();
                throw e;
            }
            if (lock == null) {
                lockChannel.close();
                throw new IllegalStateException("the log directory " + dir + " is in use: another process (or another "
                        + "open FileLogStorage in this one) holds its lock file " + dir.resolve(LOCK) + ". Stop or "
                        + "close that one first, or give this node a data directory of its own");
            }
            FileLogStorage storage = new FileLogStorage(dir, policy, options, lockChannel, lock);
            try {
                storage.recover();
            } catch (IOException | RuntimeException | Error e) {
                storage.closeFiles(null);
                throw e;
            }
            return storage;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the log in " + dir + ": " + e, e);
        }
    }

    private static void createDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (dir.getParent() != null) {
                Files.createDirectories(dir.getParent());
            }
            try {
                Files.createDirectory(dir, FileLogIo.ownerOnlyDirectory());
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(dir)) {
                    throw e;
                }
            }
        } else if (FileLogIo.posix()) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir);
            permissions.retainAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_EXECUTE));
            if (!permissions.isEmpty()) {
                LOG.warn("the log directory {} is open to other users ({}): it holds the group's data; "
                        + "chmod 700 it", dir, permissions);
            }
        }
    }

    // ---------------------------------------------------------------- recovery

    private void recover() throws IOException {
        long started = System.nanoTime();
        List<String> dropped = new ArrayList<>();
        ByteBuffer state = FileLogIo.readChecked(directory.resolve(HARD_STATE), HARD_STATE_MAGIC, SMALL_FILE_VERSION);
        if (state != null) {
            hardState = decodeHardState(state);
        }
        ByteBuffer meta = FileLogIo.readChecked(directory.resolve(META), META_MAGIC, SMALL_FILE_VERSION);
        if (meta != null) {
            if (meta.remaining() != 16) {
                throw new IllegalStateException("the file " + directory.resolve(META) + " is damaged (" + meta.remaining()
                        + " bytes of content)");
            }
            compacted = new LogPosition(meta.getLong(0), meta.getLong(8));
        }
        List<Map.Entry<Long, Path>> files = listSegments();
        if (state == null && meta == null && files.isEmpty()) {
            // A new log: write both files, so that one missing later is noticed.
            FileLogIo.replace(directory.resolve(HARD_STATE), encodeHardState(hardState), durable);
            writeCompacted(compacted);
        } else if (state == null) {
            LOG.warn("the log in {} has no {} file (deleted?): starting from term 0 with no vote, so this node may "
                    + "vote a second time in a term", directory, HARD_STATE);
        }
        // Segments wholly at or below the compacted position: a compaction that a crash interrupted.
        while (files.size() >= 2 && files.get(1).getKey() <= compacted.index() + 1) {
            deleteSegmentFiles(files.removeFirst().getValue());
        }
        if (!files.isEmpty() && files.getFirst().getKey() > compacted.index() + 1) {
            throw new IllegalStateException("the log in " + directory + " is missing the entries "
                    + (compacted.index() + 1) + ".." + (files.getFirst().getKey() - 1) + ": it is compacted up to "
                    + compacted + " but its first segment, " + files.getFirst().getValue().getFileName() + ", begins at "
                    + files.getFirst().getKey() + ". Restore the missing files, or remove this node from its group and "
                    + "delete the directory to let it rejoin as a new member");
        }
        int scanned = 0;
        for (int k = 0; k < files.size(); k++) {
            long first = files.get(k).getKey();
            Path file = files.get(k).getValue();
            if (!segments.isEmpty() && segments.getLast().lastIndex() + 1 != first) {
                FileLogSegment previous = segments.getLast();
                throw new IllegalStateException("the log in " + directory + " is missing entries: "
                        + previous.file.getFileName() + " ends at index " + previous.lastIndex() + " but the next segment, "
                        + file.getFileName() + ", begins at " + first + ". Restore the missing files, or remove this "
                        + "node from its group and delete the directory to let it rejoin as a new member");
            }
            FileLogSegment segment = FileLogSegment.open(file, first, preallocationStep());
            segments.add(segment);
            if (segment.loadSidecar(terms)) {
                continue;
            }
            scanned++;
            boolean tail = k == files.size() - 1;
            FileLogSegment.Problem problem = segment.scan(terms, crc);
            if (problem == null) {
                if (!tail && segment.count() > 0) {
                    segment.seal(terms, durable);
                }
                continue;
            }
            if (!tail) {
                throw new IllegalStateException("the log file " + file + " is corrupt at offset " + problem.offset() + " ("
                        + problem.reason() + "), and later segments follow it, so this is not a torn write at the "
                        + "tail. Restore the directory from a backup, or remove this node from its group and delete "
                        + "the directory to let it rejoin as a new member");
            }
            long fileBytes = Files.size(file);
            String what = "the torn or corrupt tail of " + file.getFileName() + ": " + problem.reason() + " at offset "
                    + problem.offset() + ", " + (fileBytes - problem.offset()) + " bytes from index "
                    + (segment.lastIndex() + 1) + " on";
            if (problem.validRecordsAfter() > 0) {
                what += " (" + problem.validRecordsAfter() + " valid records followed the bad one: unless the machine "
                        + "lost power, the disk may be corrupting data)";
            }
            dropped.add(what);
            if (problem.offset() < FileLogSegment.HEADER_BYTES) {
                segments.removeLast().delete();
                directoryDirty = true;
            } else {
                segment.truncateFrom(segment.lastIndex() + 1, problem.offset());
                unforced.add(segment);
            }
        }
        long lastIndex = segments.isEmpty() ? compacted.index() : segments.getLast().lastIndex();
        if (!segments.isEmpty() && compacted.index() > 0 && (lastIndex < compacted.index()
                || (segments.getFirst().firstIndex <= compacted.index() && terms.termAt(compacted.index()) != compacted.term()))) {
            // A reset (snapshot install) that a crash interrupted: it wrote the compacted position, and
            // these segments hold the log it replaced.
            dropped.add("every segment (up to index " + lastIndex + "): they hold a log that does not lead to the "
                    + "compacted position " + compacted + " (a snapshot installation that a crash interrupted)");
            while (!segments.isEmpty()) {
                segments.removeLast().delete();
            }
            unforced.clear();
            terms.clear();
            directoryDirty = true;
            lastIndex = compacted.index();
        }
        terms.dropBefore(compacted.index());
        last = lastIndex > compacted.index() ? new LogPosition(terms.termAt(lastIndex), lastIndex) : compacted;
        if (durable && (directoryDirty || !unforced.isEmpty())) {
            forceLog();
        }
        if (!dropped.isEmpty()) {
            LOG.warn("recovering the log in {}, dropped {}; the log now ends at {}", directory, String.join("; ", dropped),
                    last);
        }
        LOG.info("opened the log in {}: entries {}..{}, {} segments ({} read in full), term {}, in {} ms", directory,
                firstIndex(), last.index(), segments.size(), scanned, hardState.term(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private List<Map.Entry<Long, Path>> listSegments() throws IOException {
        TreeMap<Long, Path> found = new TreeMap<>();
        List<Path> sidecars = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            for (Path file : stream) {
                String name = file.getFileName().toString();
                long first = FileLogSegment.firstIndexOf(name);
                if (first > 0) {
                    found.put(first, file);
                } else if (name.endsWith(".tmp")) {
                    Files.deleteIfExists(file);
                } else if (name.startsWith("log-") && name.endsWith(".idx")) {
                    sidecars.add(file);
                }
            }
        }
        for (Path sidecar : sidecars) {
            String name = sidecar.getFileName().toString();
            if (!Files.exists(sidecar.resolveSibling(name.substring(0, name.length() - 4) + ".seg"))) {
                Files.deleteIfExists(sidecar);
            }
        }
        return new ArrayList<>(found.entrySet());
    }

    private void deleteSegmentFiles(Path file) throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(file.resolveSibling(file.getFileName().toString().replace(".seg", ".idx")));
        directoryDirty = true;
    }

    // ---------------------------------------------------------------- hard state and positions

    @Override
    public HardState hardState() {
        enter();
        try {
            return hardState;
        } finally {
            guard.unlock();
        }
    }

    /** {@inheritDoc} Written (and forced, except under {@link SyncPolicy#NEVER}) by the next {@link #sync()}. */
    @Override
    public void saveHardState(HardState state) {
        Objects.requireNonNull(state, "state");
        enter();
        try {
            if (!state.equals(hardState)) {
                hardState = state;
                hardStateDirty = true;
            }
        } finally {
            guard.unlock();
        }
    }

    @Override
    public LogPosition compactedPosition() {
        enter();
        try {
            return compacted;
        } finally {
            guard.unlock();
        }
    }

    @Override
    public LogPosition lastPosition() {
        enter();
        try {
            return last;
        } finally {
            guard.unlock();
        }
    }

    @Override
    public long termAt(long index) {
        enter();
        try {
            if (index == 0) {
                return 0;
            }
            if (index == compacted.index()) {
                return compacted.term();
            }
            if (index < compacted.index() || index > last.index()) {
                return -1;
            }
            return terms.termAt(index);
        } finally {
            guard.unlock();
        }
    }

    // ---------------------------------------------------------------- reading

    @Override
    public List<LogEntry> entries(long from, long to, long maxBytes) {
        enter();
        try {
            if (from <= compacted.index() || to > last.index()) {
                throw new IndexOutOfBoundsException("entries " + from + ".." + to + " of a log holding " + firstIndex()
                        + ".." + last.index());
            }
            List<LogEntry> out = new ArrayList<>();
            long cached = recent.firstIndex();
            long bytes = 0;
            long index = from;
            while (index <= to) {
                if (index >= cached) {
                    LogEntry entry = recent.get(index);
                    if (!out.isEmpty() && bytes + entry.size() > maxBytes) {
                        break;
                    }
                    out.add(entry);
                    bytes += entry.size();
                    index++;
                    continue;
                }
                FileLogSegment segment = segmentOf(index);
                long stop = Math.min(Math.min(to, segment.lastIndex()), cached - 1);
                long start = segment.offsetOf(index);
                long end = index;
                boolean full = false;
                while (end <= stop) {
                    int size = segment.entrySize(end);
                    if (end > index && segment.endOf(end) - start > MAX_READ) {
                        break;
                    }
                    if ((end > index || !out.isEmpty()) && bytes + size > maxBytes) {
                        full = true;
                        break;
                    }
                    bytes += size;
                    end++;
                }
                if (end > index) {
                    read(segment, index, end - 1, out);
                    index = end;
                }
                if (full) {
                    break;
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the log in " + directory + " failed: " + e, e);
        } finally {
            guard.unlock();
        }
    }

    private void read(FileLogSegment segment, long from, long to, List<LogEntry> out) throws IOException {
        if (segment.endOf(to) > segment.written()) {
            try {
                flushPending();
            } catch (IOException e) {
                throw fail(e);
            }
        }
        int bytes = (int) (segment.endOf(to) - segment.offsetOf(from));
        ByteBuffer buffer = readBuffer;
        if (buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(bytes);
            if (bytes <= MAX_READ) {
                readBuffer = buffer;
            }
        }
        segment.read(from, to, terms, buffer, crc, out);
    }

    private FileLogSegment segmentOf(long index) {
        int low = 0;
        int high = segments.size() - 1;
        while (low < high) {
            int middle = (low + high + 1) >>> 1;
            if (segments.get(middle).firstIndex <= index) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return segments.get(low);
    }

    // ---------------------------------------------------------------- writing

    /**
     * {@inheritDoc} The entries are validated before any is written: a batch that does not continue the
     * log, or whose terms decrease, changes nothing.
     *
     * @throws IllegalArgumentException if the entries do not continue the log, or an entry's term is
     *                                  below the term of the entry before it
     */
    @Override
    public void append(List<LogEntry> entries) {
        change(() -> {
            long next = last.index() + 1;
            long term = last.term();
            for (LogEntry entry : entries) {
                if (entry.index() != next) {
                    throw new IllegalArgumentException("entry " + entry.index() + " does not continue a log ending at "
                            + (next - 1));
                }
                if (entry.term() < term) {
                    throw new IllegalArgumentException("entry " + entry.index() + " has term " + entry.term()
                            + ", below the term " + term + " of the entry before it");
                }
                next++;
                term = entry.term();
            }
            for (LogEntry entry : entries) {
                appendOne(entry);
                last = entry.position();
            }
        });
    }

    private void appendOne(LogEntry entry) throws IOException {
        if (entry.data().length > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("entry " + entry.index() + " is too large: " + entry.data().length + " B");
        }
        int bytes = FileLogSegment.RECORD_OVERHEAD + entry.data().length;
        FileLogSegment active = activeFor(entry.index(), bytes);
        if (pending.remaining() < bytes) {
            flushPending();
        }
        if (bytes > pending.capacity()) {
            ByteBuffer large = ByteBuffer.allocate(bytes);
            FileLogSegment.encode(entry, large, crc);
            active.appended(bytes);
            active.write(large.flip());
            unforced.add(active);
        } else {
            FileLogSegment.encode(entry, pending, crc);
            active.appended(bytes);
        }
        terms.add(entry.index(), entry.term());
        recent.add(entry);
    }

    /** The segment to append a record of this size to, sealing the last one and starting another if needed. */
    private FileLogSegment activeFor(long index, int bytes) throws IOException {
        FileLogSegment active = segments.isEmpty() ? null : segments.getLast();
        if (active != null && !active.sealed()) {
            if (active.lastIndex() + 1 != index) {
                throw new IllegalStateException("segment " + active.file + " ends at " + active.lastIndex()
                        + ", the log at " + last.index());
            }
            if (active.count() == 0 || (!rollBeforeAppend && active.size() + bytes <= options.segmentBytes())) {
                return active;
            }
            flushPending();
            active.trim();
            if (durable) {
                active.force();
                unforced.remove(active);
                forces++;
            }
            active.seal(terms, durable);
        }
        rollBeforeAppend = false;
        FileLogSegment created = FileLogSegment.create(directory, index, preallocationStep());
        segments.add(created);
        unforced.add(created);
        directoryDirty = true;
        return created;
    }

    private void flushPending() throws IOException {
        if (pending.position() == 0) {
            return;
        }
        FileLogSegment active = segments.getLast();
        pending.flip();
        try {
            active.write(pending);
        } finally {
            pending.clear();
        }
        unforced.add(active);
    }

    @Override
    public void truncateFrom(long index) {
        change(() -> {
            if (index <= compacted.index()) {
                throw new IllegalArgumentException("index " + index + " is compacted (up to " + compacted.index() + ")");
            }
            if (index > last.index()) {
                return;
            }
            flushPending();
            while (!segments.isEmpty() && segments.getLast().firstIndex >= index) {
                FileLogSegment removed = segments.removeLast();
                unforced.remove(removed);
                removed.delete();
                directoryDirty = true;
            }
            if (!segments.isEmpty() && segments.getLast().lastIndex() >= index) {
                FileLogSegment segment = segments.getLast();
                segment.truncateFrom(index, segment.offsetOf(index));
                unforced.add(segment);
                directoryDirty = true;
            }
            terms.truncateFrom(index);
            recent.truncateFrom(index);
            last = index - 1 == compacted.index() ? compacted : new LogPosition(terms.termAt(index - 1), index - 1);
        });
    }

    /**
     * {@inheritDoc} Writes the compacted position at once (forced, except under
     * {@link SyncPolicy#NEVER}), then deletes every segment that holds only compacted entries; the
     * compacted records of a segment that holds later ones too stay in it, skipped.
     */
    @Override
    public void compact(LogPosition upTo) {
        Objects.requireNonNull(upTo, "upTo");
        change(() -> {
            if (upTo.index() <= compacted.index()) {
                return;
            }
            if (upTo.index() > last.index() || terms.termAt(upTo.index()) != upTo.term()) {
                throw new IllegalArgumentException("cannot compact up to " + upTo + ": not in this log");
            }
            writeCompacted(upTo);
            compacted = upTo;
            while (!segments.isEmpty() && segments.getFirst().lastIndex() <= upTo.index()) {
                FileLogSegment removed = segments.removeFirst();
                if (segments.isEmpty()) {
                    pending.clear();
                }
                unforced.remove(removed);
                removed.delete();
                directoryDirty = true;
            }
            // Recovery reads the active segment in full: when most of it is compacted, start another at
            // the next append, so that a restart reads about what came after the snapshot, and the next
            // compaction deletes this one whole.
            FileLogSegment active = segments.isEmpty() ? null : segments.getLast();
            if (active != null && !active.sealed()
                    && active.size() >= Math.min(ROLL_AFTER_COMPACTION_BYTES, options.segmentBytes() / 8)
                    && upTo.index() - active.firstIndex + 1 >= active.count() / 2) {
                rollBeforeAppend = true;
            }
            terms.dropBefore(upTo.index());
            recent.dropUpTo(upTo.index());
        });
    }

    /**
     * {@inheritDoc} Writes the new compacted position at once (forced, except under
     * {@link SyncPolicy#NEVER}), then deletes every segment, newest first.
     */
    @Override
    public void reset(LogPosition position) {
        Objects.requireNonNull(position, "position");
        change(() -> {
            writeCompacted(position);
            compacted = position;
            pending.clear();
            while (!segments.isEmpty()) {
                segments.removeLast().delete();
            }
            unforced.clear();
            directoryDirty = true;
            terms.clear();
            recent.clear();
            last = position;
        });
    }

    /**
     * {@inheritDoc} Writes what was appended and a changed term or vote to the operating system (which
     * a process crash does not lose), then forces them to the disk as the {@link SyncPolicy} says.
     */
    @Override
    public void sync() {
        change(() -> syncLocked(false));
    }

    private void syncLocked(boolean closing) throws IOException {
        flushPending();
        if (hardStateDirty) {
            FileLogIo.replace(directory.resolve(HARD_STATE), encodeHardState(hardState), durable);
            hardStateDirty = false;
        }
        if (!durable || (unforced.isEmpty() && !directoryDirty)) {
            return;
        }
        if (!closing && forcedOnce && System.nanoTime() - lastForce < forceIntervalNanos) {
            return;
        }
        forceLog();
    }

    private void forceLog() throws IOException {
        lastForce = System.nanoTime();
        for (FileLogSegment segment : unforced) {
            segment.force();
        }
        if (directoryDirty) {
            FileLogIo.forceDirectory(directory);
        }
        unforced.clear();
        directoryDirty = false;
        forcedOnce = true;
        forces++;
    }

    private void writeCompacted(LogPosition position) throws IOException {
        ByteBuffer buffer = FileLogIo.checkedFile(META_MAGIC, SMALL_FILE_VERSION, 16);
        buffer.putLong(position.term()).putLong(position.index());
        FileLogIo.replace(directory.resolve(META), FileLogIo.seal(buffer), durable);
    }

    private static ByteBuffer encodeHardState(HardState state) {
        ByteBuffer buffer = FileLogIo.checkedFile(HARD_STATE_MAGIC, SMALL_FILE_VERSION, 8 + 1 + PeerId.LENGTH);
        buffer.putLong(state.term());
        if (state.votedFor() == null) {
            buffer.put((byte) 0).put(new byte[PeerId.LENGTH]);
        } else {
            buffer.put((byte) 1).put(state.votedFor().toBytes());
        }
        return FileLogIo.seal(buffer);
    }

    private HardState decodeHardState(ByteBuffer body) {
        byte voted = body.remaining() == 8 + 1 + PeerId.LENGTH ? body.get(8) : -1;
        if (voted != 0 && voted != 1) {
            throw new IllegalStateException("the file " + directory.resolve(HARD_STATE) + " is damaged (bad content)");
        }
        byte[] vote = new byte[PeerId.LENGTH];
        body.get(9, vote);
        return new HardState(body.getLong(0), voted == 1 ? PeerId.fromBytes(vote) : null);
    }

    // ---------------------------------------------------------------- life cycle and facts

    /** The directory this storage keeps its files in. */
    public Path directory() {
        return directory;
    }

    /** When {@link #sync()} forces to the disk. */
    public SyncPolicy syncPolicy() {
        return policy;
    }

    /**
     * Bytes of the log's records (including compacted records not yet deleted with their segment). The
     * active segment's file also holds up to 1 MiB of zeros written ahead of its records.
     */
    public long sizeOnDisk() {
        enter();
        try {
            long bytes = 0;
            for (FileLogSegment segment : segments) {
                bytes += segment.size();
            }
            return bytes;
        } finally {
            guard.unlock();
        }
    }

    /** How many times the log was forced to the disk (for tests). */
    long forces() {
        guard.lock();
        try {
            return forces;
        } finally {
            guard.unlock();
        }
    }

    /**
     * Writes what is buffered and a changed hard state, forces them (except under
     * {@link SyncPolicy#NEVER}, whatever a {@link SyncPolicy#batched batched} interval says), and
     * releases the files and the directory's lock. Safe to call from any thread, and more than once;
     * a call in progress on another thread completes first. Later calls of other methods throw
     * {@link IllegalStateException}.
     *
     * @throws UncheckedIOException if the last writes fail (the files are released anyway)
     */
    @Override
    public void close() {
        guard.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            IOException problem = null;
            if (failure == null) {
                try {
                    syncLocked(true);
                } catch (IOException e) {
                    problem = e;
                }
            }
            problem = closeFiles(problem);
            if (problem != null) {
                throw new UncheckedIOException("closing the log in " + directory + " failed: " + problem, problem);
            }
        } finally {
            guard.unlock();
        }
    }

    /**
     * Releases everything as if the process died now: what {@link #sync()} has not handed to the
     * operating system (the write buffer, an unsaved term or vote) is lost; what it has is kept, as
     * by a real process crash. For crash tests.
     */
    void abandon() {
        guard.lock();
        try {
            closed = true;
            pending.clear();
            closeFiles(null);
        } finally {
            guard.unlock();
        }
    }

    private IOException closeFiles(IOException problem) {
        IOException first = problem;
        for (FileLogSegment segment : segments) {
            try {
                segment.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            first = first == null ? e : first;
        }
        return first;
    }

    /** A change of the files; an I/O error in it is fatal for this storage. */
    private interface Change {
        void run() throws IOException;
    }

    /** Runs a change under the lock, if the storage is usable. */
    private void change(Change body) {
        enter();
        try {
            body.run();
        } catch (IOException e) {
            throw fail(e);
        } finally {
            guard.unlock();
        }
    }

    /** Takes the lock, if the storage is usable (else throws without it). */
    private void enter() {
        guard.lock();
        try {
            checkUsable();
        } catch (RuntimeException e) {
            guard.unlock();
            throw e;
        }
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("the log storage in " + directory + " is closed");
        }
        if (failure != null) {
            throw new IllegalStateException("the log storage in " + directory + " failed (" + failure + ") and takes no "
                    + "more calls: close it and open the directory again", failure);
        }
    }

    private UncheckedIOException fail(IOException e) {
        failure = e;
        return new UncheckedIOException("the log storage in " + directory + " failed: " + e, e);
    }

    @Override
    public String toString() {
        return "FileLogStorage[" + directory + ", " + policy + "]";
    }

    /** The most recently appended entries, a contiguous run ending at the last index. */
    private static final class Recent {
        private final LogEntry[] ring;
        private final long maxBytes;
        private long first;
        private int count;
        private long bytes;

        Recent(int capacity, long maxBytes) {
            this.ring = new LogEntry[capacity];
            this.maxBytes = maxBytes;
        }

        long firstIndex() {
            return count == 0 ? Long.MAX_VALUE : first;
        }

        LogEntry get(long index) {
            return ring[slot(index)];
        }

        void add(LogEntry entry) {
            if (ring.length == 0) {
                return;
            }
            if (entry.size() > maxBytes || (count > 0 && entry.index() != first + count)) {
                clear();
                if (entry.size() > maxBytes) {
                    return;
                }
            }
            while (count > 0 && (count == ring.length || bytes + entry.size() > maxBytes)) {
                dropFirst();
            }
            if (count == 0) {
                first = entry.index();
            }
            ring[slot(entry.index())] = entry;
            count++;
            bytes += entry.size();
        }

        void truncateFrom(long index) {
            while (count > 0 && first + count - 1 >= index) {
                int slot = slot(first + count - 1);
                bytes -= ring[slot].size();
                ring[slot] = null;
                count--;
            }
        }

        void dropUpTo(long index) {
            while (count > 0 && first <= index) {
                dropFirst();
            }
        }

        void clear() {
            Arrays.fill(ring, null);
            count = 0;
            bytes = 0;
        }

        private void dropFirst() {
            int slot = slot(first);
            bytes -= ring[slot].size();
            ring[slot] = null;
            first++;
            count--;
        }

        private int slot(long index) {
            return (int) (index % ring.length);
        }
    }
}

package io.mosaik.groups.raft;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One segment file of a {@link FileLogStorage}: {@code log-<first index, 20 digits>.seg}, a 16-byte
 * header ({@code "MLOG"}, format version, first index) and then records
 * {@code [length u32][crc32c u32][term i64][index i64][kind u8][data]}, where {@code length} counts
 * the bytes after the checksum (17 + data) and the checksum covers them. A sealed segment has a
 * sidecar {@code log-<first index>.idx}: the segment's length, every record's offset and the term runs,
 * with a CRC32C, so that opening the log need not read the segment.
 *
 * <p>The segment being appended to is extended with zeros ahead of its records, a step at a time
 * ({@link #create}'s {@code step}), so that forcing an append writes data into blocks the file already
 * has rather than growing the file: an fsync then need not commit the file system's journal, which
 * every file of the disk shares. Reading stops cleanly where only zeros follow the records (a record
 * never starts with a zero length), and sealing cuts the zeros off.
 *
 * <p>In memory a segment keeps the offset of each of its records (4 bytes an entry), which makes every
 * read one positional read of exactly the records wanted.
 */
final class FileLogSegment {

    /** Bytes of the file header. */
    static final int HEADER_BYTES = 16;
    /** Bytes a record takes besides its data. */
    static final int RECORD_OVERHEAD = 25;
    private static final int PREFIX = 8;
    private static final int FIXED = 17;
    private static final int MAGIC = 0x4D4C4F47; // "MLOG"
    private static final int VERSION = 1;
    private static final int SIDECAR_MAGIC = 0x4D494458; // "MIDX"
    private static final int SIDECAR_VERSION = 1;
    private static final int WINDOW = 1 << 20;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024).asReadOnlyBuffer();

    /** A place where reading a segment stopped, and why. */
    record Problem(long offset, String reason, long validRecordsAfter) {
    }

    private record Walk(long end, long entries, String problem, long next) {
    }

    final long firstIndex;
    final Path file;
    final Path sidecar;
    private final FileChannel channel;
    private final long step;
    private int[] offsets = new int[64];
    private int count;
    private long written;
    private long size;
    /** The file's length: {@link #written} and the zeros written ahead of it. */
    private long allocated;
    private boolean sealed;

    private FileLogSegment(Path file, long firstIndex, FileChannel channel, long step) {
        this.file = file;
        this.sidecar = file.resolveSibling(file.getFileName().toString().replace(".seg", ".idx"));
        this.firstIndex = firstIndex;
        this.channel = channel;
        this.step = step;
    }

    /** The file name of the segment that starts at an index. */
    static String fileName(long firstIndex) {
        return String.format("log-%020d.seg", firstIndex);
    }

    /** The first index a segment file name gives, or -1 if the name is not a segment's. */
    static long firstIndexOf(String fileName) {
        if (fileName.length() != 28 || !fileName.startsWith("log-") || !fileName.endsWith(".seg")) {
            return -1;
        }
        try {
            long index = Long.parseLong(fileName.substring(4, 24));
            return index >= 1 ? index : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Creates an empty segment (replacing any file of that name) and writes its header.
     *
     * @param step how many bytes of zeros to write ahead of the records when they reach the file's end
     */
    static FileLogSegment create(Path directory, long firstIndex, long step) throws IOException {
        Path file = directory.resolve(fileName(firstIndex));
        FileChannel channel = FileLogIo.openReadWrite(file, StandardOpenOption.TRUNCATE_EXISTING);
        FileLogSegment segment = new FileLogSegment(file, firstIndex, channel, step);
        try {
            Files.deleteIfExists(segment.sidecar);
            FileLogIo.writeFully(channel, ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(VERSION)
                    .putLong(firstIndex).flip(), 0);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        segment.written = HEADER_BYTES;
        segment.size = HEADER_BYTES;
        segment.allocated = HEADER_BYTES;
        return segment;
    }

    /**
     * Opens an existing segment; call {@link #loadSidecar} or {@link #scan} next.
     *
     * @param step as for {@link #create}, should records be appended to it
     */
    static FileLogSegment open(Path file, long firstIndex, long step) throws IOException {
        return new FileLogSegment(file, firstIndex, FileLogIo.openReadWrite(file), step);
    }

    // ---------------------------------------------------------------- state

    /** Records in this segment. */
    int count() {
        return count;
    }

    /** The index of the last record, {@code firstIndex - 1} when there is none. */
    long lastIndex() {
        return firstIndex + count - 1;
    }

    /** Bytes of this segment, including what is still in the storage's write buffer. */
    long size() {
        return size;
    }

    /** Bytes handed to the file. */
    long written() {
        return written;
    }

    /** Whether the segment is full and has (or had) a sidecar; no record is appended to it. */
    boolean sealed() {
        return sealed;
    }

    /** Where the record of an index starts. */
    long offsetOf(long index) {
        return offsets[(int) (index - firstIndex)];
    }

    /** Where the record of an index ends. */
    long endOf(long index) {
        int slot = (int) (index - firstIndex);
        return slot + 1 < count ? offsets[slot + 1] : size;
    }

    /** The {@link LogEntry#size()} of the entry at an index, from the offsets alone. */
    int entrySize(long index) {
        return (int) (endOf(index) - offsetOf(index)) - 1;
    }

    // ---------------------------------------------------------------- writing

    /** Encodes an entry into a buffer with enough room ({@link #RECORD_OVERHEAD} + data). */
    static void encode(LogEntry entry, ByteBuffer out, CRC32C crc) {
        int start = out.position();
        out.putInt(FIXED + entry.data().length).putInt(0).putLong(entry.term()).putLong(entry.index())
                .put(kindCode(entry.kind())).put(entry.data());
        crc.reset();
        crc.update(out.duplicate().position(start + PREFIX).limit(out.position()));
        out.putInt(start + 4, (int) crc.getValue());
    }

    /** Notes a record of this many bytes was appended (to the write buffer, for now). */
    void appended(int recordBytes) {
        if (count == offsets.length) {
            offsets = Arrays.copyOf(offsets, Math.max(64, count * 2));
        }
        offsets[count++] = (int) size;
        size += recordBytes;
    }

    /** Writes the buffered records (which follow what was written) to the file. */
    void write(ByteBuffer buffered) throws IOException {
        int bytes = buffered.remaining();
        if (written + bytes > allocated) {
            long end = (written + bytes + step - 1) / step * step; // whole steps from the file's start
            for (long at = allocated; at < end; ) {
                int chunk = (int) Math.min(ZEROS.capacity(), end - at);
                FileLogIo.writeFully(channel, ZEROS.duplicate().limit(chunk), at);
                at += chunk;
            }
            allocated = end;
        }
        FileLogIo.writeFully(channel, buffered, written);
        written += bytes;
    }

    /** Cuts off the zeros written ahead of the records (before the segment is sealed). */
    void trim() throws IOException {
        if (allocated > written) {
            channel.truncate(written);
            allocated = written;
        }
    }

    /** Forces what was written to the disk. */
    void force() throws IOException {
        channel.force(false);
    }

    /**
     * Cuts the file at {@code at}, where the record of {@code index} starts (or, when the records from
     * {@code index} on are not in memory, where the good ones end); nothing may be buffered. Deletes the
     * sidecar first, so a crash never leaves one that describes more than the file holds.
     */
    void truncateFrom(long index, long at) throws IOException {
        if (sealed) {
            Files.deleteIfExists(sidecar);
            sealed = false;
        }
        channel.truncate(at);
        count = (int) (index - firstIndex);
        written = at;
        size = at;
        allocated = at;
    }

    /** Writes the sidecar (the segment is complete and written) and seals the segment. */
    void seal(FileLogTerms terms, boolean durable) throws IOException {
        trim();
        long[] runs = terms.runsBetween(firstIndex, lastIndex());
        ByteBuffer buffer = FileLogIo.checkedFile(SIDECAR_MAGIC, SIDECAR_VERSION, 8 + 8 + 4 + 4 * count + 4 + 8 * runs.length);
        buffer.putLong(firstIndex).putLong(written).putInt(count);
        for (int i = 0; i < count; i++) {
            buffer.putInt(offsets[i]);
        }
        buffer.putInt(runs.length / 2);
        for (long value : runs) {
            buffer.putLong(value);
        }
        FileLogIo.replace(sidecar, FileLogIo.seal(buffer), durable);
        sealed = true;
    }

    /** Closes the file. */
    void close() throws IOException {
        channel.close();
    }

    /** Closes and deletes the file and its sidecar. */
    void delete() throws IOException {
        channel.close();
        Files.deleteIfExists(file);
        Files.deleteIfExists(sidecar);
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads the records from {@code from} to {@code to}, which this segment holds and has written,
     * with one positional read into {@code buffer} (which has room for them), and checks each.
     *
     * @throws IllegalStateException naming the file and offset if a record is damaged
     */
    void read(long from, long to, FileLogTerms terms, ByteBuffer buffer, CRC32C crc, List<LogEntry> out)
            throws IOException {
        long start = offsetOf(from);
        buffer.clear().limit((int) (endOf(to) - start));
        if (!FileLogIo.readFully(channel, buffer, start)) {
            throw corrupt(start, "the file ends at " + channel.size() + ", before the records " + from + ".." + to);
        }
        for (long index = from; index <= to; index++) {
            int at = (int) (offsetOf(index) - start);
            int length = (int) (endOf(index) - offsetOf(index)) - PREFIX;
            String problem = buffer.getInt(at) != length ? "length " + buffer.getInt(at) + ", " + length + " expected"
                    : check(buffer, at, length, index, 1, crc);
            if (problem == null && buffer.getLong(at + PREFIX) != terms.termAt(index)) {
                problem = "term " + buffer.getLong(at + PREFIX) + ", " + terms.termAt(index) + " expected";
            }
            if (problem != null) {
                throw corrupt(offsetOf(index), problem + " in the record of index " + index);
            }
            byte[] data = new byte[length - FIXED];
            buffer.get(at + PREFIX + FIXED, data);
            out.add(new LogEntry(buffer.getLong(at + PREFIX), index, kindOf(buffer.get(at + PREFIX + 16)), data));
        }
    }

    private IllegalStateException corrupt(long offset, String problem) {
        return new IllegalStateException("the log file " + file + " is corrupt at offset " + offset + ": " + problem
                + ". The disk or something other than this storage changed it; restore it from a backup, or remove "
                + "this node from its group and delete the directory to let it rejoin as a new member");
    }

    /**
     * Loads the sidecar if there is one that matches this segment file; deletes a stale or damaged one.
     *
     * @param terms the terms so far, which this segment's runs continue
     * @return whether it was loaded (the segment is then sealed)
     */
    boolean loadSidecar(FileLogTerms terms) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(sidecar);
        } catch (NoSuchFileException e) {
            return false;
        }
        int[] loaded = parseSidecar(bytes, channel.size(), terms.lastTerm());
        if (loaded == null) {
            Files.deleteIfExists(sidecar);
            return false;
        }
        ByteBuffer body = ByteBuffer.wrap(bytes);
        int runsAt = 8 + 20 + 4 * loaded.length;
        for (int run = 0; run < body.getInt(runsAt); run++) {
            terms.add(body.getLong(runsAt + 4 + 16 * run), body.getLong(runsAt + 12 + 16 * run));
        }
        offsets = loaded;
        count = loaded.length;
        written = channel.size();
        size = written;
        allocated = written;
        sealed = true;
        return true;
    }

    /** The offsets a sidecar lists, or null if it is damaged or does not describe this file. */
    private int[] parseSidecar(byte[] bytes, long fileSize, long minTerm) {
        if (FileLogIo.checkProblem(bytes, SIDECAR_MAGIC, SIDECAR_VERSION) != null || bytes.length < 8 + 20 + 4 + 4) {
            return null;
        }
        ByteBuffer body = ByteBuffer.wrap(bytes);
        int entries = body.getInt(24);
        if (body.getLong(8) != firstIndex || body.getLong(16) != fileSize || entries < 1
                || entries > (fileSize - HEADER_BYTES) / RECORD_OVERHEAD) {
            return null;
        }
        int runsAt = 28 + 4 * entries;
        int runs = bytes.length >= runsAt + 4 ? body.getInt(runsAt) : -1;
        if (runs < 1 || runs > entries || bytes.length != runsAt + 4 + 16 * runs + 4) {
            return null;
        }
        int[] loaded = new int[entries];
        long previous = HEADER_BYTES - RECORD_OVERHEAD;
        for (int i = 0; i < entries; i++) {
            loaded[i] = body.getInt(28 + 4 * i);
            if (loaded[i] < previous + RECORD_OVERHEAD || (i == 0 && loaded[i] != HEADER_BYTES)) {
                return null;
            }
            previous = loaded[i];
        }
        if (fileSize < previous + RECORD_OVERHEAD) {
            return null;
        }
        long start = firstIndex - 1;
        long term = minTerm;
        for (int run = 0; run < runs; run++) {
            long runStart = body.getLong(runsAt + 4 + 16 * run);
            long runTerm = body.getLong(runsAt + 12 + 16 * run);
            if (runStart <= start || runStart > lastIndexOf(entries) || (run == 0 && runStart != firstIndex)
                    || runTerm < Math.max(1, term) || (run > 0 && runTerm == term)) {
                return null;
            }
            start = runStart;
            term = runTerm;
        }
        return loaded;
    }

    private long lastIndexOf(int entries) {
        return firstIndex + entries - 1;
    }

    /**
     * Reads the whole segment, checking every record, and notes its offsets and terms.
     *
     * @param terms the terms so far: records continue their last term, and add theirs
     * @return null if every byte is good; else where the good records end and why (the records before
     *         it are taken)
     */
    Problem scan(FileLogTerms terms, CRC32C crc) throws IOException {
        long fileSize = channel.size();
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        if (fileSize < HEADER_BYTES || !FileLogIo.readFully(channel, header, 0)) {
            return new Problem(0, "the file is shorter than its header (" + fileSize + " bytes)", 0);
        }
        if (header.getInt(0) != MAGIC || header.getInt(4) != VERSION || header.getLong(8) != firstIndex) {
            return new Problem(0, header.getInt(0) != MAGIC ? "not a log segment (bad magic)"
                    : header.getInt(4) != VERSION ? "format version " + header.getInt(4) + ", this code reads " + VERSION
                    : "its header says it starts at index " + header.getLong(8), 0);
        }
        count = 0;
        size = HEADER_BYTES;
        allocated = fileSize;
        Window window = new Window(channel, fileSize);
        Walk walk = walk(window, HEADER_BYTES, firstIndex, terms.lastTerm(), terms, crc);
        written = walk.end();
        size = walk.end();
        if (walk.problem() == null) {
            return null;
        }
        long after = walk.next() < 0 ? 0
                : walk(window, walk.next(), firstIndex + count + 1, Math.max(1, terms.lastTerm()), null, crc).entries();
        return new Problem(walk.end(), walk.problem(), after);
    }

    /** Checks records from {@code at} on; notes them when {@code terms} is not null. */
    private Walk walk(Window window, long at, long index, long minTerm, FileLogTerms terms, CRC32C crc)
            throws IOException {
        long position = at;
        long expected = index;
        long term = minTerm;
        while (position < window.fileSize) {
            long left = window.fileSize - position;
            if (left < RECORD_OVERHEAD) {
                return window.zerosFrom(position) ? new Walk(position, expected - index, null, -1)
                        : new Walk(position, expected - index, "a record cut short (" + left + " bytes left)", -1);
            }
            int length = window.buffer().getInt(window.at(position, PREFIX));
            if (length == 0 && window.zerosFrom(position)) {
                return new Walk(position, expected - index, null, -1); // the zeros written ahead
            }
            if (length < FIXED || length > left - PREFIX) {
                String why = length < FIXED ? "bad length " + length
                        : "a record cut short (length " + length + ", " + (left - PREFIX) + " bytes left)";
                return new Walk(position, expected - index, why, -1);
            }
            int rel = window.at(position, PREFIX + length);
            String problem = check(window.buffer(), rel, length, expected, term, crc);
            if (problem != null) {
                return new Walk(position, expected - index, problem + " in the record of index " + expected,
                        position + PREFIX + length);
            }
            term = window.buffer().getLong(rel + PREFIX);
            if (terms != null) {
                terms.add(expected, term);
                appended(PREFIX + length);
            }
            expected++;
            position += PREFIX + length;
        }
        return new Walk(position, expected - index, null, -1);
    }

    /** What is wrong with the record at {@code at} (whose length field says {@code length}), or null. */
    private static String check(ByteBuffer buffer, int at, int length, long index, long minTerm, CRC32C crc) {
        crc.reset();
        crc.update(buffer.duplicate().limit(at + PREFIX + length).position(at + PREFIX));
        if ((int) crc.getValue() != buffer.getInt(at + 4)) {
            return "checksum mismatch";
        }
        long term = buffer.getLong(at + PREFIX);
        long recordIndex = buffer.getLong(at + PREFIX + 8);
        if (recordIndex != index) {
            return "index " + recordIndex + " where " + index + " should follow";
        }
        if (term < Math.max(1, minTerm)) {
            return "term " + term + " after term " + minTerm;
        }
        if (kindOf(buffer.get(at + PREFIX + 16)) == null) {
            return "unknown kind " + buffer.get(at + PREFIX + 16);
        }
        return null;
    }

    private static byte kindCode(LogEntry.Kind kind) {
        return switch (kind) {
            case COMMAND -> 1;
            case CONFIGURATION -> 2;
            case NOOP -> 3;
        };
    }

    private static LogEntry.Kind kindOf(byte code) {
        return switch (code) {
            case 1 -> LogEntry.Kind.COMMAND;
            case 2 -> LogEntry.Kind.CONFIGURATION;
            case 3 -> LogEntry.Kind.NOOP;
            default -> null;
        };
    }

    /** A window of a file for reading it front to back in large reads. */
    private static final class Window {
        private final FileChannel channel;
        private final long fileSize;
        private ByteBuffer buffer = ByteBuffer.allocateDirect(WINDOW);
        private long start = -1;

        Window(FileChannel channel, long fileSize) {
            this.channel = channel;
            this.fileSize = fileSize;
        }

        ByteBuffer buffer() {
            return buffer;
        }

        /** Whether every byte from {@code position} to the end of the file is zero. */
        boolean zerosFrom(long position) throws IOException {
            for (long at = position; at < fileSize; ) {
                int bytes = (int) Math.min(WINDOW, fileSize - at);
                int rel = at(at, bytes);
                for (int i = 0; i < bytes; i++) {
                    if (buffer.get(rel + i) != 0) {
                        return false;
                    }
                }
                at += bytes;
            }
            return true;
        }

        /** Makes the window hold {@code bytes} bytes from {@code position} (which the file has); answers where they start in it. */
        int at(long position, int bytes) throws IOException {
            if (start < 0 || position < start || position + bytes > start + buffer.limit()) {
                if (bytes > buffer.capacity()) {
                    buffer = ByteBuffer.allocateDirect(bytes);
                }
                buffer.clear().limit((int) Math.min(buffer.capacity(), fileSize - position));
                if (!FileLogIo.readFully(channel, buffer, position)) {
                    throw new IOException(channel + " shrank while it was read");
                }
                start = position;
            }
            return (int) (position - start);
        }
    }
}

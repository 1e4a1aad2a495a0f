package io.mosaik.groups.raft;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * File plumbing of {@link FileLogStorage}: owner-only files, atomic replacement of small files, and
 * small files that end in a CRC32C of everything before it.
 */
final class FileLogIo {

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private FileLogIo() {
    }

    /** Whether the default file system has POSIX permissions. */
    static boolean posix() {
        return POSIX;
    }

    /** Attributes for a new file that only its owner may read and write (none without POSIX). */
    static FileAttribute<?>[] ownerOnlyFile() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    /** Attributes for a new directory that only its owner may use (none without POSIX). */
    static FileAttribute<?>[] ownerOnlyDirectory() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
    }

    /** Opens (creating if needed, owner-only) a file for reading and writing. */
    static FileChannel openReadWrite(Path file, OpenOption... extra) throws IOException {
        Set<OpenOption> options = new HashSet<>(List.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE));
        options.addAll(List.of(extra));
        return FileChannel.open(file, options, ownerOnlyFile());
    }

    /** Writes the whole buffer at a position. */
    static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    /**
     * Reads bytes at a position until the buffer is full.
     *
     * @return false if the file ended first
     */
    static boolean readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                return false;
            }
            at += n;
        }
        return true;
    }

    /**
     * Forces a directory's entries (new, renamed and deleted files) to the disk. File systems that
     * cannot open a directory (Windows) make their renames durable on their own, so that is ignored.
     */
    static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (AccessDeniedException e) {
            // not supported on this platform
        }
    }

    /**
     * Replaces a file atomically: writes a temporary file next to it, forces it, renames it over the
     * target, and forces the directory. A crash leaves the old file or the new one, never a mix.
     *
     * @param durable whether to force (else the rename is atomic but may be lost on power failure)
     */
    static void replace(Path target, ByteBuffer content, boolean durable) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = openReadWrite(temporary, StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(channel, content, 0);
            if (durable) {
                channel.force(true);
            }
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (durable) {
            forceDirectory(target.getParent());
        }
    }

    /**
     * A buffer for a small checked file: magic and version already put; put the body, then pass it to
     * {@link #seal(ByteBuffer)}.
     */
    static ByteBuffer checkedFile(int magic, int version, int bodyBytes) {
        return ByteBuffer.allocate(8 + bodyBytes + 4).putInt(magic).putInt(version);
    }

    /** Appends the CRC32C of what was put and flips the buffer for writing. */
    static ByteBuffer seal(ByteBuffer buffer) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        return buffer.putInt((int) crc.getValue()).flip();
    }

    /**
     * Reads a small checked file.
     *
     * @return its body (after magic and version, before the checksum), or null if there is no file
     * @throws IllegalStateException if it is damaged
     */
    static ByteBuffer readChecked(Path file, int magic, int version) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        String problem = checkProblem(bytes, magic, version);
        if (problem != null) {
            throw new IllegalStateException("the file " + file + " is damaged (" + problem + "); it is written "
                    + "atomically, so something other than a crash changed it: restore it from a backup, or delete "
                    + "the directory " + file.getParent() + " to make this node a new, empty member (remove the old "
                    + "one from the group first)");
        }
        return ByteBuffer.wrap(bytes, 8, bytes.length - 12).slice();
    }

    /** What is wrong with a checked file's bytes, or null if nothing. */
    static String checkProblem(byte[] bytes, int magic, int version) {
        if (bytes.length < 12) {
            return bytes.length + " bytes";
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        if ((int) crc.getValue() != buffer.getInt(bytes.length - 4)) {
            return "checksum mismatch";
        }
        if (buffer.getInt(0) != magic) {
            return "not a file of this kind";
        }
        if (buffer.getInt(4) != version) {
            return "format version " + buffer.getInt(4) + ", this code reads " + version;
        }
        return null;
    }
}

package io.mosaik.groups;

import io.mosaik.groups.raft.FileLogStorage;
import io.mosaik.groups.raft.FileSnapshotStore;
import io.mosaik.groups.raft.SnapshotStore;
import io.mosaik.groups.raft.SyncPolicy;
import io.mosaik.primitives.NetworkId;
import io.mosaik.primitives.PeerId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The directory a member keeps a group's data in: {@code log/} (a {@link FileLogStorage}),
 * {@code snapshots/} (a {@link FileSnapshotStore}) and {@code group}, a small text file naming the
 * network, group and member (peer id) the data belongs to. A directory created here is readable by its
 * owner only.
 *
 * <p>The {@code group} file is what keeps two groups (or the same group of two networks, or a group
 * whose settings changed and so whose id did) from sharing a log, and a node whose identity changed
 * from taking over another member's log and vote: a directory that names another network, group or
 * peer is refused before anything in it is read or written.
 */
final class GroupDataDirectory {

    private static final org.slf4j.Logger LOGGER = org.slf4j.LoggerFactory.getLogger(GroupDataDirectory.class);

    static final String IDENTITY = "group";
    static final String LOG = "log";
    static final String SNAPSHOTS = "snapshots";

    private GroupDataDirectory() {
    }

    /** The log and snapshot store of one member, opened together. */
    record Opened(FileLogStorage log, SnapshotStore snapshots) {
    }

    /**
     * Opens (creating it if needed) the data directory of a group.
     *
     * @param directory the directory
     * @param policy    the log's sync policy
     * @param network   the network the node is in
     * @param group     the group
     * @param peer      this node's peer id
     * @return the log and snapshot store
     * @throws DataDirectoryException if the directory holds another network's, group's or member's data,
     *                                is in use, is damaged, or cannot be read or written
     */
    static Opened open(Path directory, SyncPolicy policy, NetworkId network, GroupId group, PeerId peer) {
        Path dir = directory.toAbsolutePath().normalize();
        try {
            create(dir);
            claim(dir, network, group, peer);
        } catch (IOException e) {
            throw new DataDirectoryException(dir, DataDirectoryException.Reason.UNUSABLE, "cannot use " + dir
                    + " as the data directory of group " + group.toShortString() + ": " + e + ". Check that the "
                    + "path names a directory this process may create and write", e);
        }
        FileLogStorage log;
        try {
            log = FileLogStorage.open(dir.resolve(LOG), policy);
        } catch (RuntimeException e) {
            throw refused(dir, e);
        }
        try {
            return new Opened(log, FileSnapshotStore.open(dir.resolve(SNAPSHOTS)));
        } catch (RuntimeException e) {
            log.close();
            throw refused(dir, e);
        } catch (Error e) {
            log.close();
            throw e;
        }
    }

    /** The storage's own refusal, with the reason it is (the message is kept). */
    private static DataDirectoryException refused(Path dir, RuntimeException e) {
        DataDirectoryException.Reason reason;
        if (e instanceof UncheckedIOException) {
            reason = DataDirectoryException.Reason.UNUSABLE;
        } else if (String.valueOf(e.getMessage()).contains("is in use")) {
            reason = DataDirectoryException.Reason.IN_USE;
        } else {
            reason = DataDirectoryException.Reason.DAMAGED;
        }
        return new DataDirectoryException(dir, reason, e.getMessage(), e);
    }

    private static void create(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                String permissions = PosixFilePermissions.toString(Files.getPosixFilePermissions(dir));
                if (!permissions.endsWith("------")) {
                    LOGGER.warn("the data directory {} is open to other users ({}): it holds the group's data; "
                            + "chmod 700 it", dir, permissions);
                }
            }
            return;
        }
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        var ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        if (dir.getParent() != null && !Files.isDirectory(dir.getParent())) {
            // Parents this node creates are its own too: only existing ones keep their permissions.
            if (posix) {
                Files.createDirectories(dir.getParent(), ownerOnly);
            } else {
                Files.createDirectories(dir.getParent());
            }
        }
        try {
            if (posix) {
                Files.createDirectory(dir, ownerOnly);
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    /** Writes the identity file into a directory that has none, or checks the one it has. */
    private static void claim(Path dir, NetworkId network, GroupId group, PeerId peer) throws IOException {
        Path file = dir.resolve(IDENTITY);
        if (Files.exists(file)) {
            Map<String, String> found = parse(Files.readString(file, StandardCharsets.UTF_8));
            String foundNetwork = found.get("network");
            String foundGroup = found.get("group");
            String foundPeer = found.get("peer");
            if (foundNetwork == null || foundGroup == null || foundPeer == null) {
                throw new DataDirectoryException(dir, DataDirectoryException.Reason.NOT_A_DATA_DIRECTORY,
                        "the data directory " + dir + " has a damaged " + IDENTITY
                        + " file (it names no network, group or peer), so whose data it holds is unknown. Move the "
                        + "directory aside and start this member with an empty one; it then catches up from the "
                        + "other members", null);
            }
            if (!foundNetwork.equals(network.toString()) || !foundGroup.equals(group.toString())) {
                boolean sameNetwork = foundNetwork.equals(network.toString());
                throw new DataDirectoryException(dir, sameNetwork ? DataDirectoryException.Reason.OTHER_GROUP
                        : DataDirectoryException.Reason.OTHER_NETWORK, "the data directory " + dir + " holds the data of "
                        + (sameNetwork ? "group " + abbreviate(foundGroup) + ", not of group "
                                + group.toShortString() + " which this member runs"
                                : "network " + abbreviate(foundNetwork) + ", not of network "
                                        + network.toShortString() + " which this node is in")
                        + (sameNetwork ? " (a group's id follows from its key, consensus settings and state "
                                + "machine signature, so changing any of them makes it another group)" : "")
                        + ". Give every group a data directory of its own, or delete " + dir
                        + " if its data is no longer wanted", null);
            }
            if (!foundPeer.equals(peer.toHex())) {
                throw new DataDirectoryException(dir, DataDirectoryException.Reason.OTHER_MEMBER,
                        "the data directory " + dir + " holds the log of member "
                        + abbreviate(foundPeer) + ", but this node is " + peer.toShortString() + ": its identity "
                        + "changed since it wrote the directory, and a member must not take over another's log and "
                        + "vote. Give the node a lasting identity (mosaik.key-file, or Network.builder().secretKey("
                        + "SecretKey.loadOrCreate(file))) with the key it had, or delete " + dir + " to join as a "
                        + "new member (the old one is then replaced after the group's voter-removal-timeout, or "
                        + "remove it with Group.removeVoter)", null);
            }
            return;
        }
        if (hasData(dir)) {
            throw new DataDirectoryException(dir, DataDirectoryException.Reason.NOT_A_DATA_DIRECTORY,
                    "the data directory " + dir + " is not empty and has no " + IDENTITY + " file, so it is not a "
                    + "group's data directory. Name an empty or new directory", null);
        }
        String text = "# mosaik group data directory: do not edit; delete the whole directory to start afresh\n"
                + "network=" + network + "\ngroup=" + group + "\npeer=" + peer.toHex() + "\n";
        Path temporary = dir.resolve(IDENTITY + ".tmp");
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        try (var channel = java.nio.channels.FileChannel.open(temporary, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean hasData(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.map(path -> path.getFileName().toString())
                    .anyMatch(name -> !name.equals(IDENTITY + ".tmp") && !name.startsWith("."));
        }
    }

    private static Map<String, String> parse(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int equals = line.indexOf('=');
            if (!line.startsWith("#") && equals > 0) {
                values.put(line.substring(0, equals).strip(), line.substring(equals + 1).strip());
            }
        }
        return values;
    }

    private static String abbreviate(String hex) {
        return hex.length() > 10 ? hex.substring(0, 10) : hex; // as toShortString()
    }
}

package io.mosaik.spring.boot;

import io.mosaik.groups.DataDirectoryException;
import io.mosaik.groups.GroupBuilder;
import io.mosaik.groups.raft.SyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Where one declared group keeps its log and snapshots: the {@code storage}, {@code data-dir},
 * {@code sync}, {@code sync-interval}, {@code snapshot-every} and {@code snapshot-retain} properties of
 * {@code mosaik.groups.<name>}, checked. A setting that would be silently ignored (a data directory or a
 * sync policy for a group kept in memory, an interval for a policy that has none) is an error too: it
 * says the user expects something that would not happen.
 *
 * @param directory        the group's data directory, absolute; {@code null} for a log kept in memory
 * @param derived          whether the directory is {@code groups/<name>} under {@code mosaik.data-dir}
 * @param sync             when the log is forced to the disk (only used with a directory)
 * @param snapshotEvery    applied entries between snapshots, 0 for never
 * @param snapshotRetain   entries kept in the log before a snapshot
 */
record GroupStorageSettings(Path directory, boolean derived, SyncPolicy sync, long snapshotEvery,
                            long snapshotRetain) {

    /** The least time between two forces of the log under {@code sync: batched}, unless set. */
    static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(10);

    /**
     * Checks the storage properties of a declaration.
     *
     * @param prefix  the declaration's property prefix, {@code mosaik.groups.<name>}
     * @param name    the group's name
     * @param spec    the bound properties
     * @param dataDir the node's {@code mosaik.data-dir}, {@code null} if unset
     * @return the settings
     * @throws MosaikConfigurationException naming the first property that is wrong
     */
    static GroupStorageSettings of(String prefix, String name, MosaikProperties.GroupSpec spec, Path dataDir) {
        long every = notNegative(prefix + ".snapshot-every", spec.getSnapshotEvery(), "10000",
                "0 never snapshots");
        long retain = notNegative(prefix + ".snapshot-retain", spec.getSnapshotRetain(), "1000",
                "0 keeps no entry before the snapshot");
        Path own = blankAsUnset(spec.getDataDir());
        if (!disk(prefix, spec.getStorage())) {
            memoryOnly(prefix, own, spec);
            return new GroupStorageSettings(null, false, SyncPolicy.ALWAYS, every, retain);
        }
        Path node = blankAsUnset(dataDir);
        if (own == null && node == null) {
            throw new MosaikConfigurationException(prefix + ".data-dir", "storage is disk but no data directory "
                    + "is set", "Set " + prefix + ".data-dir to a directory of this group's own, or mosaik.data-dir "
                    + "to a directory under which every disk-backed group gets groups/<name>; or set " + prefix
                    + ".storage to memory to keep nothing on disk.");
        }
        Path directory = (own != null ? own : node.resolve("groups").resolve(name)).toAbsolutePath().normalize();
        return new GroupStorageSettings(directory, own == null, sync(prefix, spec), every, retain);
    }

    /** Applies the settings to a builder: snapshots always, the data directory for disk storage. */
    void applyTo(GroupBuilder<?, ?, ?> builder) {
        builder.snapshots(snapshotEvery, snapshotRetain);
        if (directory != null) {
            builder.dataDirectory(directory, sync);
        }
    }

    /**
     * The failure of a join explained with the property, if it is the engine refusing the data directory
     * (another group's, network's or node identity's data, a directory another process uses, one it
     * cannot create): its message names the directory. Any other failure is returned as it is.
     *
     * @param prefix  the declaration's property prefix
     * @param failure what {@link GroupBuilder#join()} threw
     * @return the exception to throw
     */
    RuntimeException explain(String prefix, RuntimeException failure) {
        if (!(failure instanceof DataDirectoryException refused)) {
            return failure;
        }
        String message = refused.getMessage();
        if (refused.reason() == DataDirectoryException.Reason.OTHER_MEMBER) { // written under another peer id
            return new MosaikConfigurationException("mosaik.key-file", message, "Give the node a lasting identity: "
                    + "set mosaik.key-file (or mosaik.secret-key) to the key it had when it wrote " + directory
                    + ", so that it keeps its peer id across restarts; or delete the directory to join " + prefix
                    + " as a new member.", failure);
        }
        String where = derived ? " (now " + directory + ", groups/<name> under mosaik.data-dir)" : "";
        return new MosaikConfigurationException(prefix + ".data-dir", message, "Each group needs a data directory "
                + "of its own that no other group or process uses: set " + prefix + ".data-dir to another "
                + "directory" + where + ", or delete the directory if its data is no longer wanted (a member "
                + "started empty catches up from the other members).", failure);
    }

    private static boolean disk(String prefix, String storage) {
        String value = storage == null ? "" : storage.strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "", "memory" -> false;
            case "disk" -> true;
            default -> throw new MosaikConfigurationException(prefix + ".storage", "'" + storage
                    + "' is not a storage", "Set it to memory (the default: the log is lost when the node stops) "
                    + "or disk (kept in data-dir, so the member restarts with its state).");
        };
    }

    /** A group kept in memory has no use for a directory or a sync policy; one set is a mistake. */
    private static void memoryOnly(String prefix, Path own, MosaikProperties.GroupSpec spec) {
        String keep = "; set " + prefix + ".storage to disk to keep the log and snapshots on disk, or remove " + prefix;
        if (own != null) {
            throw new MosaikConfigurationException(prefix + ".data-dir", "a data directory is set but storage is "
                    + "memory, so nothing would be kept in it", "Set " + prefix + ".storage to disk to keep the "
                    + "group's log and snapshots there, or remove " + prefix + ".data-dir.");
        }
        if (spec.getSync() != null && !spec.getSync().isBlank()) {
            throw new MosaikConfigurationException(prefix + ".sync", "a sync policy is set but storage is memory, "
                    + "which never writes to disk", "Only a disk-backed log is synced" + keep + ".sync.");
        }
        if (spec.getSyncInterval() != null) {
            throw new MosaikConfigurationException(prefix + ".sync-interval", "a sync interval is set but storage "
                    + "is memory, which never writes to disk", "Only a disk-backed log is synced" + keep
                    + ".sync-interval.");
        }
    }

    private static SyncPolicy sync(String prefix, MosaikProperties.GroupSpec spec) {
        String value = spec.getSync() == null ? "" : spec.getSync().strip().toLowerCase(Locale.ROOT);
        Duration interval = spec.getSyncInterval();
        if (interval != null && !value.equals("batched")) {
            throw new MosaikConfigurationException(prefix + ".sync-interval", "a sync interval is set but sync is "
                    + (value.isEmpty() ? "always (the default)" : value) + ", which has none",
                    "Set " + prefix + ".sync to batched to force the log at most once per interval, or remove "
                            + prefix + ".sync-interval.");
        }
        return switch (value) {
            case "", "always" -> SyncPolicy.ALWAYS;
            case "never" -> SyncPolicy.NEVER;
            case "batched" -> SyncPolicy.batched(positive(prefix + ".sync-interval",
                    interval != null ? interval : DEFAULT_SYNC_INTERVAL));
            default -> throw new MosaikConfigurationException(prefix + ".sync", "'" + spec.getSync()
                    + "' is not a sync policy", "Set it to always (the default: nothing acknowledged is lost), "
                    + "batched (the log forced once per sync-interval; a power failure may lose the last "
                    + "interval's entries) or never (for tests: a power failure may lose anything).");
        };
    }

    private static Duration positive(String property, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new MosaikConfigurationException(property, interval.toMillis() + "ms is not positive",
                    "Set it to a positive duration such as 5ms or 50ms (default 10ms): longer batches more entries "
                            + "per fsync and risks more of them on a power failure.");
        }
        return interval;
    }

    private static long notNegative(String property, long value, String fallback, String zero) {
        if (value < 0) {
            throw new MosaikConfigurationException(property, value + " is negative",
                    "Set it to 0 or more (default " + fallback + "; " + zero + ").");
        }
        return value;
    }

    private static Path blankAsUnset(Path path) {
        return path == null || path.toString().isBlank() ? null : path;
    }
}

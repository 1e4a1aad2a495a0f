package io.mosaik.groups;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A group's data directory was refused when the group was joined (see
 * {@link GroupBuilder#dataDirectory(Path, io.mosaik.groups.raft.SyncPolicy)}): nothing in it was changed.
 * The message says what to do; {@link #reason()} says what was wrong, for code that reports it.
 */
public final class DataDirectoryException extends GroupException {

    private static final long serialVersionUID = 1L;

    /** What was wrong with the directory. */
    public enum Reason {
        /** It holds the data of a group of another network. */
        OTHER_NETWORK,
        /** It holds the data of another group (another key, consensus settings or state machine). */
        OTHER_GROUP,
        /** It holds the data of another member: the node's peer id changed since it wrote it. */
        OTHER_MEMBER,
        /** It has files but is not a group's data directory, or its identity file is damaged. */
        NOT_A_DATA_DIRECTORY,
        /** Another process (or another open group in this one) uses it. */
        IN_USE,
        /** Its log or snapshot is damaged in a way a crash does not cause. */
        DAMAGED,
        /** It cannot be created, read or written. */
        UNUSABLE
    }

    private final transient Path directory;
    private final Reason reason;

    DataDirectoryException(Path directory, Reason reason, String message, Throwable cause) {
        super(message);
        this.directory = Objects.requireNonNull(directory, "directory");
        this.reason = Objects.requireNonNull(reason, "reason");
        if (cause != null) {
            initCause(cause);
        }
    }

    /** The directory, absolute. */
    public Path directory() {
        return directory;
    }

    /** What was wrong with it. */
    public Reason reason() {
        return reason;
    }
}

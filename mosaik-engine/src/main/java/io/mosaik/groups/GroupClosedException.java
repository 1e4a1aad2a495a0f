package io.mosaik.groups;

/**
 * The group handle (or the node) was closed before the operation completed.
 */
public final class GroupClosedException extends GroupException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message.
     *
     * @param message what happened
     */
    public GroupClosedException(String message) {
        super(message);
    }
}

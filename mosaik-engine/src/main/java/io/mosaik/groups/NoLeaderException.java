package io.mosaik.groups;

/**
 * No leader took the request in time: a command was not applied, and may be retried.
 */
public final class NoLeaderException extends GroupException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message.
     *
     * @param message what happened
     */
    public NoLeaderException(String message) {
        super(message);
    }
}

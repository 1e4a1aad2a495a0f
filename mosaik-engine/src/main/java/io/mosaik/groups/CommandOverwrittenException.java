package io.mosaik.groups;

/**
 * The leader that accepted the command lost its leadership before the command committed, and its
 * successor committed another entry at that index: the command was not applied and may be retried.
 */
public final class CommandOverwrittenException extends GroupException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message.
     *
     * @param message what happened
     */
    public CommandOverwrittenException(String message) {
        super(message);
    }
}

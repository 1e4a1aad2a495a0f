package io.mosaik.groups;

/**
 * The command reached a leader that did not answer in time: it may or may not be applied. Check the
 * state (or make commands idempotent) before retrying.
 */
public final class CommandOutcomeUnknownException extends GroupException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message.
     *
     * @param message what happened
     */
    public CommandOutcomeUnknownException(String message) {
        super(message);
    }
}

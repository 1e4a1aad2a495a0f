package io.mosaik.groups;

/**
 * The state machine threw while applying the command. The same happened on every member, the state is
 * as if the command had not been applied, and the group goes on.
 */
public final class CommandRejectedException extends GroupException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message.
     *
     * @param message the state machine's exception, as text
     */
    public CommandRejectedException(String message) {
        super(message);
    }
}

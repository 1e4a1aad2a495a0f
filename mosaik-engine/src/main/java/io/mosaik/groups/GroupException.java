package io.mosaik.groups;

/**
 * Why a group operation failed. The subclasses say whether a command may still have taken effect.
 */
public class GroupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message.
     *
     * @param message what happened and what to do
     */
    public GroupException(String message) {
        super(message);
    }
}

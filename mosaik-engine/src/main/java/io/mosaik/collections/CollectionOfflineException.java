package io.mosaik.collections;

import io.mosaik.groups.GroupException;

/**
 * A write was not applied because the collection is offline on this node: it knows no leader it
 * follows (the group is forming, electing, or cut off), or the leader it knew lost the write. The write
 * did not take effect; {@link #input()} gives back what was to be written, to retry once
 * {@code when().online()} completes.
 */
public final class CollectionOfflineException extends GroupException {

    private static final long serialVersionUID = 1L;

    private final transient Object input;

    /**
     * The exception.
     *
     * @param message what happened
     * @param input   what was to be written
     */
    public CollectionOfflineException(String message, Object input) {
        super(message);
        this.input = input;
    }

    /** What was to be written (a value, a key, a collection of them...), as the write was given it. */
    public Object input() {
        return input;
    }
}

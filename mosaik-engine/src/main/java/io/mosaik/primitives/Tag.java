package io.mosaik.primitives;

import java.util.Objects;

/**
 * A role label a node carries in the catalog ({@code "matcher"}, {@code "eu-west"}). Matching uses the
 * digest; the name is kept so that operators can read the catalog.
 *
 * @param name   the name the tag was made from
 * @param digest its 32-byte id
 */
public record Tag(String name, Digest digest) {

    /** Validates the components. */
    public Tag {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(digest, "digest");
    }

    /**
     * The tag for a name.
     *
     * @param name a non-blank name
     * @return the tag
     * @throws IllegalArgumentException if the name is blank
     */
    public static Tag of(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a tag needs a non-blank name");
        }
        return new Tag(name, Digest.of(name));
    }

    @Override
    public String toString() {
        return name;
    }
}

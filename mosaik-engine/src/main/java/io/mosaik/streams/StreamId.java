package io.mosaik.streams;

import io.mosaik.primitives.Digest;
import java.util.Objects;

/**
 * The identity of a stream: a 32-byte digest, which is what peer entries carry and consumers match, and
 * the name it was made from, for logs, meters and the actuator.
 *
 * <p>A stream's id is, by default, derived from the fully qualified name of its datum class
 * ({@code com.example.Quote}); that rule is specific to this Java port, so nodes written in other
 * languages, or classes that get renamed, should agree on an explicit name:
 * {@code producer(Quote.class).streamId("quotes")}. Names follow the digest rules of the spec: a
 * 64-character hex string is taken as the digest itself, anything else is hashed with BLAKE3.
 *
 * @param digest what goes on the wire and into peer entries
 * @param name   the name it was made from
 */
public record StreamId(Digest digest, String name) {

    /** Validates. */
    public StreamId {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(name, "name");
    }

    /**
     * The stream id of a name.
     *
     * @param name such as {@code quotes} or {@code oracle.price}
     * @return its id
     * @throws IllegalArgumentException if the name is blank
     */
    public static StreamId of(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a stream name must not be blank");
        }
        return new StreamId(Digest.of(name), name);
    }

    /** The default stream id of a datum class: its fully qualified name. */
    public static StreamId of(Class<?> datumType) {
        return of(datumType.getName());
    }

    /** The name, abbreviated when it is long, for logs. */
    public String shortName() {
        return name.length() <= 48 ? name : name.substring(0, 45) + "...";
    }

    @Override
    public String toString() {
        return name;
    }
}

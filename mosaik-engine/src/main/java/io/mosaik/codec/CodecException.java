package io.mosaik.codec;

/** A value could not be encoded, or bytes could not be decoded into the expected type. */
public class CodecException extends RuntimeException {

    /**
     * Creates the exception.
     *
     * @param message what failed, naming the type
     * @param cause   the underlying error
     */
    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.idsync.mapping;

/** A mapping file or a pattern that cannot be used; the message names what and where. */
public class MappingException extends RuntimeException {
    public MappingException(String message) {
        super(message);
    }

    public MappingException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.idsync.connector;

/**
 * A failure that retrying cannot fix (schema violation, 400, ambiguous correlation): that entry fails alone,
 * with this message recorded as the reason, and the pipe goes on.
 */
public class PermanentFailure extends RuntimeException {
    public PermanentFailure(String message) {
        super(message);
    }

    public PermanentFailure(String message, Throwable cause) {
        super(message, cause);
    }
}

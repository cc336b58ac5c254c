package io.idsync.connector;

/**
 * The system cannot answer now (down or busy, 429 after its wait, 5xx, a timeout, garbage from a proxy), after the
 * connector's own retries (an HTTP connection's {@code max-attempts}): the batch stops without moving its checkpoint,
 * and the next poll tries again. Messages name the system and operation, never a secret.
 */
public class SystemUnavailable extends SystemFailure {
    public SystemUnavailable(String message) {
        super(message);
    }

    public SystemUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}

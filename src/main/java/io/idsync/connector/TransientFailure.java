package io.idsync.connector;

/**
 * A failure that may pass (server down or busy, 429, 5xx, timeout, garbage from a proxy): the operation is
 * retried with backoff, and if it keeps failing the batch stops without moving the checkpoint.
 * Messages name the system and operation, never a secret.
 */
public class TransientFailure extends RuntimeException {
    public TransientFailure(String message) {
        super(message);
    }

    public TransientFailure(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.idsync.state;

/**
 * The state database failed: nothing can be recorded, so the batch stops and the checkpoint stays. The engine's own
 * storage has no retry layer beneath it, so the road retries these with backoff (pipe/Retry) before it stops.
 */
public class StateStoreException extends RuntimeException {
    public StateStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}

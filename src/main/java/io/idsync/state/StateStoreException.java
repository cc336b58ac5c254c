package io.idsync.state;

import io.idsync.connector.TransientFailure;

/** The state database failed: nothing can be recorded, so the batch stops and the checkpoint stays. */
public class StateStoreException extends TransientFailure {
    public StateStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}

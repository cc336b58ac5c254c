package io.idsync.connector;

/** A failure that is not the entry's: the system, its access or its configuration. The batch stops; nothing is lost. */
public abstract class SystemFailure extends ConnectorFailure {

    protected SystemFailure(String message) {
        super(message);
    }

    protected SystemFailure(String message, Throwable cause) {
        super(message, cause);
    }
}

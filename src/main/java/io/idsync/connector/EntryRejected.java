package io.idsync.connector;

/**
 * The system refused this entry (a schema violation, a 400, a conflict, an ambiguous correlation): retrying the same
 * write cannot fix it. That entry fails alone, with this message recorded as the reason, and the pipe goes on.
 */
public class EntryRejected extends ConnectorFailure {
    public EntryRejected(String message) {
        super(message);
    }

    public EntryRejected(String message, Throwable cause) {
        super(message, cause);
    }
}

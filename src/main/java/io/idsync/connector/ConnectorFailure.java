package io.idsync.connector;

/**
 * Why a connector could not do what it was asked, in the terms that decide what the engine does next (ConnId's
 * model: whose failure it is, and whether trying again can help):
 * <ul>
 * <li>{@link EntryRejected}: the entry's own (a schema violation, a 400, a conflict, an ambiguous correlation):
 * that entry fails with the message as its reason, and the pipe goes on;</li>
 * <li>{@link SystemFailure}: not the entry's, so the batch stops and its checkpoint stays:
 * {@link SystemUnavailable} (down, 5xx, timeout, 429 after its wait: the next poll tries again),
 * {@link AccessRefused} (401/403, a refused bind: not retried; the pipe is Failed naming the credentials) and
 * {@link ConfigurationError} (a filter or a base the server refuses: not retried; named).</li>
 * </ul>
 * Each connector kind classifies its system's answers in one place; messages name the system and the operation,
 * never a secret.
 */
public abstract class ConnectorFailure extends RuntimeException {

    protected ConnectorFailure(String message) {
        super(message);
    }

    protected ConnectorFailure(String message, Throwable cause) {
        super(message, cause);
    }
}

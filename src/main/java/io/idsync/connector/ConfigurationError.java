package io.idsync.connector;

/**
 * The system refused what the configuration asks of it (a filter it cannot parse, a base DN it does not have, a
 * resource it does not serve): not retried as if the system were busy; the batch stops with the setting named.
 */
public class ConfigurationError extends SystemFailure {
    public ConfigurationError(String message) {
        super(message);
    }
}

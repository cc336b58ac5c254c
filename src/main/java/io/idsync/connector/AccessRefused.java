package io.idsync.connector;

/**
 * The system refused idsync's credentials or their rights (HTTP 401 after a token renewal, 403, a token endpoint's
 * {@code invalid_client}, an LDAP bind refused): trying again cannot help until someone fixes them, so nothing is
 * retried; the batch stops and the pipe is Failed with this message from the first poll.
 */
public class AccessRefused extends SystemFailure {
    public AccessRefused(String message) {
        super(message);
    }
}

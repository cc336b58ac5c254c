package io.idsync.sandbox;

import java.util.List;
import java.util.Map;

/**
 * A check of each Platform API request before the sandbox answers it. The sandbox finds implementations with
 * {@link java.util.ServiceLoader}: the product ships none; the tests plug in PingOne's API contract, so every
 * request idsync sends in a test is held to what PingOne documents, and one that is not is refused (400) there.
 */
public interface SandboxRequestCheck {

    /**
     * @param method      the HTTP method
     * @param path        the path after {@code /v1}, e.g. {@code /environments/<id>/users/<id>}
     * @param query       the query parameters, decoded
     * @param contentType the request's media type without parameters, or empty
     * @param body        the request body as sent; empty when there is none
     * @return why PingOne's contract refuses the request, one sentence each; empty when it does not
     */
    List<String> check(String method, String path, Map<String, String> query, String contentType, byte[] body);
}

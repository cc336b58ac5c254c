package io.idsync.testsupport.scim;

import java.util.Map;

/**
 * A SCIM 2.0 service provider the project did not write, started by a test on loopback and stopped with it. The
 * interoperability tests run one scenario against each, through idsync's SCIM connection, configured from
 * {@link #connectionSettings()}.
 */
public interface ScimServerUnderTest extends AutoCloseable {

    /** Which implementation and version, as the test names it: "scimmy 1.3.5". */
    String name();

    /** Its SCIM base URL, such as {@code http://127.0.0.1:41234/scim/v2} (no trailing slash). */
    String baseUrl();

    /**
     * The keys of an idsync SCIM connection that reach it (without the {@code idsync.connections.<name>.} prefix):
     * {@code base-url}, {@code auth} and that auth's keys.
     */
    Map<String, String> connectionSettings();

    /**
     * What the server holds at {@code path} (under the base URL, with its query), read as any SCIM client would,
     * not through idsync's connector: for tests that assert what a user would see there.
     */
    default com.fasterxml.jackson.databind.JsonNode get(String path) {
        Map<String, String> settings = connectionSettings();
        String authorization = "bearer".equals(settings.get("auth")) ? "Bearer " + settings.get("bearer-token")
                : "Basic " + java.util.Base64.getEncoder().encodeToString((settings.get("username") + ":" + settings.get("password"))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl() + path)).header("Authorization", authorization)
                            .header("Accept", "application/scim+json").GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(name() + ": GET " + path + " answered " + response.statusCode() + " " + response.body());
            }
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    void close();
}

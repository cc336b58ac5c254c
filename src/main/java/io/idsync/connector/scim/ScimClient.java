package io.idsync.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.idsync.connector.AccessRefused;
import io.idsync.connector.SystemUnavailable;
import io.idsync.connector.TlsTrust;
import io.idsync.connector.http.ApiClient;
import io.idsync.connector.http.OAuthTokens;
import io.idsync.connector.http.OperationLimits;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Talks to one SCIM service provider through the connection's {@link ApiClient} (its authentication, limits and
 * retries) and turns error bodies into failures that say what the provider said: 401 and 403 are
 * {@link AccessRefused}, any other 4xx but 404 a {@link ScimApiException}. No secret is ever part of a message.
 */
final class ScimClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String MEDIA = "application/scim+json";

    private final ScimSettings settings;
    private final ApiClient api;
    private volatile ServiceProvider provider;
    /** the provider refused co and reads RFC 7644's escapes in eq (learnt from its invalidFilter, for this connection) */
    private volatile boolean escapedEquality;

    /** An answer: its status, its JSON body (null when none), and its entity tag (the ETag header, else meta.version). */
    record Response(int status, JsonNode body, String etag) {
    }

    /**
     * What {@code /ServiceProviderConfig} says the provider supports (RFC 7643 §5), read once: a provider without
     * one is taken to support filters but neither PATCH nor ETags.
     */
    record ServiceProvider(boolean patch, boolean filter, int maxResults, boolean etag) {
    }

    ScimClient(ScimSettings settings) {
        this(settings, TlsTrust.jvm());
    }

    /** @param trust whom the connection trusts over TLS: its trust-store or ca-file, else the JVM's */
    ScimClient(ScimSettings settings, TlsTrust trust) {
        this(settings, trust, OperationLimits.none("scim", settings.name(), settings.responseTimeout()));
    }

    /** @param limits seed 002's per-operation timeouts and rate limits, and Maximum Connections */
    ScimClient(ScimSettings settings, TlsTrust trust, OperationLimits limits) {
        this(settings, new ApiClient(new ApiClient.Endpoint("scim", "SCIM", settings.name(), settings.baseUrl(), settings.maxAttempts()),
                settings.connectTimeout(), settings.responseTimeout(), trust, limits, 0, credentials(settings),
                (status, body) -> new ScimApiException("", status, ApiClient.Answer.json(body)).detail()));
    }

    private ScimClient(ScimSettings settings, ApiClient api) {
        this.settings = settings;
        this.api = api;
    }

    /** The same provider and credentials, each request tried once: a connection test answers at once. */
    ScimClient once() {
        return new ScimClient(settings, api.once());
    }

    ScimSettings settings() {
        return settings;
    }

    /** A request to the provider ({@code path} under the base URL); a 404 answers with that status, any other 4xx throws. */
    Response send(String method, String path, JsonNode body) {
        return send(method, path, body, null);
    }

    /**
     * A request with {@code If-Match: ifMatch} (when not null): a 412 means the resource changed since it was read.
     *
     * @throws ScimApiException  when the provider refuses the request (a 4xx but 404): the entry's own failure
     * @throws AccessRefused     on 401 (after one new token) and 403, or a refused token request
     * @throws SystemUnavailable when the provider does not answer, or answers 429 or 5xx after every attempt, or a
     *                           success whose body is not a JSON object
     */
    Response send(String method, String path, JsonNode body, String ifMatch) {
        String label = method + " " + path.replaceAll("\\?.*", "");
        Map<String, String> headers = new HashMap<>(4);
        headers.put("Accept", MEDIA);
        if (ifMatch != null) {
            headers.put("If-Match", ifMatch);
        }
        String sent = null;
        if (body != null) {
            headers.put("Content-Type", MEDIA);
            try {
                sent = JSON.writeValueAsString(body);
            } catch (IOException e) {
                throw new IllegalStateException("a JSON body that cannot be written: " + e.getMessage(), e);
            }
        }
        ApiClient.Answer answer = api.send(method, settings.baseUrl() + path, label, headers, sent);
        int status = answer.status();
        JsonNode parsed = answer.json(); // not JSON: the status says what there is to say
        if (status == 401 || status == 403) {
            // the credentials or their rights: every entry would fail alike, and no retry can help
            throw new AccessRefused("credentials refused: " + new ScimApiException(label + " on " + settings.baseUrl(), status, parsed).getMessage()
                    + " (check the credentials of connection '" + settings.name() + "')");
        }
        if (status >= 400 && status != 404) {
            throw new ScimApiException(label, status, parsed);
        }
        if (status < 300 && parsed != null && !parsed.isObject()) {
            throw new SystemUnavailable("SCIM " + label + " answered " + status + " with a body that is not a JSON object");
        }
        String etag = answer.headers().firstValue("ETag")
                .orElse(parsed == null ? null : parsed.path("meta").path("version").asText(null));
        return new Response(status, parsed, etag);
    }

    private static ApiClient.Credentials credentials(ScimSettings settings) {
        return switch (settings.auth()) {
            case BASIC -> ApiClient.Credentials.fixed("Basic " + Base64.getEncoder().encodeToString(
                    (settings.username() + ":" + settings.password()).getBytes(StandardCharsets.UTF_8)));
            case BEARER -> ApiClient.Credentials.fixed("Bearer " + settings.bearerToken());
            case CLIENT_CREDENTIALS, REFRESH_TOKEN -> new OAuthTokens(settings.tokenUrl(), settings.clientId(), settings.clientSecret(),
                    settings.tokenAuthBasic() ? OAuthTokens.ClientAuth.BASIC : OAuthTokens.ClientAuth.POST, settings.scope(),
                    settings.auth() == ScimSettings.Auth.REFRESH_TOKEN ? settings.refreshToken() : null,
                    "token request of client " + settings.clientId() + " for SCIM connection '" + settings.name() + "' at " + settings.tokenUrl(),
                    "check the credentials of connection '" + settings.name() + "'");
        };
    }

    boolean escapedEquality() {
        return escapedEquality;
    }

    void escapedEquality(boolean learnt) {
        escapedEquality = learnt;
    }

    ServiceProvider provider() {
        ServiceProvider known = provider;
        if (known == null) {
            Response config = send("GET", "/ServiceProviderConfig", null);
            JsonNode body = config.status() == 404 || config.body() == null ? JSON.createObjectNode() : config.body();
            known = new ServiceProvider(body.path("patch").path("supported").asBoolean(false) && !settings.putUpdates(),
                    body.path("filter").path("supported").asBoolean(true), body.path("filter").path("maxResults").asInt(200),
                    body.path("etag").path("supported").asBoolean(false));
            provider = known;
        }
        return known;
    }

    /** A filter's value: quoted, its quotes and backslashes escaped (RFC 7644 §3.4.2.2 compValue is a JSON string). */
    static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String encode(String value) {
        return OAuthTokens.encode(value);
    }
}

package io.idsync.connector.pingone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.idsync.connector.AccessRefused;
import io.idsync.connector.Paging;
import io.idsync.connector.SystemUnavailable;
import io.idsync.connector.TlsTrust;
import io.idsync.connector.http.ApiClient;
import io.idsync.connector.http.OAuthTokens;
import io.idsync.connector.http.OperationLimits;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The PingOne Platform API for one connection: requests go through the connection's {@link ApiClient} (its worker
 * token, limits and retries, and its client-side request rate); 4xx answers become {@link PingOneApiException}, 401 and
 * 403 {@link AccessRefused} (the worker application lacks a token or a role: every entry would fail alike).
 */
public final class PingOneClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A successful answer: the status and the parsed body (null for 204). */
    public record Response(int status, JsonNode body) {
    }

    private final PingOneSettings settings;
    private final ApiClient api;

    public PingOneClient(PingOneSettings settings) {
        this(settings, TlsTrust.jvm());
    }

    /** @param trust whom the connection trusts over TLS: its trust-store or ca-file, else the JVM's */
    public PingOneClient(PingOneSettings settings, TlsTrust trust) {
        this(settings, trust, OperationLimits.none("pingone", settings.name(), settings.responseTimeout()));
    }

    /** @param limits seed 002's per-operation timeouts and rate limits, and Maximum Connections */
    public PingOneClient(PingOneSettings settings, TlsTrust trust, OperationLimits limits) {
        this.settings = settings;
        OAuthTokens worker = new OAuthTokens(settings.authUrl(), settings.clientId(), settings.clientSecret(),
                settings.tokenAuthMethod() == PingOneSettings.TokenAuthMethod.BASIC ? OAuthTokens.ClientAuth.BASIC : OAuthTokens.ClientAuth.POST,
                null, settings.refreshToken(), "token request for client " + settings.clientId() + " of connection '" + settings.name() + "'",
                "check client-id, client-secret and the token endpoint auth method of connection '" + settings.name() + "'");
        this.api = new ApiClient(new ApiClient.Endpoint("pingone", "PingOne", settings.name(), settings.apiUrl(), settings.maxAttempts()),
                settings.connectTimeout(), settings.responseTimeout(), trust, limits, settings.requestsPerSecond(), worker,
                (status, body) -> errorCode(body));
    }

    public PingOneSettings settings() {
        return settings;
    }

    /** The environment's API base, e.g. {@code https://api.pingone.com/v1/environments/<env>}. */
    public String environmentUrl() {
        return settings.apiUrl().replaceAll("/+$", "") + "/environments/" + settings.environmentId();
    }

    public Response get(String pathOrUrl) {
        return send("GET", pathOrUrl, null, null);
    }

    /** GET that answers null for 404 instead of failing: "not there" is a normal answer for a read. */
    public JsonNode getOrNull(String pathOrUrl) {
        try {
            return get(pathOrUrl).body();
        } catch (PingOneApiException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
    }

    /**
     * One request to the environment ({@code pathOrUrl} under it, or a whole URL such as a next-page link).
     *
     * @param contentType the body's media type (JSON when null); with no body, an operation chosen by its media type
     * @throws PingOneApiException when PingOne refuses the request (4xx): the entry's own failure
     * @throws AccessRefused       on 401 (after one new token) and 403, or a refused token request
     * @throws SystemUnavailable   when PingOne does not answer, or answers 429 or 5xx after every attempt
     */
    public Response send(String method, String pathOrUrl, JsonNode body, String contentType) {
        String url = pathOrUrl.startsWith("http") ? pathOrUrl : environmentUrl() + pathOrUrl;
        String label = method + " " + pathOf(url);
        Map<String, String> headers = new HashMap<>(4);
        headers.put("Accept", "application/json");
        if (body != null || contentType != null) {
            headers.put("Content-Type", contentType == null ? "application/json" : contentType);
        }
        String sent;
        try {
            sent = body == null ? null : JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON body that cannot be written: " + e.getMessage(), e);
        }
        ApiClient.Answer answer = api.send(method, url, label, headers, sent);
        JsonNode parsed = parse(answer.body(), label, answer.status());
        if (answer.status() == 401 || answer.status() == 403) {
            throw new AccessRefused("credentials refused: " + new PingOneApiException(label, answer.status(), parsed).getMessage()
                    + " (check the worker application's roles for connection '" + settings.name() + "')");
        }
        if (answer.status() >= 400) {
            throw new PingOneApiException(label, answer.status(), parsed);
        }
        return new Response(answer.status(), parsed);
    }

    /** DELETE that succeeds when the resource is already gone: replaying a delete is harmless. */
    public void deleteIfPresent(String path) {
        try {
            send("DELETE", path, null, null);
        } catch (PingOneApiException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
    }

    /** {@code a eq "x" and b eq "y"}, each value escaped for a PingOne filter. */
    public static String equalityFilter(Map<String, String> criteria) {
        List<String> clauses = new ArrayList<>();
        criteria.forEach((path, value) -> clauses.add(path + " eq " + filterValue(value)));
        return String.join(" and ", clauses);
    }

    /** Follows {@code _links.next.href} page after page, yielding the items under {@code _embedded.<collection>}. */
    public Iterator<JsonNode> pages(String firstPath, String collection) {
        return Paging.pages(firstPath, url -> {
            JsonNode body = get(url).body();
            JsonNode items = body.path("_embedded").path(collection);
            if (!items.isArray()) {
                throw new SystemUnavailable("PingOne GET " + pathOf(url) + " answered a page without _embedded." + collection);
            }
            List<JsonNode> page = new ArrayList<>(items.size());
            items.forEach(page::add);
            JsonNode href = body.path("_links").path("next").path("href");
            return href.isTextual() ? Paging.Page.then(page, href.asText()) : Paging.Page.last(page);
        });
    }

    public static String encode(String value) {
        return OAuthTokens.encode(value);
    }

    /** A value inside a double-quoted PingOne filter string: backslash and quote are escaped. */
    public static String filterValue(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    // --- helpers -------------------------------------------------------------------------------------

    private static JsonNode parse(String body, String label, int status) {
        if (body == null || body.isBlank()) {
            return status == 204 ? null : JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            String sample = body.length() > 80 ? body.substring(0, 80) + "..." : body;
            throw new SystemUnavailable("PingOne " + label + " answered " + status + " with a body that is not JSON: " + sample.replaceAll("\\s+", " "));
        }
    }

    private static String errorCode(String body) {
        try {
            String code = JSON.readTree(body).path("code").asText("");
            return code.isEmpty() ? "" : " " + code;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String pathOf(String url) {
        try {
            return URI.create(url).getPath().replaceFirst("^.*/environments/[^/]+", "");
        } catch (RuntimeException e) {
            return url;
        }
    }
}

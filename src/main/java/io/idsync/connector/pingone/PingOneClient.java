package io.idsync.connector.pingone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.idsync.connector.Paging;
import io.idsync.connector.SystemUnavailable;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The PingOne Platform API client one connection shares: one cached worker token (renewed before it expires
 * and after a 401), a client-side request rate limit, and retries for 429 (waiting {@code Retry-After}),
 * 5xx, timeouts and unreadable answers. 4xx answers become {@link PingOneApiException}.
 * <p>
 * Written on the JDK HTTP client rather than camel-http because camel-http 4.16 caches OAuth tokens per
 * request URI (a token per user), cannot renew on 401 and does not read Retry-After.
 */
public final class PingOneClient {

    private static final Logger LOG = Logger.getLogger(PingOneClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(30);

    /** A successful answer: the status and the parsed body (null for 204). */
    public record Response(int status, JsonNode body) {
    }

    private final PingOneSettings settings;
    private final HttpClient http;
    private final ReentrantLock tokenLock = new ReentrantLock();
    private final RateLimiter rateLimiter;
    private final io.idsync.connector.OperationLimits limits;
    /** the newest refresh token (the refresh_token grant), held under the token lock */
    private String refreshToken;
    private volatile String token;
    private volatile Instant tokenExpiresAt = Instant.EPOCH;

    public PingOneClient(PingOneSettings settings) {
        this(settings, io.idsync.connector.TlsTrust.jvm());
    }

    /** @param trust whom the connection trusts over TLS: its trust-store or ca-file, else the JVM's */
    public PingOneClient(PingOneSettings settings, io.idsync.connector.TlsTrust trust) {
        this(settings, trust, io.idsync.connector.OperationLimits.none("pingone", settings.name(), settings.responseTimeout()));
    }

    /** @param limits seed 002's per-operation timeouts and rate limits, and Maximum Connections */
    public PingOneClient(PingOneSettings settings, io.idsync.connector.TlsTrust trust, io.idsync.connector.OperationLimits limits) {
        this.settings = settings;
        this.http = io.idsync.connector.HttpTransport.client(settings.connectTimeout(), trust);
        this.rateLimiter = new RateLimiter(settings.requestsPerSecond());
        this.limits = limits;
        this.refreshToken = settings.refreshToken();
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

    public Response send(String method, String pathOrUrl, JsonNode body, String contentType) {
        String url = pathOrUrl.startsWith("http") ? pathOrUrl : environmentUrl() + pathOrUrl;
        String label = method + " " + pathOf(url);
        boolean renewedToken = false;
        for (int attempt = 1; ; attempt++) {
            rateLimiter.acquire();
            io.idsync.connector.OperationLimits.Operation operation = io.idsync.connector.OperationLimits.Operation.of(method, url);
            HttpResponse<String> response;
            long started = System.nanoTime();
            try (io.idsync.connector.OperationLimits.Slot slot = limits.acquire(operation, label)) {
                started = System.nanoTime();
                HttpRequest.Builder request = io.idsync.connector.HttpTransport.request(URI.create(url))
                        .timeout(limits.timeout(operation))
                        .header("Authorization", "Bearer " + token())
                        .header("Accept", "application/json");
                if (body != null) {
                    request.header("Content-Type", contentType == null ? "application/json" : contentType);
                    request.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
                } else if (contentType != null) {
                    // an operation chosen by its media type with nothing to send (PingOne's account lock and unlock)
                    request.header("Content-Type", contentType);
                    request.method(method, HttpRequest.BodyPublishers.noBody());
                } else {
                    request.method(method, HttpRequest.BodyPublishers.noBody());
                }
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                io.idsync.connector.ConnectionMeters.request("pingone", settings.name(), method, "none", started);
                if (io.idsync.connector.HttpTransport.timedOut(e)) {
                    // the wait is over: say so now (the pipe shows it), and do not resend what the server may have applied
                    throw new SystemUnavailable("PingOne " + label + " on " + settings.apiUrl() + " did not answer within "
                            + io.idsync.connector.HttpTransport.seconds(limits.timeout(operation)) + " (operation-timeout." + operation.key() + ")");
                }
                if (attempt >= settings.maxAttempts() || io.idsync.connector.HttpTransport.refusedPeer(e)) {
                    throw new SystemUnavailable("PingOne " + label + " on " + settings.apiUrl() + " failed after " + attempt + " attempts: "
                            + io.idsync.connector.ConnectionCheck.noAnswer(e));
                }
                backoff(attempt, label, "no answer (" + e.getClass().getSimpleName() + ")");
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SystemUnavailable("PingOne " + label + " was interrupted");
            }
            int status = response.statusCode();
            io.idsync.connector.ConnectionMeters.request("pingone", settings.name(), method, Integer.toString(status), started);
            if (status == 401 && !renewedToken) {
                renewedToken = true;
                invalidateToken();
                continue;
            }
            if (status == 429 || status >= 500) {
                if (attempt >= settings.maxAttempts()) {
                    throw new SystemUnavailable("PingOne " + label + " answered " + status + " " + errorCode(response.body())
                            + " after " + attempt + " attempts");
                }
                if (status == 429) {
                    Duration wait = retryAfter(response);
                    LOG.debugf("PingOne %s: 429 REQUEST_LIMITED, waiting %d ms (Retry-After)", label, wait.toMillis());
                    sleep(wait);
                } else {
                    backoff(attempt, label, "status " + status);
                }
                continue;
            }
            JsonNode parsed = parse(response.body(), label, status);
            if (status == 401 || status == 403) {
                // the worker app lacks a token or a role: every entry would fail the same way, and no retry can help
                throw new io.idsync.connector.AccessRefused("credentials refused: " + new PingOneApiException(label, status, parsed).getMessage()
                        + " (check the worker application's roles for connection '" + settings.name() + "')");
            }
            if (status >= 400) {
                throw new PingOneApiException(label, status, parsed);
            }
            return new Response(status, parsed);
        }
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
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A value inside a double-quoted PingOne filter string: backslash and quote are escaped. */
    public static String filterValue(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    // --- token ---------------------------------------------------------------------------------------

    private String token() {
        String current = token;
        if (current != null && Instant.now().isBefore(tokenExpiresAt)) {
            return current;
        }
        tokenLock.lock();
        try {
            if (token != null && Instant.now().isBefore(tokenExpiresAt)) {
                return token;
            }
            fetchToken();
            return token;
        } finally {
            tokenLock.unlock();
        }
    }

    private void invalidateToken() {
        tokenLock.lock();
        try {
            token = null;
            tokenExpiresAt = Instant.EPOCH;
        } finally {
            tokenLock.unlock();
        }
    }

    private void fetchToken() {
        String form = refreshToken == null ? "grant_type=client_credentials" : "grant_type=refresh_token&refresh_token=" + encode(refreshToken);
        HttpRequest.Builder request = io.idsync.connector.HttpTransport.request(URI.create(settings.authUrl()))
                .timeout(settings.responseTimeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json");
        if (settings.tokenAuthMethod() == PingOneSettings.TokenAuthMethod.BASIC) {
            String credentials = encode(settings.clientId()) + ":" + encode(settings.clientSecret());
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        } else {
            form += "&client_id=" + encode(settings.clientId()) + "&client_secret=" + encode(settings.clientSecret());
        }
        String label = "token request for client " + settings.clientId() + " of connection '" + settings.name() + "'";
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response;
            try {
                response = http.send(request.POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (attempt >= settings.maxAttempts()) {
                    throw new SystemUnavailable("PingOne " + label + " failed: " + e.getClass().getSimpleName());
                }
                backoff(attempt, label, e.getClass().getSimpleName());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SystemUnavailable("PingOne " + label + " was interrupted");
            }
            if (response.statusCode() == 429 || response.statusCode() >= 500) {
                if (attempt >= settings.maxAttempts()) {
                    throw new SystemUnavailable("PingOne " + label + " answered " + response.statusCode());
                }
                backoff(attempt, label, "status " + response.statusCode());
                continue;
            }
            JsonNode body = parse(response.body(), label, response.statusCode());
            if (response.statusCode() != 200 || !body.hasNonNull("access_token")) {
                // credentials refused: no retry can help until someone fixes them (and each would cost a token request)
                throw new io.idsync.connector.AccessRefused("credentials refused: PingOne refused the " + label + ": " + response.statusCode() + " "
                        + body.path("error").asText("") + " " + body.path("error_description").asText("")
                        + " (check client-id, client-secret and the token endpoint auth method of connection '" + settings.name() + "')");
            }
            long lifetime = body.path("expires_in").asLong(3600);
            token = body.get("access_token").asText();
            if (refreshToken != null && body.hasNonNull("refresh_token")) {
                refreshToken = body.get("refresh_token").asText(); // a rolling refresh token: the one just used is spent
            }
            // renew a minute early (or at half-life for short tokens) so no request carries an expiring token
            tokenExpiresAt = Instant.now().plusSeconds(Math.max(1, Math.min(lifetime - 60, lifetime / 2)));
            return;
        }
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
            return JSON.readTree(body).path("code").asText("");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    static Duration retryAfter(HttpResponse<?> response) {
        String header = response.headers().firstValue("Retry-After").orElse(null);
        Duration wait = Duration.ofSeconds(1);
        if (header != null) {
            try {
                wait = Duration.ofSeconds(Long.parseLong(header.trim()));
            } catch (NumberFormatException e) {
                try {
                    wait = Duration.between(Instant.now(), ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                } catch (RuntimeException ignored) {
                    // unreadable header: keep the default
                }
            }
        }
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
    }

    private static void backoff(int attempt, String label, String why) {
        long millis = Math.min(5000, 200L << Math.min(attempt - 1, 5));
        LOG.debugf("PingOne %s: %s, retrying in %d ms", label, why, millis);
        sleep(Duration.ofMillis(millis));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SystemUnavailable("interrupted while waiting to retry");
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

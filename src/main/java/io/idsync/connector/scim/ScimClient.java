package io.idsync.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.idsync.connector.SystemUnavailable;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Talks to one SCIM service provider: authenticates as the connection says (a token cached until shortly before
 * it expires, and renewed once on a 401), retries 429 (after its {@code Retry-After}) and 5xx with backoff, and turns
 * error bodies into failures that say what the provider said. No secret is ever part of a message.
 */
final class ScimClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String MEDIA = "application/scim+json";

    private final ScimSettings settings;
    private final int maxAttempts;
    private final HttpClient http;
    private final io.idsync.connector.TlsTrust trust;
    private volatile String token;
    private volatile Instant tokenExpiresAt = Instant.EPOCH;
    private volatile ServiceProvider provider;
    private final io.idsync.connector.OperationLimits limits;
    /** the newest refresh token (auth=oauth-refresh-token): a rolling one is replaced by the answer that spends it */
    private volatile String refreshToken;
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
        this(settings, io.idsync.connector.TlsTrust.jvm());
    }

    /** @param trust whom the connection trusts over TLS: its trust-store or ca-file, else the JVM's */
    ScimClient(ScimSettings settings, io.idsync.connector.TlsTrust trust) {
        this(settings, trust, io.idsync.connector.OperationLimits.none("scim", settings.name(), settings.responseTimeout()));
    }

    /** @param limits seed 002's per-operation timeouts and rate limits, and Maximum Connections */
    ScimClient(ScimSettings settings, io.idsync.connector.TlsTrust trust, io.idsync.connector.OperationLimits limits) {
        this(settings, settings.maxAttempts(), trust, limits);
    }

    private ScimClient(ScimSettings settings, int maxAttempts, io.idsync.connector.TlsTrust trust, io.idsync.connector.OperationLimits limits) {
        this.settings = settings;
        this.maxAttempts = maxAttempts;
        this.trust = trust;
        this.limits = limits;
        this.refreshToken = settings.refreshToken();
        this.http = io.idsync.connector.HttpTransport.client(settings.connectTimeout(), trust);
    }

    /** The same provider and credentials, each request tried once: a connection test answers at once. */
    ScimClient once() {
        return new ScimClient(settings, 1, trust, limits);
    }

    ScimSettings settings() {
        return settings;
    }

    /** A request to the provider ({@code path} under the base URL); a 404 answers with that status, any other 4xx throws. */
    Response send(String method, String path, JsonNode body) {
        return send(method, path, body, null);
    }

    /** A request with {@code If-Match: ifMatch} (when not null): a 412 means the resource changed since it was read. */
    Response send(String method, String path, JsonNode body, String ifMatch) {
        String url = settings.baseUrl() + path;
        String label = method + " " + path.replaceAll("\\?.*", "");
        boolean renewed = false;
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response;
            io.idsync.connector.OperationLimits.Operation operation = io.idsync.connector.OperationLimits.Operation.of(method, path);
            long started = System.nanoTime();
            try (io.idsync.connector.OperationLimits.Slot slot = limits.acquire(operation, label)) {
                started = System.nanoTime();
                HttpRequest.Builder request = io.idsync.connector.HttpTransport.request(URI.create(url)).timeout(limits.timeout(operation))
                        .header("Authorization", authorization()).header("Accept", MEDIA);
                if (ifMatch != null) {
                    request.header("If-Match", ifMatch);
                }
                if (body != null) {
                    request.header("Content-Type", MEDIA).method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
                } else {
                    request.method(method, HttpRequest.BodyPublishers.noBody());
                }
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                io.idsync.connector.ConnectionMeters.request("scim", settings.name(), method, "none", started);
                if (io.idsync.connector.HttpTransport.timedOut(e)) {
                    // the wait is over: say so now (the pipe shows it), and do not resend what the provider may have applied
                    throw new SystemUnavailable("SCIM " + label + " on " + settings.baseUrl() + " did not answer within "
                            + io.idsync.connector.HttpTransport.seconds(limits.timeout(operation)) + " (operation-timeout." + operation.key() + ")");
                }
                if (attempt >= maxAttempts || io.idsync.connector.HttpTransport.refusedPeer(e)) {
                    throw new SystemUnavailable("SCIM " + label + " on " + settings.baseUrl() + " got no answer after " + attempt + " attempts: "
                            + io.idsync.connector.ConnectionCheck.noAnswer(e));
                }
                pause(Duration.ofMillis(200L << Math.min(attempt, 6)));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SystemUnavailable("SCIM " + label + " was interrupted");
            }
            int status = response.statusCode();
            io.idsync.connector.ConnectionMeters.request("scim", settings.name(), method, Integer.toString(status), started);
            if (status == 401 && !renewed && settings.auth() != ScimSettings.Auth.BASIC && settings.auth() != ScimSettings.Auth.BEARER) {
                renewed = true;
                token = null;
                continue;
            }
            if (status == 429 || status >= 500) {
                if (attempt >= maxAttempts) {
                    throw new SystemUnavailable(new ScimApiException(label + " on " + settings.baseUrl(), status, parse(response.body())).getMessage()
                            + " after " + attempt + " attempts");
                }
                pause(status == 429 ? retryAfter(response) : Duration.ofMillis(200L << Math.min(attempt, 6)));
                continue;
            }
            JsonNode parsed = parse(response.body());
            if (status == 401 || status == 403) {
                // the credentials or their rights: every entry would fail alike, and no retry can help
                throw new io.idsync.connector.AccessRefused("credentials refused: " + new ScimApiException(label + " on " + settings.baseUrl(), status, parsed).getMessage()
                        + " (check the credentials of connection '" + settings.name() + "')");
            }
            if (status >= 400 && status != 404) {
                throw new ScimApiException(label, status, parsed);
            }
            if (status < 300 && parsed != null && !parsed.isObject()) {
                throw new SystemUnavailable("SCIM " + label + " answered " + status + " with a body that is not a JSON object");
            }
            String etag = response.headers().firstValue("ETag")
                    .orElse(parsed == null ? null : parsed.path("meta").path("version").asText(null));
            return new Response(status, parsed, etag);
        }
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
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private String authorization() {
        return switch (settings.auth()) {
            case BASIC -> "Basic " + Base64.getEncoder().encodeToString((settings.username() + ":" + settings.password()).getBytes(StandardCharsets.UTF_8));
            case BEARER -> "Bearer " + settings.bearerToken();
            case CLIENT_CREDENTIALS, REFRESH_TOKEN -> "Bearer " + token();
        };
    }

    private synchronized String token() {
        if (token != null && Instant.now().isBefore(tokenExpiresAt)) {
            return token;
        }
        StringBuilder form = new StringBuilder(settings.auth() == ScimSettings.Auth.REFRESH_TOKEN
                ? "grant_type=refresh_token&refresh_token=" + encode(refreshToken) : "grant_type=client_credentials");
        if (settings.scope() != null) {
            form.append("&scope=").append(encode(settings.scope()));
        }
        HttpRequest.Builder request = io.idsync.connector.HttpTransport.request(URI.create(settings.tokenUrl())).timeout(settings.responseTimeout())
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json");
        if (settings.tokenAuthBasic()) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (encode(settings.clientId()) + ":" + encode(settings.clientSecret())).getBytes(StandardCharsets.UTF_8)));
        } else {
            form.append("&client_id=").append(encode(settings.clientId())).append("&client_secret=").append(encode(settings.clientSecret()));
        }
        String label = "token request of client " + settings.clientId() + " for SCIM connection '" + settings.name() + "' at " + settings.tokenUrl();
        try {
            HttpResponse<String> response = http.send(request.POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = parse(response.body());
            if (response.statusCode() == 429 || response.statusCode() >= 500) {
                throw new SystemUnavailable(label + " answered " + response.statusCode());
            }
            if (response.statusCode() != 200 || body == null || !body.hasNonNull("access_token")) {
                // credentials refused: no retry can help until someone fixes them
                throw new io.idsync.connector.AccessRefused("credentials refused: " + label + " answered " + response.statusCode()
                        + (body == null ? "" : " " + body.path("error").asText("") + " " + body.path("error_description").asText("")).stripTrailing());
            }
            long lifetime = body.path("expires_in").asLong(3600);
            token = body.get("access_token").asText();
            if (settings.auth() == ScimSettings.Auth.REFRESH_TOKEN && body.hasNonNull("refresh_token")) {
                refreshToken = body.get("refresh_token").asText(); // a rolling refresh token: the one just used is spent
            }
            tokenExpiresAt = Instant.now().plusSeconds(Math.max(1, Math.min(lifetime - 60, lifetime / 2)));
            return token;
        } catch (IOException e) {
            throw new SystemUnavailable(label + " got no answer: " + io.idsync.connector.ConnectionCheck.noAnswer(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SystemUnavailable(label + " was interrupted");
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null; // not JSON: the status says what there is to say
        }
    }

    private static Duration retryAfter(HttpResponse<String> response) {
        try {
            return Duration.ofSeconds(Math.min(60, Long.parseLong(response.headers().firstValue("Retry-After").orElse("1").trim())));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(1);
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SystemUnavailable("interrupted while waiting to retry");
        }
    }
}

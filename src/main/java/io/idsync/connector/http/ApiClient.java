package io.idsync.connector.http;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.idsync.connector.ConnectionCheck;
import io.idsync.connector.ConnectionMeters;
import io.idsync.connector.SystemUnavailable;
import io.idsync.connector.TlsTrust;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The one request loop of the HTTP connectors (PingOne, SCIM), and the only retry layer of idsync: the connection's
 * limits (seed 002: a slot and a timeout per operation, Maximum Connections), its credentials (a cached token renewed
 * once after a 401), retries of 429 (after its {@code Retry-After}), 5xx and requests that got no answer, with
 * backoff, up to {@code max-attempts}, and the request meter. A request whose answer did not come within its timeout
 * is not sent again (the system may have applied it). What an answer means (an entry refused, credentials refused) is
 * the connector's to say: {@link #send} returns every other answer as it came.
 * <p>
 * Written on the JDK HTTP client rather than camel-http because camel-http 4.16 caches OAuth tokens per request URI
 * (a token per user), cannot renew on 401 and does not read {@code Retry-After}.
 */
public final class ApiClient {

    private static final Logger LOG = Logger.getLogger(ApiClient.class);
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(30);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** Who the client talks to: the connector kind and system as messages name them, the connection, its base URL. */
    public record Endpoint(String kind, String system, String connection, String base, int maxAttempts) {
    }

    /** An answer to interpret: any status but a 429 or a 5xx (those are retried, then thrown), after at most one renewal. */
    public record Answer(int status, String body, HttpHeaders headers) {

        public boolean ok() {
            return status < 400;
        }

        /** The body as JSON, or null when it is none (empty, or an error page). */
        public com.fasterxml.jackson.databind.JsonNode json() {
            return json(body);
        }

        /** {@code body} as JSON, or null when it is none. */
        public static com.fasterxml.jackson.databind.JsonNode json(String body) {
            if (body == null || body.isBlank()) {
                return null;
            }
            try {
                return JSON.readTree(body);
            } catch (java.io.IOException e) {
                return null;
            }
        }
    }

    /** The {@code Authorization} a request carries. */
    public interface Credentials {

        /** None: a token request, or a system without authentication. */
        Credentials NONE = new Credentials() {
            @Override
            public String authorization(ApiClient client) {
                return null;
            }

            @Override
            public boolean renew() {
                return false;
            }
        };

        /** A fixed header value (basic, a bearer token): nothing to renew. */
        static Credentials fixed(String authorization) {
            return new Credentials() {
                @Override
                public String authorization(ApiClient client) {
                    return authorization;
                }

                @Override
                public boolean renew() {
                    return false;
                }
            };
        }

        /**
         * The header value for the next request; a token is fetched through {@code client} when none is cached.
         *
         * @throws io.idsync.connector.AccessRefused when the token endpoint refuses the credentials
         * @throws SystemUnavailable when the token endpoint does not answer
         */
        String authorization(ApiClient client);

        /** After a 401: forget the cached token, and say whether a new one may help (false for fixed credentials). */
        boolean renew();
    }

    /** Says what an error answer's body holds ({@code 503 LIMIT_EXCEEDED}): the tail of an exhausted retry's message. */
    public interface ErrorText {
        String of(int status, String body);
    }

    private final Endpoint endpoint;
    private final HttpClient http;
    private final OperationLimits limits;
    private final Credentials credentials;
    private final ErrorText errorText;
    private final RateLimiter pace;
    private final Duration responseTimeout;

    /**
     * @param trust            whom the connection trusts over TLS (host names are checked: {@link HttpTransport})
     * @param limits           seed 002's per-operation timeouts and rate limits
     * @param requestsPerSecond requests spaced evenly to at most this many a second (0: no limit)
     */
    public ApiClient(Endpoint endpoint, Duration connectTimeout, Duration responseTimeout, TlsTrust trust, OperationLimits limits,
                     int requestsPerSecond, Credentials credentials, ErrorText errorText) {
        this(endpoint, HttpTransport.client(connectTimeout, trust), responseTimeout, limits, requestsPerSecond, credentials, errorText);
    }

    private ApiClient(Endpoint endpoint, HttpClient http, Duration responseTimeout, OperationLimits limits, int requestsPerSecond,
                      Credentials credentials, ErrorText errorText) {
        this.endpoint = endpoint;
        this.http = http;
        this.responseTimeout = responseTimeout;
        this.limits = limits;
        this.credentials = credentials;
        this.errorText = errorText;
        this.pace = requestsPerSecond <= 0 ? null : RateLimiter.of(endpoint.connection() + "-pace", RateLimiterConfig.custom()
                .limitForPeriod(1).limitRefreshPeriod(Duration.ofNanos(1_000_000_000L / requestsPerSecond))
                .timeoutDuration(Duration.ofDays(1)).build());
    }

    /** The same system, connection and credentials, each request tried once: a connection test answers at once. */
    public ApiClient once() {
        Endpoint single = new Endpoint(endpoint.kind(), endpoint.system(), endpoint.connection(), endpoint.base(), 1);
        return new ApiClient(single, http, responseTimeout, limits, 0, credentials, errorText);
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /**
     * Sends one request, with the connection's credentials, limits and retries.
     *
     * @param label   the request as messages name it ({@code GET /users})
     * @param headers headers beside {@code Authorization}; a {@code Content-Type} without a body is sent as such
     * @param body    the body, or null
     * @return the answer, unless it was a 429 or a 5xx
     * @throws SystemUnavailable when no answer came within the operation's timeout, or none that is not a 429 or a 5xx
     *                           within {@code max-attempts}, or no slot within the rate limit's wait
     * @throws io.idsync.connector.AccessRefused when the credentials' token request was refused
     */
    public Answer send(String method, String url, String label, Map<String, String> headers, String body) {
        OperationLimits.Operation operation = OperationLimits.Operation.of(method, url);
        boolean renewed = false;
        for (int attempt = 1; ; attempt++) {
            if (pace != null) {
                pace.acquirePermission();
            }
            String authorization = credentials.authorization(this);
            HttpResponse<String> response;
            long started = System.nanoTime();
            try (OperationLimits.Slot slot = limits.acquire(operation, label)) {
                started = System.nanoTime();
                response = http.send(request(method, url, headers, body, authorization, limits.timeout(operation)), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                ConnectionMeters.request(endpoint.kind(), endpoint.connection(), method, "none", started);
                if (HttpTransport.timedOut(e)) {
                    // the wait is over: say so now (the pipe shows it), and do not resend what the system may have applied
                    throw new SystemUnavailable(endpoint.system() + " " + label + " on " + endpoint.base() + " did not answer within "
                            + HttpTransport.seconds(limits.timeout(operation)) + " (operation-timeout." + operation.key() + ")");
                }
                if (attempt >= endpoint.maxAttempts() || HttpTransport.refusedPeer(e)) {
                    throw new SystemUnavailable(endpoint.system() + " " + label + " on " + endpoint.base() + " got no answer after "
                            + attempt + " attempts: " + ConnectionCheck.noAnswer(e));
                }
                backoff(attempt, label, "no answer (" + e.getClass().getSimpleName() + ")");
                continue;
            } catch (InterruptedException e) {
                throw interrupted(label);
            }
            int status = response.statusCode();
            ConnectionMeters.request(endpoint.kind(), endpoint.connection(), method, Integer.toString(status), started);
            if (status == 401 && !renewed && credentials.renew()) {
                renewed = true; // an expired or revoked token: one new one, and the request again
                attempt--;
                continue;
            }
            if (status == 429 || status >= 500) {
                retryOrThrow(attempt, label, response);
                continue;
            }
            return new Answer(status, response.body(), response.headers());
        }
    }

    /**
     * Posts a form to a token endpoint, with the retries of {@link #send} but none of the connection's limits: a token
     * request is not one of seed 002's operations.
     *
     * @throws SystemUnavailable when no answer came, or none but 429 and 5xx within {@code max-attempts}
     */
    public Answer postForm(String url, String label, String authorization, String form) {
        for (int attempt = 1; ; attempt++) {
            HttpResponse<String> response;
            try {
                Map<String, String> headers = authorization == null
                        ? Map.of("Content-Type", "application/x-www-form-urlencoded", "Accept", "application/json")
                        : Map.of("Content-Type", "application/x-www-form-urlencoded", "Accept", "application/json", "Authorization", authorization);
                response = http.send(request("POST", url, headers, form, null, responseTimeout), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (attempt >= endpoint.maxAttempts() || HttpTransport.timedOut(e) || HttpTransport.refusedPeer(e)) {
                    throw new SystemUnavailable(endpoint.system() + " " + label + " got no answer: " + ConnectionCheck.noAnswer(e));
                }
                backoff(attempt, label, e.getClass().getSimpleName());
                continue;
            } catch (InterruptedException e) {
                throw interrupted(label);
            }
            if (response.statusCode() == 429 || response.statusCode() >= 500) {
                retryOrThrow(attempt, label, response);
                continue;
            }
            return new Answer(response.statusCode(), response.body(), response.headers());
        }
    }

    private void retryOrThrow(int attempt, String label, HttpResponse<String> response) {
        int status = response.statusCode();
        if (attempt >= endpoint.maxAttempts()) {
            throw new SystemUnavailable(endpoint.system() + " " + label + " on " + endpoint.base() + " answered " + status
                    + errorText.of(status, response.body()) + " after " + attempt + " attempts");
        }
        if (status == 429) {
            Duration wait = retryAfter(response.headers());
            LOG.debugf("%s %s: 429, waiting %d ms (Retry-After)", endpoint.system(), label, wait.toMillis());
            sleep(wait, label);
        } else {
            backoff(attempt, label, "status " + status);
        }
    }

    private static HttpRequest request(String method, String url, Map<String, String> headers, String body, String authorization, Duration timeout) {
        HttpRequest.Builder request = HttpTransport.request(URI.create(url)).timeout(timeout);
        headers.forEach(request::header);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        // a Content-Type without a body is an operation chosen by its media type (PingOne's account lock and unlock)
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return request.build();
    }

    /** How long a 429 asks to wait: {@code Retry-After} in seconds or as an HTTP date, 1 s without one, at most 30 s. */
    static Duration retryAfter(HttpHeaders headers) {
        String header = headers.firstValue("Retry-After").orElse(null);
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

    private void backoff(int attempt, String label, String why) {
        long millis = Math.min(5000, 200L << Math.min(attempt - 1, 5));
        LOG.debugf("%s %s: %s, retrying in %d ms", endpoint.system(), label, why, millis);
        sleep(Duration.ofMillis(millis), label);
    }

    private SystemUnavailable interrupted(String label) {
        Thread.currentThread().interrupt();
        return new SystemUnavailable(endpoint.system() + " " + label + " was interrupted");
    }

    private void sleep(Duration duration, String label) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            throw interrupted(label);
        }
    }
}

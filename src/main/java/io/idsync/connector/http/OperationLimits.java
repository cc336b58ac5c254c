package io.idsync.connector.http;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

import io.idsync.connector.Settings;
import io.idsync.connector.SystemUnavailable;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Seed 002's connection settings for an HTTP connection (PingOne, SCIM), per operation ({@code create}, {@code update},
 * {@code delete}, {@code get}, {@code search}, {@code test}):
 * <pre>
 * max-connections                          Maximum Connections: requests in flight at once (0: no limit)
 * operation-timeout.&lt;operation&gt;           Operation Timeouts: how long one request may take (default: response-timeout)
 * rate-limit.&lt;operation&gt;.request-limit     Operation Rate Limits: at most this many requests (0: no limit)
 * rate-limit.&lt;operation&gt;.request-period    ... per this period (1s)
 * rate-limit.&lt;operation&gt;.request-timeout   ... and a request that gets no slot (nor a connection) within this (30s)
 *                                          fails, transiently, saying so
 * </pre>
 * On resilience4j's rate limiter and bulkhead. The time each request waited for a slot is metered as
 * {@code idsync_connection_limit_wait_seconds{kind,connection,operation}}.
 */
public final class OperationLimits {

    /** What a request does, as seed 002 names the operations. */
    public enum Operation {
        CREATE, UPDATE, DELETE, GET, SEARCH, TEST;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The operation an HTTP request is: every request of a connection test is {@code test}; otherwise POST creates,
         * PUT and PATCH update, a GET of a list (a filter, a page, a size) searches, a GET of one resource gets.
         */
        public static Operation of(String method, String path) {
            if (TESTING.get()) {
                return TEST;
            }
            return switch (method.toUpperCase(Locale.ROOT)) {
                case "POST" -> path.contains("/.search") ? SEARCH : CREATE;
                case "PUT", "PATCH" -> UPDATE;
                case "DELETE" -> DELETE;
                // a list: a filter, a page, a size; one resource read with options (?include=...) is still a get
                default -> LIST_QUERY.matcher(path).find() ? SEARCH : GET;
            };
        }
    }

    private static final java.util.regex.Pattern LIST_QUERY = java.util.regex.Pattern.compile("[?&](filter|cursor|limit|count|startIndex)=");

    private static final ThreadLocal<Boolean> TESTING = ThreadLocal.withInitial(() -> false);

    /** Runs a connection test: its requests are the {@code test} operation, with that operation's limits and timeout. */
    public static <T> T asTest(java.util.function.Supplier<T> test) {
        TESTING.set(true);
        try {
            return test.get();
        } finally {
            TESTING.set(false);
        }
    }

    /** A slot held for one request: give it back when the answer is in. */
    public interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    private static final Slot FREE = () -> {
    };

    private final String kind;
    private final String connection;
    private final Bulkhead connections;
    private final Map<Operation, RateLimiter> rates = new EnumMap<>(Operation.class);
    private final Map<Operation, Duration> timeouts = new EnumMap<>(Operation.class);
    private final Map<Operation, Duration> waits = new EnumMap<>(Operation.class);
    private final Map<Operation, String> rateText = new EnumMap<>(Operation.class);

    /** No limit, each request taking up to {@code responseTimeout}. */
    public static OperationLimits none(String kind, String connection, Duration responseTimeout) {
        return new OperationLimits(kind, connection, new Settings("none.", key -> java.util.Optional.empty()), responseTimeout);
    }

    /**
     * The connection's limits.
     *
     * @throws Settings.Invalid naming the key of a value that is not a number or a duration, or is negative
     */
    public static OperationLimits of(String kind, Settings connection, Duration responseTimeout) {
        return new OperationLimits(kind, connection.name(), connection, responseTimeout);
    }

    private OperationLimits(String kind, String connection, Settings settings, Duration responseTimeout) {
        this.kind = kind;
        this.connection = connection;
        int maxConnections = nonNegative(settings, "max-connections");
        Duration longestWait = Duration.ZERO;
        for (Operation operation : Operation.values()) {
            String rate = "rate-limit." + operation.key() + ".";
            Duration wait = settings.duration(rate + "request-timeout", "30s");
            waits.put(operation, wait);
            longestWait = wait.compareTo(longestWait) > 0 ? wait : longestWait;
            timeouts.put(operation, settings.duration("operation-timeout." + operation.key(), responseTimeout.toMillis() + "ms"));
            int limit = nonNegative(settings, rate + "request-limit");
            if (limit > 0) {
                Duration period = settings.duration(rate + "request-period", "1s");
                rates.put(operation, RateLimiter.of(connection + "-" + operation.key(), RateLimiterConfig.custom()
                        .limitForPeriod(limit).limitRefreshPeriod(period).timeoutDuration(wait).build()));
                rateText.put(operation, limit + " per " + period.toMillis() + " ms");
            }
        }
        this.connections = maxConnections == 0 ? null : Bulkhead.of(connection, BulkheadConfig.custom()
                .maxConcurrentCalls(maxConnections).maxWaitDuration(longestWait).fairCallHandlingStrategyEnabled(true).build());
    }

    private static int nonNegative(Settings settings, String key) {
        int value = settings.integer(key, 0);
        if (value < 0) {
            throw new Settings.Invalid(settings.prefix() + key + " is " + value + ": 0 (no limit) or more");
        }
        return value;
    }

    /** How long one request of this operation may take. */
    public Duration timeout(Operation operation) {
        return timeouts.get(operation);
    }

    /**
     * Waits for a rate-limit slot and a connection for one request of {@code operation}.
     *
     * @param label the request, for the failure ("POST /users")
     * @throws SystemUnavailable when none came within the operation's request-timeout: the entry fails and is retried
     */
    public Slot acquire(Operation operation, String label) {
        long started = System.nanoTime();
        try {
            RateLimiter rate = rates.get(operation);
            if (rate != null && !rate.acquirePermission()) {
                throw new SystemUnavailable(kind + " connection '" + connection + "': " + label + " got no " + operation.key() + " slot within "
                        + HttpTransport.seconds(waits.get(operation)) + " (rate-limit." + operation.key() + ": " + rateText.get(operation) + ")");
            }
            if (connections == null) {
                return FREE;
            }
            if (!connections.tryAcquirePermission()) {
                throw new SystemUnavailable(kind + " connection '" + connection + "': " + label + " got no connection within "
                        + HttpTransport.seconds(connections.getBulkheadConfig().getMaxWaitDuration()) + " (max-connections "
                        + connections.getBulkheadConfig().getMaxConcurrentCalls() + ")");
            }
            return connections::onComplete;
        } finally {
            if (rates.containsKey(operation) || connections != null) {
                Timer.builder("idsync.connection.limit.wait").tags("kind", kind, "connection", connection, "operation", operation.key())
                        .description("how long requests waited for a rate-limit slot or a connection").register(Metrics.globalRegistry)
                        .record(Duration.ofNanos(System.nanoTime() - started));
            }
        }
    }
}

package io.idsync.connector;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * Requests a connection makes, metered as {@code idsync_connection_requests_seconds{kind,connection,method,status}}
 * (a count and the latencies; status 429 is a throttled request, status "none" one that got no answer, each retried
 * request counted again). Recorded in Micrometer's global registry, where the application's Prometheus registry is
 * (outside the application, in a route test, nothing is kept).
 */
public final class ConnectionMeters {

    private ConnectionMeters() {
    }

    public static void request(String kind, String connection, String method, String status, long startedNanos) {
        Timer.builder("idsync.connection.requests").tags("kind", kind, "connection", connection, "method", method, "status", status)
                .description("requests to the connection's system").register(Metrics.globalRegistry)
                .record(Duration.ofNanos(System.nanoTime() - startedNanos));
    }
}

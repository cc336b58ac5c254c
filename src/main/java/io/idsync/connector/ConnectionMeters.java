package io.idsync.connector;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * Requests a connection makes, metered as {@code idsync_connection_requests_seconds{kind,connection,method,status}}
 * (a count and the latencies). HTTP kinds: the method and the status (429 a throttled request, "none" one that got
 * no answer; each retried request counted again). LDAP: a write (CREATE, MODIFY, DELETE), "success" or "failed". Recorded in Micrometer's global registry, where the application's Prometheus registry is
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

    /**
     * A change a source reported that idsync cannot map to an entry (a delete whose changelog entry names no id, say),
     * counted as {@code idsync_changes_unmapped_total{kind,connection,operation}}; the caller logs a WARN saying which
     * change and what takes care of it. Never silence.
     */
    public static void unmapped(String kind, String connection, String operation) {
        io.micrometer.core.instrument.Counter.builder("idsync.changes.unmapped").tags("kind", kind, "connection", connection, "operation", operation)
                .description("changes a source reported that could not be mapped to an entry").register(Metrics.globalRegistry).increment();
    }
}

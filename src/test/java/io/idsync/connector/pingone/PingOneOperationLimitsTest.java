package io.idsync.connector.pingone;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.http.OperationLimits;
import io.idsync.connector.Settings;
import io.idsync.connector.SystemUnavailable;
import io.idsync.sandbox.DemoSeed;
import io.idsync.sandbox.PingOneSandbox;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seed 002's connection settings on a PingOne connection, as a deployment writes them, against the sandbox: an
 * Operation Rate Limit on creates (request-limit over request-period) holds 500 creates from 8 workers to it, none
 * failing, the waits metered; an Operation Timeout shorter than the sandbox's answers fails that operation, naming the
 * timeout, while the others (default timeout) go through.
 */
class PingOneOperationLimitsTest {

    private static final int CREATES = 500;
    // seed 002's acceptance as the issue states it: 500 creates at 5 a second (about 100 s)
    private static final int PER_SECOND = 5;

    private PingOneSandbox sandbox;
    private SimpleMeterRegistry meters;

    @BeforeEach
    void start() throws Exception {
        sandbox = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 1000, Duration.ZERO)).start();
        DemoSeed.seed(sandbox, "worker", "s3cr3t-value", 0, 0);
        meters = new SimpleMeterRegistry();
        Metrics.addRegistry(meters);
    }

    @AfterEach
    void stop() {
        Metrics.removeRegistry(meters);
        sandbox.close();
    }

    /** The client PingOneKind opens from these keys (idsync.connections.limited.*). */
    private PingOneClient client(Map<String, String> keys) {
        Map<String, String> all = new java.util.HashMap<>(Map.of("type", "pingone", "api-url", sandbox.baseUrl() + "/v1",
                "auth-url", sandbox.baseUrl() + "/demo-env/as/token", "environment-id", "demo-env", "client-id", "worker", "client-secret", "s3cr3t-value"));
        all.putAll(keys);
        Settings connection = new Settings("idsync.connections.limited.", key -> Optional.ofNullable(all.get(key.substring("idsync.connections.limited.".length()))));
        assertEquals(List.of(), new PingOneKind().problems(connection), "the keys are valid");
        PingOneSettings settings = PingOneKind.settings("limited", connection);
        return new PingOneClient(settings, io.idsync.connector.TlsTrust.jvm(), OperationLimits.of("pingone", connection, settings.responseTimeout()));
    }

    @Test
    void createsAreHeldToTheirRateLimitAndNoneFails() throws Exception {
        PingOneClient client = client(Map.of("rate-limit.create.request-limit", Integer.toString(PER_SECOND), "rate-limit.create.request-period", "1s",
                "rate-limit.create.request-timeout", "60s"));
        String population = client.get("/populations?filter=" + PingOneClient.encode("name eq \"Employees\"")).body()
                .path("_embedded").path("populations").get(0).path("id").asText();
        sandbox.clearRequests();
        ExecutorService workers = Executors.newFixedThreadPool(8);
        List<Future<?>> creates = new ArrayList<>();
        for (int i = 0; i < CREATES; i++) {
            int n = i;
            creates.add(workers.submit(() -> {
                ObjectNode user = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("username", "limited" + n).put("email", "limited" + n + "@example.com");
                user.putObject("population").put("id", population);
                return client.send("POST", "/users", user, null);
            }));
        }
        for (Future<?> create : creates) {
            create.get(120, TimeUnit.SECONDS); // a failed create throws here
        }
        workers.shutdown();
        List<PingOneSandbox.Request> posts = sandbox.requests().stream().filter(r -> r.method().equals("POST") && r.path().endsWith("/users")).toList();
        assertEquals(CREATES, posts.stream().filter(r -> r.status() == 201).count(), "every create went through");
        double seconds = Duration.between(posts.get(0).at(), posts.get(posts.size() - 1).at()).toNanos() / 1e9;
        double rate = (CREATES - PER_SECOND) / seconds; // the first period's creates go at once
        System.out.printf(java.util.Locale.ROOT, "creates limited to %d/s: %d in %.1f s, %.1f/s after the first period%n", PER_SECOND, CREATES, seconds, rate);
        assertTrue(rate <= PER_SECOND * 1.1, rate + " creates a second");
        Timer waits = meters.get("idsync.connection.limit.wait").tags("connection", "limited", "operation", "create").timer();
        assertEquals(CREATES, waits.count(), "each create's wait is metered (idsync_connection_limit_wait_seconds)");
        assertTrue(waits.max(TimeUnit.MILLISECONDS) > 100, "some waited: " + waits.max(TimeUnit.MILLISECONDS) + " ms");
    }

    @Test
    void anOperationSlowerThanItsTimeoutFailsNamingIt() {
        PingOneClient client = client(Map.of("operation-timeout.get", "300ms"));
        sandbox.injectFaults(new PingOneSandbox.Faults(Set.of("worker"), 0, 500, 0, Duration.ofMillis(1500)));
        SystemUnavailable failure = assertThrows(SystemUnavailable.class, () -> client.get("/users/" + java.util.UUID.randomUUID()));
        assertTrue(failure.getMessage().endsWith("did not answer within 300 ms (operation-timeout.get)"), failure.getMessage());
        // a search keeps the connection's response-timeout (30 s): slow, but answered
        assertEquals(200, client.get("/users?limit=1").status());
    }
}

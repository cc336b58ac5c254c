package io.idsync.connector.http;

import io.idsync.connector.Settings;
import io.idsync.connector.SystemUnavailable;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seed 002's operations as requests are classified, a connection test's own limits, and what a bad value says. */
class OperationLimitsTest {

    private static OperationLimits limits(Map<String, String> keys) {
        return OperationLimits.of("scim", new Settings("idsync.connections.p.", key -> Optional.ofNullable(keys.get(key.substring("idsync.connections.p.".length())))),
                Duration.ofSeconds(30));
    }

    @Test
    void requestsAreTheOperationsSeed002Names() {
        assertEquals(OperationLimits.Operation.CREATE, OperationLimits.Operation.of("POST", "/Users"));
        assertEquals(OperationLimits.Operation.UPDATE, OperationLimits.Operation.of("PATCH", "/Users/1"));
        assertEquals(OperationLimits.Operation.DELETE, OperationLimits.Operation.of("DELETE", "/Users/1"));
        assertEquals(OperationLimits.Operation.GET, OperationLimits.Operation.of("GET", "/Users/1"));
        assertEquals(OperationLimits.Operation.SEARCH, OperationLimits.Operation.of("GET", "/Users?filter=userName%20eq%20%22a%22"));
        assertEquals(OperationLimits.Operation.SEARCH, OperationLimits.Operation.of("GET", "/activities?limit=100&filter=x"));
        assertEquals(OperationLimits.Operation.GET, OperationLimits.Operation.of("GET", "/users/1?include=memberOfGroupNames"), "one user, with options");
        assertEquals(OperationLimits.Operation.TEST, OperationLimits.asTest(() -> OperationLimits.Operation.of("GET", "/Users/1")));
        assertEquals(OperationLimits.Operation.GET, OperationLimits.Operation.of("GET", "/Users/1"), "only inside the test");
    }

    @Test
    void aConnectionTestHasItsOwnRateLimitAndSaysWhichItHit() {
        OperationLimits limits = limits(Map.of("rate-limit.test.request-limit", "1", "rate-limit.test.request-period", "1h",
                "rate-limit.test.request-timeout", "100ms", "operation-timeout.test", "5s"));
        assertEquals(Duration.ofSeconds(5), limits.timeout(OperationLimits.Operation.TEST));
        assertEquals(Duration.ofSeconds(30), limits.timeout(OperationLimits.Operation.GET), "the others keep response-timeout");
        limits.acquire(OperationLimits.Operation.TEST, "GET /ServiceProviderConfig").close();
        SystemUnavailable refused = assertThrows(SystemUnavailable.class, () -> limits.acquire(OperationLimits.Operation.TEST, "GET /Schemas"));
        assertEquals("scim connection 'p': GET /Schemas got no test slot within 100 ms (rate-limit.test: 1 per 3600000 ms)", refused.getMessage());
        limits.acquire(OperationLimits.Operation.GET, "GET /Users/1").close(); // another operation, no limit
    }

    @Test
    void aBadValueIsNamed() {
        List<String> problems = Settings.invalidIn(() -> limits(Map.of("rate-limit.create.request-limit", "-5")));
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("rate-limit.create.request-limit is -5"), problems.get(0));
    }
}

package io.idsync.connector.pingone;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PingOneKindTest {

    @Test
    void theAuthUrlFollowsTheApiRegion() {
        assertEquals("https://auth.pingone.eu/env-1/as/token", PingOneKind.defaultAuthUrl("https://api.pingone.eu/v1", "env-1"));
        assertEquals("http://localhost:8181/env-1/as/token", PingOneKind.defaultAuthUrl("http://localhost:8181/v1", "env-1"));
    }
}

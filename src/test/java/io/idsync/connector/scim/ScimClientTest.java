package io.idsync.connector.scim;

import io.idsync.connector.Settings;
import io.idsync.connector.SystemUnavailable;
import io.idsync.sandbox.PingOneSandbox;
import io.idsync.testsupport.scim.SandboxScimServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SCIM client against the sandbox's PingOne SCIM API as it fails in production: 429 honoured after its
 * Retry-After, a 5xx outage that outlasts the attempts, an expired token renewed once, refused credentials, and
 * never a secret in what it says.
 */
class ScimClientTest {

    private static final String SECRET = "scim-interop-secret";

    private SandboxScimServer server;
    private PingOneSandbox sandbox;

    @BeforeEach
    void start() {
        server = SandboxScimServer.start();
        sandbox = server.sandbox();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ScimClient client(String secret, int attempts) {
        Map<String, String> keys = new HashMap<>();
        server.connectionSettings().forEach((key, value) -> keys.put("idsync.connections.scim." + key, value));
        keys.put("idsync.connections.scim.client-secret", secret);
        keys.put("idsync.connections.scim.max-attempts", Integer.toString(attempts));
        return new ScimClient(ScimKind.settings("scim", new Settings("idsync.connections.scim", key -> Optional.ofNullable(keys.get(key)))));
    }

    private long scimRequests(int status) {
        return sandbox.requests().stream().filter(r -> r.path().contains("/v2/") && r.status() == status).count();
    }

    @Test
    void a429IsRetriedAfterItsRetryAfter() throws Exception {
        ScimClient client = client(SECRET, 4);
        client.send("GET", "/Users?count=1", null);
        sandbox.clearRequests();
        sandbox.injectFaults(PingOneSandbox.Faults.outage(429, SandboxScimServer.CLIENT));
        CompletableFuture<ScimClient.Response> answer = CompletableFuture.supplyAsync(() -> client.send("GET", "/Users?count=1", null));
        await().atMost(Duration.ofSeconds(5)).until(() -> scimRequests(429) >= 1);
        sandbox.injectFaults(null);
        assertEquals(200, answer.get(10, TimeUnit.SECONDS).status());
        List<PingOneSandbox.Request> requests = sandbox.requests().stream().filter(r -> r.path().contains("/v2/")).toList();
        PingOneSandbox.Request refused = requests.stream().filter(r -> r.status() == 429).reduce((a, b) -> b).orElseThrow();
        PingOneSandbox.Request retried = requests.get(requests.indexOf(refused) + 1);
        assertEquals(200, retried.status());
        assertTrue(Duration.between(refused.at(), retried.at()).toMillis() >= 900,
                "retried after Retry-After: 1, not before: " + Duration.between(refused.at(), retried.at()));
    }

    @Test
    void anOutageOutlastingTheAttemptsStopsTheBatchSayingWhatTheProviderAnswered() {
        ScimClient client = client(SECRET, 3);
        sandbox.injectFaults(PingOneSandbox.Faults.outage(503, SandboxScimServer.CLIENT));
        SystemUnavailable down = assertThrows(SystemUnavailable.class, () -> client.send("GET", "/Users?count=1", null));
        assertTrue(down.getMessage().contains("503") && down.getMessage().endsWith("after 3 attempts"), down.getMessage());
        assertEquals(3, scimRequests(503), "max-attempts requests, then the batch stops");
        assertFalse(down.getMessage().contains(SECRET));
    }

    @Test
    void anExpiredTokenIsRenewedOnce() {
        ScimClient client = client(SECRET, 2);
        client.send("GET", "/Users?count=1", null);
        sandbox.expireAllTokens();
        assertEquals(200, client.send("GET", "/Users?count=1", null).status());
        assertEquals(1, scimRequests(401), "one 401, then a new token");
        assertEquals(2, sandbox.requests().stream().filter(r -> r.path().endsWith("/as/token")).count());
    }

    @Test
    void refusedCredentialsSayWhoWasRefusedButNotTheSecret() {
        io.idsync.connector.AccessRefused refused = assertThrows(io.idsync.connector.AccessRefused.class, () -> client("not-the-secret-42", 1).send("GET", "/Users", null));
        assertTrue(refused.getMessage().contains("token request of client " + SandboxScimServer.CLIENT), refused.getMessage());
        assertTrue(refused.getMessage().contains("401"), refused.getMessage());
        assertFalse(refused.getMessage().contains("not-the-secret-42"));
        assertFalse(client("not-the-secret-42", 1).settings().toString().contains("not-the-secret-42"));
    }

    @Test
    void aScimErrorBodyBecomesTheEntrysReason() {
        ScimClient client = client(SECRET, 1);
        ScimApiException refused = assertThrows(ScimApiException.class, () -> client.send("POST", "/Users",
                ScimClient.JSON.createObjectNode().put("userName", "no.schemas")));
        assertEquals(400, refused.status());
        assertEquals("invalidSyntax", refused.scimType());
        assertTrue(refused.getMessage().contains("schemas must include"), refused.getMessage());
    }

    /**
     * Seed 002's refresh_token grant (auth=oauth-refresh-token): the token endpoint rolls the refresh token on each use,
     * so the client keeps the newest; the spent one is refused.
     */
    @Test
    void aRollingRefreshTokenIsKeptAcrossRenewals() {
        String first = sandbox.issueRefreshToken(SandboxScimServer.CLIENT);
        Map<String, String> keys = new HashMap<>();
        server.connectionSettings().forEach((key, value) -> keys.put("idsync.connections.scim." + key, value));
        keys.put("idsync.connections.scim.auth", "oauth-refresh-token");
        keys.put("idsync.connections.scim.refresh-token", first);
        ScimClient client = new ScimClient(ScimKind.settings("scim", new Settings("idsync.connections.scim", key -> Optional.ofNullable(keys.get(key)))));
        assertEquals(200, client.send("GET", "/Users?count=1", null).status());
        sandbox.expireAllTokens();
        assertEquals(200, client.send("GET", "/Users?count=1", null).status(), "renewed with the refresh token the first renewal gave");
        sandbox.expireAllTokens();
        assertEquals(200, client.send("GET", "/Users?count=1", null).status(), "and again");
        ScimClient stale = new ScimClient(ScimKind.settings("scim", new Settings("idsync.connections.scim", key -> Optional.ofNullable(keys.get(key)))));
        io.idsync.connector.AccessRefused refused = org.junit.jupiter.api.Assertions.assertThrows(io.idsync.connector.AccessRefused.class,
                () -> stale.send("GET", "/Users?count=1", null));
        assertTrue(refused.getMessage().contains("invalid_grant"), refused.getMessage());
        assertTrue(!refused.getMessage().contains(first), "the refresh token is a secret: " + refused.getMessage());
    }
}

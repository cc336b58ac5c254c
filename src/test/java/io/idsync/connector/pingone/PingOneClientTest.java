package io.idsync.connector.pingone;

import com.sun.net.httpserver.HttpServer;
import io.idsync.connector.EntryRejected;
import io.idsync.connector.SystemUnavailable;
import io.idsync.sandbox.DemoSeed;
import io.idsync.sandbox.PingOneSandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PingOne client against the sandbox: tokens, 429 with Retry-After, 401 renewal, garbage answers (a body that is not JSON, a user that is not an object), secrets. */
class PingOneClientTest {

    private PingOneSandbox sandbox;

    @BeforeEach
    void start() throws Exception {
        sandbox = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 10, Duration.ZERO)).start();
        DemoSeed.seed(sandbox, "worker", "s3cr3t-value", 5, 0);
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private PingOneClient client(String secret) {
        return new PingOneClient(settings(sandbox.baseUrl(), secret, 4));
    }

    private static PingOneSettings settings(String base, String secret, int attempts) {
        return new PingOneSettings("pingone", base + "/v1", base + "/demo-env/as/token", "demo-env", "worker", secret,
                PingOneSettings.TokenAuthMethod.BASIC, Duration.ZERO, 0, 100, Duration.ofSeconds(2), Duration.ofSeconds(5), attempts);
    }

    @Test
    void a429IsRetriedAfterItsRetryAfter() {
        PingOneClient client = client("s3cr3t-value");
        client.get("/users?limit=1");
        sandbox.setRequestsPerSecond(1);
        sandbox.clearRequests();
        // of three requests made within a second, two share a one-second window: one is refused, waited for, retried
        client.get("/users?limit=1");
        client.get("/users?limit=1");
        client.get("/users?limit=1");
        List<PingOneSandbox.Request> requests = sandbox.requests();
        PingOneSandbox.Request refused = requests.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
        PingOneSandbox.Request retried = requests.get(requests.indexOf(refused) + 1);
        assertEquals(200, retried.status());
        assertTrue(Duration.between(refused.at(), retried.at()).toMillis() >= 900,
                "the retry waited for Retry-After: 1 (" + Duration.between(refused.at(), retried.at()).toMillis() + " ms)");
    }

    @Test
    void theClientSideRateLimitKeepsARunUnderPingOnesLimit() {
        PingOneClient limited = new PingOneClient(new PingOneSettings("pingone", sandbox.baseUrl() + "/v1", sandbox.baseUrl() + "/demo-env/as/token",
                "demo-env", "worker", "s3cr3t-value", PingOneSettings.TokenAuthMethod.BASIC, Duration.ZERO, 4, 100,
                Duration.ofSeconds(2), Duration.ofSeconds(5), 1));
        limited.get("/users?limit=1");
        sandbox.setRequestsPerSecond(5);
        sandbox.clearRequests();
        for (int i = 0; i < 12; i++) {
            limited.get("/users?limit=1"); // one attempt only: a 429 would fail the call
        }
        assertEquals(12, sandbox.requests().stream().filter(r -> r.status() == 200).count());
        assertTrue(sandbox.requests().stream().noneMatch(r -> r.status() == 429), "4 requests/s stay under PingOne's 5");
    }

    @Test
    void anExpiredTokenIsRenewedOnce() {
        PingOneClient client = client("s3cr3t-value");
        client.get("/users?limit=1");
        sandbox.expireAllTokens();
        assertEquals(200, client.get("/users?limit=1").status());
        long tokenRequests = sandbox.requests().stream().filter(r -> r.path().endsWith("/as/token")).count();
        assertEquals(2, tokenRequests);
    }

    @Test
    void refusedCredentialsStopWithAMessageThatNamesTheClientButNotTheSecret() {
        io.idsync.connector.AccessRefused e = assertThrows(io.idsync.connector.AccessRefused.class, () -> client("wrong-secret-123").get("/users"));
        assertTrue(e.getMessage().contains("client worker"), e.getMessage());
        assertTrue(e.getMessage().contains("invalid_client"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-secret-123"));
        assertFalse(settings(sandbox.baseUrl(), "wrong-secret-123", 1).toString().contains("wrong-secret-123"));
    }

    /** A server that hands out tokens and answers {@code body} to every other request. */
    private static HttpServer answering(String body) throws java.io.IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = (exchange.getRequestURI().getPath().endsWith("/as/token")
                    ? "{\"access_token\":\"t\",\"token_type\":\"Bearer\",\"expires_in\":3600}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void aServerThatAnswersGarbageIsATransientFailureNamingWhatAndWhere() throws Exception {
        HttpServer garbage = answering("<html>Bad Gateway</html>");
        try {
            PingOneClient client = new PingOneClient(settings("http://localhost:" + garbage.getAddress().getPort(), "x", 1));
            SystemUnavailable e = assertThrows(SystemUnavailable.class, () -> client.get("/users/abc"));
            assertTrue(e.getMessage().contains("GET /users/abc"), e.getMessage());
            assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
        } finally {
            garbage.stop(0);
        }
    }

    @Test
    void aUserThatIsNotAJsonObjectFailsThatEntryNamingWhatCame() throws Exception {
        HttpServer garbage = answering("[\"abc\"]");
        try {
            PingOneUserSource source = new PingOneUserSource(new PingOneClient(settings("http://localhost:" + garbage.getAddress().getPort(), "x", 1)), List.of(), List.of());
            EntryRejected e = assertThrows(EntryRejected.class, () -> source.read("abc"));
            assertEquals("PingOne answered a user that is not a JSON object but ARRAY", e.getMessage());
        } finally {
            garbage.stop(0);
        }
    }

    @Test
    void a4xxCarriesPingOnesCodeAndDetails() {
        PingOneClient client = client("s3cr3t-value");
        PingOneApiException e = assertThrows(PingOneApiException.class,
                () -> client.send("POST", "/users", new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("username", "e000001.alan").put("email", "alan@example.com"), null));
        assertEquals(400, e.status());
        assertTrue(e.hasDetail("UNIQUENESS_VIOLATION"));
        assertTrue(e.getMessage().contains("POST /users answered 400 INVALID_DATA"), e.getMessage());
    }

    /**
     * Seed 002's Grant Type refresh_token on a PingOne connection: the client renews its access token with the newest
     * refresh token (PingOne rolls it on each use); the spent one is refused, and never printed.
     */
    @Test
    void theRefreshTokenGrantKeepsTheRolledToken() {
        String first = sandbox.issueRefreshToken("worker");
        java.util.function.Supplier<PingOneClient> fresh = () -> new PingOneClient(new PingOneSettings("pingone", sandbox.baseUrl() + "/v1",
                sandbox.baseUrl() + "/demo-env/as/token", "demo-env", "worker", "s3cr3t-value", PingOneSettings.TokenAuthMethod.BASIC, Duration.ZERO,
                0, 100, Duration.ofSeconds(2), Duration.ofSeconds(5), 2, first));
        PingOneClient client = fresh.get();
        assertEquals(200, client.get("/users?limit=1").status());
        sandbox.expireAllTokens();
        assertEquals(200, client.get("/users?limit=1").status(), "renewed with the rolled refresh token");
        sandbox.expireAllTokens();
        assertEquals(200, client.get("/users?limit=1").status());
        io.idsync.connector.AccessRefused refused = org.junit.jupiter.api.Assertions.assertThrows(io.idsync.connector.AccessRefused.class,
                () -> fresh.get().get("/users?limit=1"));
        assertTrue(refused.getMessage().contains("invalid_grant"), refused.getMessage());
        assertTrue(!refused.getMessage().contains(first), "the refresh token is a secret: " + refused.getMessage());
    }
}

package io.idsync.pipe;

import io.idsync.sandbox.PingOneSandbox;
import io.idsync.sandbox.SandboxEnvironment;
import io.idsync.testsupport.PipeFixture;
import io.idsync.testsupport.PipeFixtureRouteTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One failure contract, one retry layer (issue 19), as the PingOne sandbox shows it to the shipped
 * pingone-to-directory pipe: the HTTP connection retries (its {@code max-attempts}, 3 here) and the engine does not
 * retry again; refused credentials are not retried at all and the pipe says so from its first poll.
 */
class FailureContractRouteTest extends PipeFixtureRouteTest {

    FailureContractRouteTest() {
        super(5, 0);
    }

    private static final int MAX_ATTEMPTS = 3; // PipeFixture's PingOne connection

    private void start() throws Exception {
        startShippedPipeAndLoad();
    }

    private long apiRequests() {
        return systems.pingOne.requests().stream().filter(r -> r.path().startsWith("/v1/")).count();
    }

    private long tokenRequests() {
        return systems.pingOne.requests().stream().filter(r -> r.path().endsWith("/as/token")).count();
    }

    @Test
    void aPersistentOutageCostsAPollExactlyMaxAttemptsRequests() throws Exception {
        start();
        systems.pingOne.injectFaults(PingOneSandbox.Faults.outage(503, PipeFixture.WORKER));
        for (int poll = 1; poll <= 2; poll++) {
            systems.pingOne.clearRequests();
            template.sendBody("direct:poll", null);
            assertEquals(MAX_ATTEMPTS, apiRequests(), "poll " + poll + ": the connection's attempts, and no second retry layer above them");
            assertTrue(systems.pipe().lastError().contains("503"), systems.pipe().lastError());
        }
        // in the middle of a run, where the engine used to retry each read again (5 times over the connection's 3: 90
        // requests for these 5 users): each read in flight costs the connection's attempts, and the run stops
        systems.pingOne.clearRequests();
        template.sendBody("direct:reconcile", null);
        long requests = apiRequests();
        assertTrue(requests >= MAX_ATTEMPTS && requests <= MAX_ATTEMPTS * 5L, requests + " requests for a reconciliation of 5 users");
    }

    @Test
    void refusedCredentialsAreNotRetriedAndTheirPipeSaysSoFromTheFirstPoll() throws Exception {
        start();
        // the worker app's secret is rotated in PingOne and its tokens revoked; idsync still has the old one
        systems.environment.addApplication(PipeFixture.WORKER, "idsync", "rotated-secret", SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_BASIC);
        systems.pingOne.expireAllTokens();
        for (int poll = 1; poll <= 2; poll++) {
            systems.pingOne.clearRequests();
            template.sendBody("direct:poll", null);
            assertTrue(tokenRequests() <= 2, "poll " + poll + ": " + tokenRequests() + " token requests");
            assertTrue(apiRequests() <= 1, "poll " + poll + ": " + apiRequests() + " API requests");
            assertTrue(systems.pipe().lastError().startsWith("credentials refused: PingOne refused the token request for client " + PipeFixture.WORKER),
                    systems.pipe().lastError());
            assertTrue(!systems.pipe().lastError().contains("rotated-secret") && !systems.pipe().lastError().contains(PipeFixture.WORKER_SECRET),
                    "no secret in the status");
        }
    }
}

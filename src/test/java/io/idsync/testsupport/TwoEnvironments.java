package io.idsync.testsupport;

import io.idsync.connector.pingone.PingOneClient;
import io.idsync.sandbox.DemoSeed;
import io.idsync.sandbox.PingOneSandbox;
import io.idsync.sandbox.SandboxEnvironment;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * Two environments of one PingOne sandbox, as seed 004 has them: the demo environment (5 employees, 8 contractors)
 * as the source, and another one with the given populations (the first is its default) as the destination, one
 * worker application in each.
 */
public final class TwoEnvironments implements AutoCloseable {

    public static final String WORKER = "idsync-two-environments";
    public static final String SECRET = "two-environments-secret";

    public final PingOneSandbox pingOne;
    public final SandboxAdmin source;
    public final SandboxAdmin destination;

    public TwoEnvironments(String destinationEnvironment, String... populations) throws IOException {
        pingOne = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 1000, Duration.ZERO)).start();
        DemoSeed.seed(pingOne, WORKER, SECRET, 5, 8);
        SandboxEnvironment other = pingOne.createEnvironment(destinationEnvironment);
        for (int i = 0; i < populations.length; i++) {
            other.createPopulation(populations[i], i == 0);
        }
        other.addApplication(WORKER, "idsync", SECRET, SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_BASIC);
        source = SandboxAdmin.demoAdmin(pingOne.baseUrl());
        destination = new SandboxAdmin(pingOne.baseUrl(), destinationEnvironment, WORKER, SECRET);
    }

    /** The keys of a pingone connection to {@code environment} as the worker app. */
    public Map<String, String> pingOneConnection(String environment) {
        return WiredPipes.pingOneConnection(pingOne.baseUrl(), environment, WORKER, SECRET);
    }

    /** The username of the user whose username starts with {@code prefix}, as the admin sees it. */
    public static String username(SandboxAdmin admin, String prefix) {
        return admin.client().get("/users?filter=" + PingOneClient.encode("username sw \"" + prefix + "\""))
                .body().path("_embedded").path("users").path(0).path("username").asText();
    }

    @Override
    public void close() {
        pingOne.close();
    }
}

package io.idsync.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import io.idsync.connector.pingone.PingOneClient;
import io.idsync.connector.pingone.PingOneSettings;
import io.idsync.sandbox.DemoSeed;
import io.idsync.sandbox.PingOneSandbox;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * What the provisioning pipes of {@code routes/directory-to-pingone.yaml} need around them in a route-level
 * test, whatever the directory: a PingOne sandbox (demo environment, population Corp), an in-memory state
 * store, the road and its workers, and the shipped routes with their quartz triggers replaced by
 * {@code direct:poll-<pipe>} and {@code direct:reconcile-<pipe>}.
 */
public final class ProvisioningFixture extends RoadFixture {

    public static final String USERS = "directory-to-pingone";
    public static final String GROUPS = "directory-groups-to-pingone";
    private static final String WORKER = "idsync-provisioning-test";
    private static final String SECRET = "provisioning-test-secret";

    public final PingOneSandbox pingOne;
    public final SandboxAdmin admin;

    public ProvisioningFixture() throws java.io.IOException {
        pingOne = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 1000, Duration.ZERO)).start();
        DemoSeed.seed(pingOne, WORKER, SECRET, 0, 0);
        admin = SandboxAdmin.demoAdmin(pingOne.baseUrl());
    }

    /** A client of the pipe's own worker app. */
    public PingOneClient client() {
        return client(100);
    }

    /** A client of the pipe's own worker app, sending at most this many requests a second. */
    public PingOneClient client(int requestsPerSecond) {
        return new PingOneClient(new PingOneSettings("provisioning", pingOne.baseUrl() + "/v1",
                pingOne.baseUrl() + "/" + DemoSeed.ENVIRONMENT + "/as/token", DemoSeed.ENVIRONMENT, WORKER, SECRET,
                PingOneSettings.TokenAuthMethod.BASIC, Duration.ZERO, 0, requestsPerSecond, Duration.ofSeconds(5), Duration.ofSeconds(10), 3));
    }

    /** Loads the shipped routes into {@code context}, enables those of {@code pipeNames} and replaces the triggers; the caller starts it. */
    public void loadRoutes(CamelContext context, String... pipeNames) throws Exception {
        Properties enabled = new Properties();
        for (String pipe : pipeNames) {
            enabled.setProperty("idsync.pipes." + pipe + ".enabled", "true");
        }
        context.getPropertiesComponent().setOverrideProperties(enabled);
        RoadRouteTest.loadPipeRoutes(context, "classpath:routes/directory-to-pingone.yaml", "classpath:routes/directory-groups-to-pingone.yaml");
        // every trigger of the file, so that no quartz job of a pipe the test does not build ever fires
        for (String pipe : List.of(USERS, GROUPS)) {
            AdviceWith.adviceWith(context, pipe + "-poll", a -> a.replaceFromWith("direct:poll-" + pipe));
            AdviceWith.adviceWith(context, pipe + "-reconcile", a -> a.replaceFromWith("direct:reconcile-" + pipe));
        }
    }

    /** The PingOne user with this username, or null. */
    public JsonNode user(String username) {
        JsonNode users = admin.client().get("/users?filter=" + PingOneClient.encode("username eq \"" + username + "\"")).body()
                .path("_embedded").path("users");
        return users.size() == 0 ? null : users.get(0);
    }

    /** The usernames in population Corp, where the pipes provision. */
    public Set<String> corpUsernames() {
        Set<String> usernames = new HashSet<>();
        admin.client().pages("/users?limit=500&filter=" + PingOneClient.encode("population.id eq \"" + admin.populationId("Corp") + "\""), "users")
                .forEachRemaining(u -> usernames.add(u.path("username").asText()));
        return usernames;
    }



    @Override
    public void close() {
        super.close();
        pingOne.close();
    }
}

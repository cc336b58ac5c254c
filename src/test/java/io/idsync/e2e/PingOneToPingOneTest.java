package io.idsync.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.idsync.sandbox.SandboxLauncher;
import io.idsync.testsupport.SandboxAdmin;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The PingOne → PingOne pipe as shipped ({@code routes/pingone-to-pingone.yaml}, its mapping and settings only): the
 * Contractors of environment demo-env kept in step in the Contractors of a second environment, p1-destination,
 * through the Management API. What a user observes there, asked as that environment's worker app.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedSystemsResource.class)
class PingOneToPingOneTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    SandboxLauncher systems;

    SandboxAdmin source;
    SandboxAdmin destination;

    @BeforeEach
    void admins() {
        source = SandboxAdmin.demoAdmin(systems.pingOne().baseUrl());
        destination = new SandboxAdmin(systems.pingOne().baseUrl(), "p1-destination", "idsync-test-worker", "idsync-test-worker-secret");
    }

    @Test
    void contractorsAreCreatedUpdatedDisabledAndDeletedInTheOtherEnvironment() {
        // the initial load: every seeded contractor, in the destination's Contractors
        String contractors = destination.populationId("Contractors");
        await().atMost(WAIT).until(() -> destination.user(seeded(20)) != null);
        for (int i = 1; i <= 20; i++) {
            String username = seeded(i);
            JsonNode copy = destination.user(username);
            assertEquals(contractors, copy == null ? null : copy.path("population").path("id").asText(), username + " in Contractors");
        }

        String id = source.createUser("p2p.casey", "Casey", "Jones", "Contractors");
        await().atMost(WAIT).until(() -> destination.user("p2p.casey") != null);
        assertEquals("Jones", destination.user("p2p.casey").path("name").path("family").asText());

        source.patchUser(id, SandboxAdmin.JSON.createObjectNode().put("title", "Contractor of the month"));
        await().atMost(WAIT).until(() -> "Contractor of the month".equals(destination.user("p2p.casey").path("title").asText()));

        source.setEnabled(id, false);
        await().atMost(WAIT).until(() -> !destination.user("p2p.casey").path("enabled").asBoolean(true));

        // out of the populations to synchronize: deleted at the destination; a delete likewise
        source.movePopulation(id, "Employees");
        await().atMost(WAIT).until(() -> destination.user("p2p.casey") == null);
        String other = source.createUser("p2p.dana", "Dana", "Scully", "Contractors");
        await().atMost(WAIT).until(() -> destination.user("p2p.dana") != null);
        source.deleteUser(other);
        await().atMost(WAIT).until(() -> destination.user("p2p.dana") == null);
    }

    /** The username of the i-th seeded contractor, as the source has it. */
    private String seeded(int i) {
        JsonNode users = source.client().get("/users?filter=" + io.idsync.connector.pingone.PingOneClient.encode(
                "username sw \"" + String.format("c%06d.", i) + "\"")).body().path("_embedded").path("users");
        return users.path(0).path("username").asText();
    }
}

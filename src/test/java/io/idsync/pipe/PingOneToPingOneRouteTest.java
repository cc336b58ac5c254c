package io.idsync.pipe;

import com.fasterxml.jackson.databind.JsonNode;
import io.idsync.sandbox.DemoSeed;
import io.idsync.testsupport.SandboxAdmin;
import io.idsync.testsupport.TwoEnvironments;
import io.idsync.testsupport.WiredPipes;
import io.idsync.testsupport.TwoEnvironmentsRouteTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code routes/pingone-to-pingone.yaml} and its mapping as shipped, wired from settings alone: two environments
 * of one PingOne sandbox (demo-env, and p1-destination as seed 004's P1-User-Destination), two connections, the
 * Contractors population of one kept in step in the other through the Management API.
 */
class PingOneToPingOneRouteTest extends TwoEnvironmentsRouteTest {

    private static final String PIPE = "pingone-to-pingone";
    private static final String DESTINATION = "p1-destination";

    PingOneToPingOneRouteTest() {
        super(DESTINATION, "Employees", "Contractors");
    }

    private void start() throws Exception {
        Map<String, String> properties = WiredPipes.shipped("classpath:application.properties", PIPE);
        properties.put("idsync.pipes." + PIPE + ".source", "source");
        properties.put("idsync.pipes." + PIPE + ".destination", "p1");
        properties.put("idsync.pipes." + PIPE + ".population-to-synchronize", "Contractors");
        properties.put("idsync.pipes." + PIPE + ".provisioning-population", "Contractors");
        WiredPipes.connection(properties, "source", environments.pingOneConnection(DemoSeed.ENVIRONMENT));
        WiredPipes.connection(properties, "p1", environments.pingOneConnection(DESTINATION));
        loadRoutes("classpath:routes/" + PIPE + ".yaml");
        systems.wire(context, properties);
        context.start();
    }

    private void poll() {
        template.sendBody("direct:poll-" + PIPE, null);
    }

    @Test
    void usersOfAPopulationAreCreatedUpdatedDisabledAndDeletedInTheOtherEnvironment() throws Exception {
        start();
        poll();
        String contractors = destination.populationId("Contractors");
        JsonNode first = destination.user(TwoEnvironments.username(source, "c000001."));
        assertNotNull(first, "the initial load created the contractors");
        assertEquals(contractors, first.path("population").path("id").asText());
        assertNull(destination.user(TwoEnvironments.username(source, "e000001.")), "employees are not in scope");
        assertEquals(8L, systems.pipes.get(PIPE).counters().get("created"));

        String id = source.createUser("p2p.new", "New", "Contractor", "Contractors");
        poll();
        assertEquals("Contractor", destination.user("p2p.new").path("name").path("family").asText());

        pingOne.clearRequests();
        source.patchUser(id, SandboxAdmin.JSON.createObjectNode().put("title", "Lead"));
        poll();
        assertEquals("Lead", destination.user("p2p.new").path("title").asText());
        assertTrue(pingOne.requests().stream().anyMatch(r -> r.method().equals("PATCH") && r.path().contains("/environments/" + DESTINATION + "/users/")),
                "only what differs, as a PATCH: " + pingOne.requests());

        source.setEnabled(id, false);
        poll();
        assertFalse(destination.user("p2p.new").path("enabled").asBoolean(true), "disabled in the other environment");

        source.deleteUser(id);
        poll();
        assertNull(destination.user("p2p.new"), "deleted in the other environment");
    }
}

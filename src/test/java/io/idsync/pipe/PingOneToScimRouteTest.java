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
 * {@code routes/pingone-to-scim.yaml} and its mapping as shipped, wired from settings alone, into PingOne's SCIM API
 * of another environment of the sandbox (seed 004's P1-User-Destination), authenticated by OAuth 2 client
 * credentials: the users of a population are created over SCIM, their changes PATCHed, and the remove action
 * disables them.
 */
class PingOneToScimRouteTest extends TwoEnvironmentsRouteTest {

    private static final String PIPE = "pingone-to-scim";
    private static final String DESTINATION = "p1-user-destination";

    PingOneToScimRouteTest() {
        super(DESTINATION, "Provisioned");
    }

    private void start() throws Exception {
        Map<String, String> properties = WiredPipes.shipped("classpath:application.properties", PIPE);
        properties.put("idsync.pipes." + PIPE + ".source", "source");
        properties.put("idsync.pipes." + PIPE + ".destination", "scim");
        properties.put("idsync.pipes." + PIPE + ".mapping", "mappings/" + PIPE + ".yaml");
        properties.put("idsync.pipes." + PIPE + ".population-to-synchronize", "Contractors");
        WiredPipes.connection(properties, "source", environments.pingOneConnection(DemoSeed.ENVIRONMENT));
        WiredPipes.connection(properties, "scim", Map.of("type", "scim", "base-url", pingOne.baseUrl() + "/environments/" + DESTINATION + "/v2",
                "auth", "oauth-client-credentials", "token-url", pingOne.baseUrl() + "/" + DESTINATION + "/as/token",
                "client-id", TwoEnvironments.WORKER, "client-secret", TwoEnvironments.SECRET));
        loadRoutes("classpath:routes/" + PIPE + ".yaml");
        systems.wire(context, properties);
        context.start();
    }

    private void poll() {
        template.sendBody("direct:poll-" + PIPE, null);
    }

    @Test
    void usersAreCreatedOverScimPatchedAndDisabledByTheRemoveAction() throws Exception {
        // an account the provider already has: linked by userName, not duplicated
        String existing = TwoEnvironments.username(source, "c000002.");
        destination.createUser(existing, "Already", "There", "Provisioned");
        start();
        poll();
        assertEquals(8L, systems.pipes.get(PIPE).counters().get("created") + systems.pipes.get(PIPE).counters().get("modified"));
        JsonNode first = destination.user(TwoEnvironments.username(source, "c000001."));
        assertNotNull(first, "the initial load created the contractors over SCIM");
        assertEquals(source.user(TwoEnvironments.username(source, "c000001.")).path("email").asText(), first.path("email").asText(), "emails[type eq \"work\"].value");
        assertNull(destination.user(TwoEnvironments.username(source, "e000001.")), "employees are not in scope");
        assertEquals(source.user(existing).path("name").path("given").asText(), destination.user(existing).path("name").path("given").asText(),
                "the existing account was updated");
        assertEquals(1, destination.client().get("/users?filter=" + io.idsync.connector.pingone.PingOneClient.encode("username eq \"" + existing + "\""))
                .body().path("_embedded").path("users").size(), "one account for it");

        String id = source.createUser("scim.new", "New", "Contractor", "Contractors");
        poll();
        assertEquals("Contractor", destination.user("scim.new").path("name").path("family").asText());

        pingOne.clearRequests();
        source.patchUser(id, SandboxAdmin.JSON.createObjectNode().put("title", "Lead"));
        poll();
        assertEquals("Lead", destination.user("scim.new").path("title").asText());
        assertTrue(pingOne.requests().stream().anyMatch(r -> r.method().equals("PATCH") && r.path().startsWith("/environments/" + DESTINATION + "/v2/Users/")),
                "a PatchOp of what differs: " + pingOne.requests());

        source.setEnabled(id, false);
        poll();
        assertFalse(destination.user("scim.new").path("enabled").asBoolean(true), "active false");
        source.setEnabled(id, true);
        poll();
        assertTrue(destination.user("scim.new").path("enabled").asBoolean(false), "active true again");

        source.deleteUser(id);
        poll();
        JsonNode removed = destination.user("scim.new");
        assertNotNull(removed, "the remove action is disable: the account stays");
        assertFalse(removed.path("enabled").asBoolean(true), "disabled");
    }
}

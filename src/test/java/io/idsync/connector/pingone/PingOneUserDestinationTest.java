package io.idsync.connector.pingone;

import com.fasterxml.jackson.databind.JsonNode;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.Plan;
import io.idsync.sandbox.DemoSeed;
import io.idsync.sandbox.PingOneSandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PingOne users as a destination, against the sandbox: what PingOne receives and holds. */
class PingOneUserDestinationTest {

    private PingOneSandbox sandbox;
    private PingOneClient client;
    private PingOneUserDestination destination;

    @BeforeEach
    void start() throws Exception {
        sandbox = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 10, Duration.ZERO)).start();
        DemoSeed.seed(sandbox, "provisioner", "secret", 3, 0); // populations Employees, Contractors, Corp
        client = new PingOneClient(new PingOneSettings("pingone", sandbox.baseUrl() + "/v1", sandbox.baseUrl() + "/demo-env/as/token", "demo-env",
                "provisioner", "secret", PingOneSettings.TokenAuthMethod.BASIC, Duration.ZERO, 0, 100,
                Duration.ofSeconds(2), Duration.ofSeconds(5), 3));
        destination = new PingOneUserDestination(client, "Corp");
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private static Map<String, List<String>> jsmith(String enabled) {
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        attributes.put("username", List.of("jsmith"));
        attributes.put("name.given", List.of("Janet"));
        attributes.put("name.family", List.of("Smith"));
        attributes.put("email", List.of("jsmith@example.com"));
        attributes.put("title", List.of("Engineer"));
        attributes.put("enabled", List.of(enabled));
        return attributes;
    }

    @Test
    void aCreateLandsInTheConfiguredPopulationWithItsAccountStatus() {
        String id = destination.apply(new Plan(Plan.Action.CREATE, null, null, jsmith("false"), List.of())).id();
        JsonNode user = client.get("/users/" + id).body();
        assertEquals("jsmith", user.path("username").asText());
        assertEquals("Janet", user.path("name").path("given").asText());
        assertEquals(sandbox.environment("demo-env").populationIdsByName().get("Corp"), user.path("population").path("id").asText());
        assertFalse(user.path("enabled").asBoolean(), "a disabled account is created disabled (PUT /enabled)");
        DestinationEntry found = destination.find(Map.of("username", "jsmith"), 2).get(0);
        assertEquals(id, found.name());
        assertEquals(List.of("Smith"), found.values("name.family"));
    }

    @Test
    void aModifySendsOnlyTheChangedPathsAndEnabledThroughItsEndpoint() {
        String id = destination.apply(new Plan(Plan.Action.CREATE, null, null, jsmith("true"), List.of())).id();
        sandbox.clearRequests();
        destination.apply(new Plan(Plan.Action.MODIFY, id, null, Map.of(), List.of(
                new Plan.AttributeChange("name.given", Plan.AttributeChange.Kind.REPLACE, List.of("Jan")),
                new Plan.AttributeChange("title", Plan.AttributeChange.Kind.DELETE, List.of()),
                new Plan.AttributeChange("enabled", Plan.AttributeChange.Kind.REPLACE, List.of("false")))));
        JsonNode user = client.get("/users/" + id).body();
        assertEquals("Jan", user.path("name").path("given").asText());
        assertEquals("Smith", user.path("name").path("family").asText(), "PATCH leaves what it does not name");
        assertTrue(user.path("title").isMissingNode(), "a null clears");
        assertFalse(user.path("enabled").asBoolean());
        assertEquals(List.of("PATCH", "PUT", "GET"), sandbox.requests().stream().map(PingOneSandbox.Request::method).toList());
    }

    @Test
    void anExistingUsernameIsUpdatedNeverDuplicated() {
        String existing = destination.apply(new Plan(Plan.Action.CREATE, null, null, jsmith("true"), List.of())).id();
        Map<String, List<String>> again = jsmith("true");
        again.put("name.given", List.of("Janet B."));
        String id = destination.apply(new Plan(Plan.Action.CREATE, null, null, again, List.of())).id();
        assertEquals(existing, id);
        assertEquals("Janet B.", client.get("/users/" + id).body().path("name").path("given").asText());
        assertEquals(1, destination.find(Map.of("username", "jsmith"), 5).size());
    }

    @Test
    void aDeleteOfAUserAlreadyGoneSucceeds() {
        String id = destination.apply(new Plan(Plan.Action.CREATE, null, null, jsmith("true"), List.of())).id();
        destination.apply(Plan.delete(id));
        destination.apply(Plan.delete(id));
        assertTrue(destination.read(id).isEmpty());
    }
}

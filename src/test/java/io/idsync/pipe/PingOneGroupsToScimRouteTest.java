package io.idsync.pipe;

import com.fasterxml.jackson.databind.JsonNode;
import io.idsync.connector.pingone.PingOneClient;
import io.idsync.sandbox.DemoSeed;
import io.idsync.sandbox.PingOneSandbox;
import io.idsync.testsupport.SandboxAdmin;
import io.idsync.testsupport.WiredPipes;
import io.idsync.testsupport.WiredRouteTest;
import io.idsync.testsupport.scim.ScimSdkServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@code routes/pingone-groups-to-scim.yaml} as shipped, with the users pipe it takes its members from
 * ({@code pingone-to-scim}), into scim-sdk-server 1.30.0: PingOne's groups become SCIM groups by displayName (one
 * already there is linked, not duplicated), whose members are the provisioned users' SCIM ids; a membership change
 * is a PatchOp, a rename replaces displayName, a delete deletes.
 */
class PingOneGroupsToScimRouteTest extends WiredRouteTest {

    private static final String USERS = "pingone-to-scim";
    private static final String GROUPS = "pingone-groups-to-scim";
    private static final String WORKER = "idsync-scim-groups-test";
    private static final String SECRET = "scim-groups-test-secret";

    private PingOneSandbox pingOne;
    private ScimSdkServer scim;
    private SandboxAdmin admin;

    @Override
    protected void doPreSetup() throws Exception {
        pingOne = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 1000, Duration.ZERO)).start();
        DemoSeed.seed(pingOne, WORKER, SECRET, 6, 0);
        scim = ScimSdkServer.start();
        admin = SandboxAdmin.demoAdmin(pingOne.baseUrl());
    }

    @AfterEach
    void closeSystems() {
        pingOne.close();
        scim.close();
    }

    private void start() throws Exception {
        Map<String, String> properties = WiredPipes.shipped("classpath:application.properties", USERS, GROUPS);
        for (String pipe : new String[]{USERS, GROUPS}) {
            properties.put("idsync.pipes." + pipe + ".source", "pingone");
            properties.put("idsync.pipes." + pipe + ".destination", "scim");
        }
        properties.put("idsync.pipes." + USERS + ".mapping", "mappings/" + USERS + ".yaml");
        properties.put("idsync.pipes." + USERS + ".population-to-synchronize", "Employees");
        // by name, and the renamed name too: groups-to-synchronize is read as names or ids
        properties.put("idsync.pipes." + GROUPS + ".groups-to-synchronize", "Engineering,Sales,Engineering Team");
        WiredPipes.connection(properties, "pingone", WiredPipes.pingOneConnection(pingOne.baseUrl(), DemoSeed.ENVIRONMENT, WORKER, SECRET));
        Map<String, String> connection = new java.util.HashMap<>(scim.connectionSettings());
        connection.put("type", "scim");
        WiredPipes.connection(properties, "scim", connection);
        loadRoutes("classpath:routes/" + USERS + ".yaml", "classpath:routes/" + GROUPS + ".yaml");
        systems.wire(context, properties);
        context.start();
    }

    @Test
    void pingOneGroupsBecomeScimGroupsWithTheProvisionedUsersAsMembers() throws Exception {
        String engineering = admin.groupId("Engineering");
        String first = admin.userIdStartingWith("e000001.");
        String second = admin.userIdStartingWith("e000002.");
        admin.addMember(first, engineering);
        admin.addMember(second, engineering);
        // Sales exists at the provider already: linked by displayName, not duplicated
        String existingSales = createScimGroup("Sales");
        start();
        poll(USERS);
        poll(GROUPS);
        JsonNode group = scimGroup("Engineering");
        assertEquals(Set.of(scimUserId("e000001."), scimUserId("e000002.")), members(group), "the members' SCIM ids");
        assertEquals(existingSales, scimGroup("Sales").path("id").asText(), "the existing Sales, linked");
        assertEquals(2, scim.get("/Groups").path("totalResults").asInt(), "Engineering and Sales, not Support, and no second Sales");

        // membership activities: one joins, one leaves, by PatchOps
        String third = admin.userIdStartingWith("e000003.");
        admin.addMember(third, engineering);
        admin.removeMember(first, engineering);
        poll(USERS);
        poll(GROUPS);
        assertEquals(Set.of(scimUserId("e000002."), scimUserId("e000003.")), members(scimGroup("Engineering")));
        assertEquals(true, scim.received().stream().anyMatch(r -> r.method().equals("PATCH") && r.path().startsWith("/scim/v2/Groups/")),
                "a PatchOp of the members");

        // a rename replaces displayName; a delete deletes
        String id = scimGroup("Engineering").path("id").asText();
        admin.client().send("PUT", "/groups/" + engineering, SandboxAdmin.JSON.createObjectNode().put("name", "Engineering Team"), null);
        poll(GROUPS);
        assertEquals(id, scimGroup("Engineering Team").path("id").asText(), "renamed in place");
        assertEquals(Set.of(scimUserId("e000002."), scimUserId("e000003.")), members(scimGroup("Engineering Team")), "the members go with it");
        admin.client().deleteIfPresent("/groups/" + engineering);
        poll(GROUPS);
        assertNull(scimGroup("Engineering Team"));
    }

    private String createScimGroup(String name) throws Exception {
        java.net.http.HttpResponse<String> created = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create(scim.baseUrl() + "/Groups"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString((scim.connectionSettings().get("username") + ":"
                        + scim.connectionSettings().get("password")).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .header("Content-Type", "application/scim+json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"displayName\":\""
                        + name + "\"}")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        return SandboxAdmin.JSON.readTree(created.body()).path("id").asText();
    }

    private JsonNode scimGroup(String displayName) {
        JsonNode found = scim.get("/Groups?filter=" + PingOneClient.encode("displayName eq \"" + displayName + "\""));
        return found.path("totalResults").asInt() == 0 ? null : found.path("Resources").get(0);
    }

    private String scimUserId(String usernamePrefix) {
        String username = admin.client().get("/users/" + admin.userIdStartingWith(usernamePrefix)).body().path("username").asText();
        return scim.get("/Users?filter=" + PingOneClient.encode("userName eq \"" + username + "\"")).path("Resources").get(0).path("id").asText();
    }

    private static Set<String> members(JsonNode group) {
        Set<String> ids = new TreeSet<>();
        group.path("members").forEach(member -> ids.add(member.path("value").asText()));
        return ids;
    }

}

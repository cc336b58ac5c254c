package io.idsync.e2e;

import io.idsync.sandbox.DemoSeed;
import io.idsync.sandbox.SandboxLauncher;
import io.idsync.testsupport.SandboxAdmin;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Seed 004 as shipped ({@code routes/pingone-to-scim.yaml}, its mapping and the test profile's settings): the users of
 * demo-env in group Provisioning Users are provisioned into environment p1-user-destination over its SCIM API, and
 * what an administrator sees is read back through that SCIM API, as its worker app.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedSystemsResource.class)
class PingOneToScimTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String DESTINATION = "p1-user-destination";

    @Inject
    SandboxLauncher systems;

    SandboxAdmin source;

    @BeforeEach
    void admin() {
        source = SandboxAdmin.demoAdmin(systems.pingOne().baseUrl());
    }

    @Test
    void membersOfProvisioningUsersAppearInTheOtherEnvironmentsScimApi() {
        String group = source.groupId(DemoSeed.PROVISIONING_GROUP);
        List<String> seededMembers = source.client().get("/users?filter=" + io.idsync.connector.pingone.PingOneClient.encode(
                        "memberOfGroups[id eq \"" + group + "\"]")).body().path("_embedded").path("users").findValuesAsText("username");
        assertEquals(2, seededMembers.size(), "the tutorial's two users");
        await().atMost(WAIT).until(() -> seededMembers.stream().allMatch(username -> scimUser(username) != null));
        assertEquals(Boolean.TRUE, scimUser(seededMembers.get(0)).getBoolean("active"));

        // add a user to the group: it appears; remove it: the remove action (disable) makes it inactive
        String username = source.user(io.idsync.testsupport.TwoEnvironments.username(source, "e000007.")).path("username").asText();
        String id = source.user(username).path("id").asText();
        source.addMember(id, group);
        await().atMost(WAIT).until(() -> scimUser(username) != null);
        JsonPath added = scimUser(username);
        assertEquals(source.user(username).path("name").path("family").asText(), added.getString("name.familyName"));
        assertEquals(source.user(username).path("email").asText(), added.getString("emails.find { it.type == 'work' }.value"));

        source.patchUser(id, SandboxAdmin.JSON.createObjectNode().put("title", "Provisioned by seed 004"));
        await().atMost(WAIT).until(() -> "Provisioned by seed 004".equals(scimUser(username).getString("title")));

        source.removeMember(id, group);
        await().atMost(WAIT).until(() -> Boolean.FALSE.equals(scimUser(username).getBoolean("active")));
    }

    /** The user of this userName as p1-user-destination's SCIM API answers it, or null. */
    private JsonPath scimUser(String userName) {
        String base = systems.pingOne().baseUrl();
        String token = given().auth().preemptive().basic("idsync-test-worker", "idsync-test-worker-secret")
                .formParam("grant_type", "client_credentials").post(base + "/" + DESTINATION + "/as/token").jsonPath().getString("access_token");
        // auth().none(): another test may have left RestAssured's default authentication set
        JsonPath page = given().auth().none().header("Authorization", "Bearer " + token).accept("application/scim+json")
                .queryParam("filter", "userName eq \"" + userName + "\"").get(base + "/environments/" + DESTINATION + "/v2/Users")
                .then().statusCode(200).extract().jsonPath();
        return page.getInt("totalResults") == 0 ? null : new JsonPath(page.prettify()).setRootPath("Resources[0]");
    }
}

package io.idsync.e2e;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /api/connections/{connection}/test}, as seed 004's Test Connection: each kind's steps against the
 * embedded systems, and what an administrator reads when the secret, the base URL or the host is wrong.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedSystemsResource.class)
class ConnectionTestApiTest {

    @AfterEach
    void anonymous() {
        RestAssured.authentication = RestAssured.DEFAULT_AUTH; // not reset(): that would lose the test port too
    }

    private static JsonPath test(String connection) {
        ApiUsers.asOperator();
        return given().post("/api/connections/" + connection + "/test").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void eachKindsConnectionPassesItsSteps() {
        JsonPath scim = test("p1-user-destination");
        assertTrue(scim.getBoolean("usable"), scim.prettify());
        assertEquals(List.of("settings", "authenticate and read /ServiceProviderConfig", "read /Schemas", "read /ResourceTypes", "read /Users"),
                scim.getList("checks.check"));
        assertEquals("updates by PATCH; filter supported, at most 200 results; ETags not supported", scim.getString("checks[1].detail"));
        assertTrue(scim.getString("checks[3].detail").startsWith("1: User"), scim.getString("checks[3].detail"));

        JsonPath pingOne = test("pingone");
        assertTrue(pingOne.getBoolean("usable"), pingOne.prettify());
        assertEquals(List.of("settings", "authenticate and read the environment", "read populations"), pingOne.getList("checks.check"));

        JsonPath directory = test("directory");
        assertTrue(directory.getBoolean("usable"), directory.prettify());
        assertEquals("dc=example,dc=com is there", directory.getString("checks[2].detail"));
    }

    @Test
    void aBrokenConnectionSaysWhatToFixAndNeverItsSecret() {
        JsonPath secret = test("scim-wrong-secret");
        assertFalse(secret.getBoolean("usable"));
        String refused = secret.getString("checks[1].detail");
        assertTrue(refused.contains("token request of client idsync-test-worker") && refused.contains("401"), refused);
        assertFalse(secret.prettify().contains("not-the-secret"), "no secret in the answer");

        String wrongUrl = test("scim-wrong-url").getString("checks.find { !it.passed }.detail");
        assertTrue(wrongUrl.contains("answers 404: base-url is not a SCIM 2.0 root"), wrongUrl);

        String nothing = test("scim-nothing-there").getString("checks[1].detail");
        assertTrue(nothing.contains("nothing answers at that host and port (connection refused)"), nothing);

        ApiUsers.asOperator();
        given().post("/api/connections/no-such-connection/test").then().statusCode(404);
        RestAssured.authentication = RestAssured.preemptive().basic(ApiUsers.VIEWER, ApiUsers.VIEWER_PASSWORD);
        given().post("/api/connections/pingone/test").then().statusCode(403);
    }
}

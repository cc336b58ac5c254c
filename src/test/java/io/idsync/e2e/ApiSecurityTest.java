package io.idsync.e2e;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.containsStringIgnoringCase;

/** The HTTP API asks who you are: nobody reads without a user, a viewer reads, only an operator acts. */
@QuarkusTest
@QuarkusTestResource(EmbeddedSystemsResource.class)
class ApiSecurityTest {

    @Test
    void withoutCredentialsNothingIsAnsweredButAChallenge() {
        RestAssured.given().auth().none().get("/api/pipes").then().statusCode(401).header("WWW-Authenticate", containsStringIgnoringCase("basic"));
        RestAssured.given().auth().none().post("/api/pipes/pingone-to-directory/resync").then().statusCode(401);
        RestAssured.given().auth().preemptive().basic(ApiUsers.OPERATOR, "not-the-password").get("/api/pipes").then().statusCode(401);
    }

    @Test
    void aViewerReadsButMayNotResyncReconcileOrConfirm() {
        RestAssured.given().auth().preemptive().basic(ApiUsers.VIEWER, ApiUsers.VIEWER_PASSWORD).get("/api/pipes/pingone-to-directory")
                .then().statusCode(200);
        for (String operation : new String[]{"resync?dryRun=true", "reconcile", "confirm-deletions"}) {
            RestAssured.given().auth().preemptive().basic(ApiUsers.VIEWER, ApiUsers.VIEWER_PASSWORD)
                    .post("/api/pipes/pingone-to-directory/" + operation).then().statusCode(403);
        }
    }

    @Test
    void anOperatorActs() {
        RestAssured.given().auth().preemptive().basic(ApiUsers.OPERATOR, ApiUsers.OPERATOR_PASSWORD)
                .post("/api/pipes/pingone-to-directory/resync?dryRun=true").then().statusCode(200);
    }
}

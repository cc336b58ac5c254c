package io.idsync.e2e;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.containsStringIgnoringCase;

/**
 * The HTTP API asks who you are: nobody reads without a user, a viewer reads, only an operator acts; the users are
 * declared by password hashes (the test profile's, as a deployment's). And an operator's browser cannot be made to act
 * by another site: a cross-site form POST is refused with 403 and starts nothing; every answer forbids framing,
 * sniffing, inline script and referrers.
 */
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
    void aViewerReadsButMayNotResyncReconcileOrDecideHeldRemovals() {
        RestAssured.given().auth().preemptive().basic(ApiUsers.VIEWER, ApiUsers.VIEWER_PASSWORD).get("/api/pipes/pingone-to-directory")
                .then().statusCode(200);
        for (String operation : new String[]{"resync?dryRun=true", "reconcile", "held/approve?all=true", "held/reject?all=true", "startpoint?at=end", "provision?id=x&dryRun=true", "dismiss?category=schema"}) {
            RestAssured.given().auth().preemptive().basic(ApiUsers.VIEWER, ApiUsers.VIEWER_PASSWORD)
                    .post("/api/pipes/pingone-to-directory/" + operation).then().statusCode(403);
        }
    }

    @Test
    void anOperatorActs() {
        RestAssured.given().auth().preemptive().basic(ApiUsers.OPERATOR, ApiUsers.OPERATOR_PASSWORD)
                .post("/api/pipes/pingone-to-directory/resync?dryRun=true").then().statusCode(200);
    }

    private static io.restassured.specification.RequestSpecification operator() {
        return RestAssured.given().auth().preemptive().basic(ApiUsers.OPERATOR, ApiUsers.OPERATOR_PASSWORD);
    }

    private static String lastRun() {
        return operator().get("/api/pipes/pingone-to-directory").then().statusCode(200).extract().jsonPath().getString("lastRun.id");
    }

    @Test
    void aFormOnAnotherSiteCannotDriveTheApi() {
        String before = lastRun();
        // the attack as tried: a cross-origin HTML form POST carrying the operator's basic credentials
        operator().header("Origin", "http://evil.example").contentType("application/x-www-form-urlencoded").formParam("dryRun", "false")
                .post("/api/pipes/pingone-to-directory/runs").then().statusCode(403)
                .body("message", org.hamcrest.Matchers.containsString("origin http://evil.example"));
        for (String operation : new String[]{"held/approve?all=true", "held/reject?all=true", "provision?id=x&dryRun=true", "deprovision", "retry-failed", "reconcile", "resync", "startpoint?at=end"}) {
            operator().header("Origin", "http://evil.example").post("/api/pipes/pingone-to-directory/" + operation).then().statusCode(403);
            operator().header("Sec-Fetch-Site", "cross-site").post("/api/pipes/pingone-to-directory/" + operation).then().statusCode(403);
            operator().contentType("text/plain").body("x").post("/api/pipes/pingone-to-directory/" + operation).then().statusCode(403)
                    .body("message", org.hamcrest.Matchers.containsString("any HTML form can send"));
        }
        operator().header("Origin", "null").contentType("multipart/form-data").multiPart("dryRun", "false")
                .post("/api/pipes/pingone-to-directory/runs").then().statusCode(403);
        org.junit.jupiter.api.Assertions.assertEquals(before, lastRun(), "no run started");
        org.hamcrest.MatcherAssert.assertThat(operator().get("/api/pipes/pingone-to-directory").then().extract().jsonPath().getMap("$").keySet(),
                org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem("run")));
    }

    @Test
    void theDashboardsOwnCallsAndToolsStillAct() {
        String self = RestAssured.baseURI + ":" + RestAssured.port; // the origin the dashboard is served from
        operator().header("Origin", self).header("Sec-Fetch-Site", "same-origin").post("/api/pipes/pingone-to-directory/resync?dryRun=true")
                .then().log().ifValidationFails().statusCode(200);
        operator().post("/api/pipes/pingone-to-directory/resync?dryRun=true").then().log().ifValidationFails().statusCode(200); // curl -X POST
    }

    @Test
    void everyAnswerForbidsFramingSniffingInlineScriptAndReferrers() {
        for (String path : new String[]{"/", "/api/pipes", "/q/health/live"}) {
            RestAssured.given().auth().preemptive().basic(ApiUsers.VIEWER, ApiUsers.VIEWER_PASSWORD).get(path).then()
                    .header("Content-Security-Policy", org.hamcrest.Matchers.allOf(containsStringIgnoringCase("frame-ancestors 'none'"),
                            containsStringIgnoringCase("script-src 'self'"), org.hamcrest.Matchers.not(containsStringIgnoringCase("unsafe-inline"))))
                    .header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "no-referrer").header("X-Frame-Options", "DENY");
        }
    }
}

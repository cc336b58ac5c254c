package io.idsync.e2e;

import io.idsync.sandbox.PingOneSandbox;
import io.idsync.sandbox.SandboxEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OIDC bearer tokens where the deployment names its provider: here a PingOne environment's authorization server
 * (a sandbox of its own, started before the application), whose worker apps get signed JWTs by client credentials.
 * A token with scope {@code idsync:operator} acts, one with {@code idsync:viewer} reads, a token of no role, a forged
 * one or none at all get nothing; basic users still work beside.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedSystemsResource.class)
@TestProfile(ApiBearerTokensTest.WithOidc.class)
class ApiBearerTokensTest {

    static final String ENVIRONMENT = "idsync-admins";

    /** OIDC on, pointed at the provider {@link Provider} started. */
    public static class WithOidc implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Provider.class));
        }
    }

    /** The identity provider: a PingOne sandbox environment with three apps. */
    public static class Provider implements QuarkusTestResourceLifecycleManager {
        static PingOneSandbox sandbox;

        @Override
        public Map<String, String> start() {
            try {
                sandbox = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 10, Duration.ZERO)).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            SandboxEnvironment admins = sandbox.createEnvironment(ENVIRONMENT);
            for (String app : List.of("ops-console", "monitoring", "someone-else")) {
                admins.addApplication(app, app, app + "-secret", SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_BASIC);
            }
            admins.grantScopes("ops-console", "idsync:operator");
            admins.grantScopes("monitoring", "idsync:viewer");
            admins.grantScopes("someone-else", "profile");
            return Map.of("quarkus.oidc.tenant-enabled", "true",
                    "quarkus.oidc.auth-server-url", sandbox.baseUrl() + "/" + ENVIRONMENT + "/as");
        }

        @Override
        public void stop() {
            if (sandbox != null) {
                sandbox.close();
            }
        }
    }

    private static String token(String app) {
        String token = RestAssured.given().auth().preemptive().basic(app, app + "-secret").formParam("grant_type", "client_credentials")
                .post(Provider.sandbox.baseUrl() + "/" + ENVIRONMENT + "/as/token").then().statusCode(200).extract().path("access_token");
        assertTrue(token.split("\\.").length == 3, "a JWT: " + token);
        return token;
    }

    @Test
    void anOperatorsTokenActsAViewersReadsOthersGetNothing() {
        String operator = token("ops-console");
        RestAssured.given().auth().oauth2(operator).post("/api/pipes/pingone-to-directory/resync?dryRun=true").then().statusCode(200);
        String viewer = token("monitoring");
        RestAssured.given().auth().oauth2(viewer).get("/api/pipes").then().statusCode(200);
        RestAssured.given().auth().oauth2(viewer).post("/api/pipes/pingone-to-directory/reconcile").then().statusCode(403);
        RestAssured.given().auth().oauth2(token("someone-else")).get("/api/pipes").then().statusCode(403);
    }

    @Test
    void aForgedOrMissingTokenIs401AndBasicUsersStillWork() {
        String[] parts = token("monitoring").split("\\.");
        String forgedClaims = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(java.util.Base64.getUrlDecoder().decode(parts[1])).replace("idsync:viewer", "idsync:operator").getBytes());
        RestAssured.given().auth().oauth2(parts[0] + "." + forgedClaims + "." + parts[2]).get("/api/pipes").then().statusCode(401);
        RestAssured.given().auth().oauth2("not-a-token").get("/api/pipes").then().statusCode(401);
        RestAssured.given().auth().none().get("/api/pipes").then().statusCode(401);
        RestAssured.given().auth().preemptive().basic(ApiUsers.VIEWER, ApiUsers.VIEWER_PASSWORD).get("/api/pipes").then().statusCode(200);
    }
}

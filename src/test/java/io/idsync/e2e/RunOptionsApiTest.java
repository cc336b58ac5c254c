package io.idsync.e2e;

import io.idsync.sandbox.SandboxLauncher;
import io.idsync.testsupport.SandboxAdmin;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PingDataSync's resync options through the HTTP API of the whole application: a run at a rate (changeable while it
 * runs) and a run of a subset of entries named by their ids, on the shipped pingone-to-directory pipe (200 employees).
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedSystemsResource.class)
class RunOptionsApiTest {

    private static final String PIPE = "/api/pipes/pingone-to-directory";

    @Inject
    SandboxLauncher systems;

    @BeforeEach
    void loaded() {
        ApiUsers.asOperator();
        await().atMost(Duration.ofSeconds(30)).until(() -> RestAssured.get(PIPE).jsonPath().getInt("syncStatus.success") >= 200);
    }

    @Test
    void aResyncAtARateTakesAsLongAsItsRateSays() {
        JsonPath report = runToItsEnd(RestAssured.post(PIPE + "/runs?dryRun=false&ratePerSecond=20").then().statusCode(202).extract().jsonPath());
        long entries = report.getLong("entries");
        assertTrue(entries >= 200, "every employee: " + entries);
        double seconds = report.getDouble("seconds");
        assertTrue(seconds >= (entries / 20.0 - 1) * 0.9, entries + " entries at 20/s in " + seconds + " s");
        assertEquals(20, report.getInt("ratePerSecond"));
        assertTrue(Math.abs(report.getInt("entriesPerSecond") - 20) <= 2, "the measured rate is within 10 % of 20/s: " + report.getInt("entriesPerSecond"));
    }

    @Test
    void theRateOfARunningResyncChangesWhenAnOperatorSaysSo() {
        JsonPath started = RestAssured.post(PIPE + "/runs?dryRun=false&ratePerSecond=4").then().statusCode(202).extract().jsonPath();
        String run = PIPE + "/runs/" + started.getString("id");
        await().atMost(Duration.ofSeconds(10)).until(() -> RestAssured.get(run).jsonPath().getInt("entries") >= 4);
        RestAssured.given().patch(run + "?ratePerSecond=0").then().statusCode(400);
        JsonPath changed = RestAssured.given().patch(run + "?ratePerSecond=400").then().statusCode(200).extract().jsonPath();
        assertEquals(400, changed.getInt("ratePerSecond"));
        // at 4/s the 200 employees would take 50 s
        JsonPath report = runToItsEnd(started);
        assertTrue(report.getDouble("seconds") < 30, "sped up: " + report.getDouble("seconds") + " s");
        RestAssured.given().patch(run + "?ratePerSecond=10").then().statusCode(409);
        assertTrue(RestAssured.get("/api/audit?pipe=pingone-to-directory&operation=run-rate-changed").jsonPath().getList("records.reason").stream()
                .anyMatch(reason -> String.valueOf(reason).startsWith(ApiUsers.OPERATOR + " changed the rate of run " + started.getString("id") + " from 4 to 400")));
    }

    @Test
    void aResyncOfASubsetTouchesOnlyTheEntriesItNames() {
        SandboxAdmin admin = SandboxAdmin.demoAdmin(systems.pingOne().baseUrl());
        List<String> ids = List.of("e000101.", "e000102.", "e000103.").stream().map(admin::userIdStartingWith).toList();
        JsonPath report = runToItsEnd(RestAssured.post(PIPE + "/runs?dryRun=true&ids=" + String.join(",", ids)).then().statusCode(202).extract().jsonPath());
        assertEquals(3, report.getInt("entries"), report.prettify());
        assertEquals(3, report.getInt("subset"));
        RestAssured.post(PIPE + "/runs?dryRun=true&ids=a,,b").then().statusCode(400);
    }

    @Test
    void aResyncOfTheEntriesTheSourcesOwnFilterMatchesReadsOnlyThose() {
        SandboxAdmin admin = SandboxAdmin.demoAdmin(systems.pingOne().baseUrl());
        String filter = "username sw \"e00001\"";
        int matching = admin.client().get("/users?limit=1000&filter=" + io.idsync.connector.pingone.PingOneClient.encode(
                "population.id eq \"" + admin.populationId("Employees") + "\" and (" + filter + ")")).body().path("_embedded").path("users").size();
        assertTrue(matching >= 10, "e000010 to e000019 at least: " + matching);
        JsonPath report = runToItsEnd(RestAssured.given().queryParam("dryRun", "true").queryParam("filter", filter).post(PIPE + "/runs")
                .then().statusCode(202).extract().jsonPath());
        assertEquals(matching, report.getInt("entries"), report.prettify());
        RestAssured.given().queryParam("dryRun", "true").queryParam("filter", filter).queryParam("ids", "a").post(PIPE + "/runs")
                .then().statusCode(400).body("error", org.hamcrest.Matchers.containsString("ids= or filter=, not both"));
        // a filter that would close the population's parentheses and widen the search is refused, nothing started
        RestAssured.given().queryParam("dryRun", "true").queryParam("filter", "username sw \"e\") or (username pr").post(PIPE + "/runs")
                .then().statusCode(400).body("error", org.hamcrest.Matchers.containsString("does not balance its parentheses and quotes"))
                .body("accepted", org.hamcrest.Matchers.containsString("PingOne filter"));
    }

    private static JsonPath runToItsEnd(JsonPath started) {
        String run = PIPE + "/runs/" + started.getString("id");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> !RestAssured.get(run).jsonPath().getString("state").equals("running"));
        JsonPath report = RestAssured.get(run).jsonPath();
        assertEquals("finished", report.getString("state"), report.prettify());
        return report;
    }
}

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

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seed 003's sync status through the HTTP API of the whole application: the figures per pipe, a failed entry with
 * why and its background retries, an operator's retry, the audit log's records and filters, and the platform's
 * /q/health (a check per connection) and /q/metrics (the figures, outcomes and requests per connection).
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedSystemsResource.class)
class SyncStatusApiTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PIPE = "pingone-to-directory";

    @Inject
    SandboxLauncher systems;

    SandboxAdmin admin;

    @BeforeEach
    void loaded() {
        ApiUsers.asOperator();
        admin = SandboxAdmin.demoAdmin(systems.pingOne().baseUrl());
        await().atMost(WAIT).until(() -> RestAssured.get("/api/pipes/" + PIPE).jsonPath().getInt("syncStatus.success") >= 200);
    }

    @Test
    void figuresEntriesRetriesAndTheAuditLog() {
        JsonPath status = RestAssured.get("/api/pipes/" + PIPE).jsonPath();
        assertEquals("users", status.getString("syncStatus.entryType"));
        assertEquals(status.getInt("syncStatus.impacted"), status.getInt("syncStatus.success")
                + status.getInt("syncStatus.unsynced") + status.getInt("syncStatus.partialSynced") + status.getInt("syncStatus.failed"));
        JsonPath groups = RestAssured.get("/api/pipes/directory-groups-to-pingone").jsonPath();
        assertEquals("groups", groups.getString("syncStatus.entryType"));
        assertFalse(groups.getMap("syncStatus").containsKey("partialSynced"), "groups: Impacted, Success, Failed");

        com.fasterxml.jackson.databind.node.ObjectNode bad = SandboxAdmin.JSON.createObjectNode();
        bad.put("username", "status.bad.phone").put("email", "status.bad.phone@example.com").put("primaryPhone", "555 {ext 99}");
        bad.putObject("name").put("given", "Status").put("family", "Phone");
        bad.putObject("population").put("id", admin.populationId("Employees"));
        String badId = admin.createUser(bad);
        await().atMost(WAIT).until(() -> RestAssured.get("/api/pipes/" + PIPE + "/entries?status=failed").jsonPath()
                .getList("entries.sourceId").contains(badId));
        // retried in the background with backoff, then held for an operator
        await().atMost(WAIT).until(() -> RestAssured.get("/api/pipes/" + PIPE + "/entries/" + badId).jsonPath().getInt("retryAttempts") >= 2);
        JsonPath entry = RestAssured.get("/api/pipes/" + PIPE + "/entries/" + badId).jsonPath();
        assertEquals("failed", entry.getString("status"));
        assertTrue(entry.getString("reason").contains("LDAP add uid=status.bad.phone"), entry.getString("reason"));
        assertEquals("create", entry.getString("recentOperations[0].operation"));
        assertEquals("failed", entry.getString("recentOperations[0].outcome"));
        assertTrue(RestAssured.get("/api/pipes/" + PIPE).jsonPath().getInt("syncStatus.failed") >= 1);
        JsonPath listed = RestAssured.get("/api/pipes/" + PIPE + "/entries?status=failed&q=STATUS.BAD").jsonPath();
        assertEquals("create", listed.getString("entries[0].operation"), "the operation that failed");
        List<String> found = listed.getList("entries.sourceId");
        assertEquals(List.of(badId), found, "q: in the reason of a failed create (it has no destination name yet), ignoring case");

        // fixed at the source, and retried by the operator now
        admin.patchUser(badId, SandboxAdmin.JSON.createObjectNode().put("primaryPhone", "555 0199"));
        given().post("/api/pipes/" + PIPE + "/entries/" + badId + "/retry").then().statusCode(202);
        await().atMost(WAIT).until(() -> "success".equals(RestAssured.get("/api/pipes/" + PIPE + "/entries/" + badId).jsonPath().getString("status")));
        given().post("/api/pipes/" + PIPE + "/retry-failed").then().statusCode(202);
        given().get("/api/pipes/" + PIPE + "/entries?status=bogus").then().statusCode(400);

        JsonPath audit = RestAssured.get("/api/audit?pipe=" + PIPE + "&entry=" + badId).jsonPath();
        assertEquals("succeeded", audit.getString("records[0].outcome"), "newest first: the retried create");
        assertTrue(audit.getList("records.outcome").contains("failed"));
        assertTrue(audit.getList("records.attributes").stream().noneMatch(names -> String.valueOf(names).contains("555")),
                "attribute names, never their values: " + audit.getList("records.attributes"));
        JsonPath asked = RestAssured.get("/api/audit?operation=retry-asked").jsonPath();
        assertTrue(asked.getList("records.reason").contains("entry " + badId), asked.prettify());
        given().get("/api/audit?from=yesterday").then().statusCode(400);
    }

    @Test
    void aResyncInTheBackgroundIsFollowedByItsIdToItsReport() {
        io.restassured.response.Response started = given().post("/api/pipes/" + PIPE + "/runs?dryRun=true");
        assertEquals(202, started.statusCode(), started.asString());
        String id = started.jsonPath().getString("id");
        assertEquals("/api/pipes/" + PIPE + "/runs/" + id, started.header("Location"));
        await().atMost(WAIT).until(() -> "finished".equals(RestAssured.get("/api/pipes/" + PIPE + "/runs/" + id).jsonPath().getString("state")));
        JsonPath report = RestAssured.get("/api/pipes/" + PIPE + "/runs/" + id).jsonPath();
        assertEquals(true, report.getBoolean("dryRun"));
        assertTrue(report.getLong("entries") >= 200, report.prettify());
        assertEquals("finished", given().post("/api/pipes/" + PIPE + "/runs/" + id + "/cancel").jsonPath().getString("state"),
                "a run that ended is not cancelled");
        given().get("/api/pipes/" + PIPE + "/runs/no-such-run").then().statusCode(404);
        assertTrue(RestAssured.get("/api/audit?pipe=" + PIPE + "&operation=resync-dry-run-started").jsonPath().getList("records").size() >= 1);
    }

    @Test
    void healthHasACheckPerConnectionAndMetricsTheFigures() {
        RestAssured.authentication = RestAssured.DEFAULT_AUTH; // the platform's probes and scrapers have no credentials
        io.restassured.response.Response health = given().get("/q/health/ready");
        assertEquals(200, health.statusCode(), health.asString());
        JsonPath ready = health.jsonPath();
        assertEquals("UP", ready.getString("status"));
        assertEquals("up", ready.getString("checks.find { it.name == 'idsync connections' }.data.directory"));
        assertEquals("up", ready.getString("checks.find { it.name == 'idsync connections' }.data.pingone"));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("idsync_pipe_entries{idsync_instance=\"idsync-test\",pipe=\"pingone-to-directory\",status=\"success\"}"), "the figures");
        assertTrue(metrics.contains("idsync_pipe_outcomes_total{idsync_instance=\"idsync-test\",outcome=\"created\",pipe=\"pingone-to-directory\"}"), "the outcomes");
        assertTrue(metrics.contains("idsync_connection_requests_seconds_count{connection=\"pingone\",idsync_instance=\"idsync-test\",kind=\"pingone\",method=\"GET\",status=\"200\"}"),
                "requests per connection");
        assertTrue(metrics.contains("idsync_pipe_change_lag_seconds{idsync_instance=\"idsync-test\",pipe=\"pingone-to-directory\"}"), "the change lag");
        assertTrue(metrics.contains("idsync_connection_requests_seconds_count{connection=\"directory\",idsync_instance=\"idsync-test\",kind=\"ldap\",method=\"CREATE\",status=\"success\"}"),
                "LDAP writes per connection");
        given().get("/api/pipes").then().statusCode(401);
        ApiUsers.asOperator();
    }

    @Test
    void eachChangesLatencyIsInTheStatusTheMetricsAndAgainstItsObjectiveInHealth() {
        String id = admin.userIdStartingWith("e000150.");
        long before = RestAssured.get("/api/pipes/" + PIPE).jsonPath().getLong("latency.changes");
        admin.patchUser(id, SandboxAdmin.JSON.createObjectNode().put("title", "Latency " + System.nanoTime()));
        await().atMost(WAIT).until(() -> RestAssured.get("/api/pipes/" + PIPE).jsonPath().getLong("latency.changes") > before);
        JsonPath latency = RestAssured.get("/api/pipes/" + PIPE).jsonPath().setRootPath("latency");
        double p50 = latency.getDouble("p50Seconds");
        double p99 = latency.getDouble("p99Seconds");
        assertTrue(p50 > 0 && p99 >= p50 && p99 < 20, "p50 " + p50 + " s, p99 " + p99 + " s");
        assertEquals(0.001, latency.getDouble("objectiveSeconds"), 1e-9);
        assertTrue(latency.getBoolean("objectiveBreached"), "no change takes under a millisecond");
        String metrics = RestAssured.get("/q/metrics").asString();
        assertTrue(metrics.lines().anyMatch(line -> line.startsWith("idsync_change_latency_seconds_bucket{") && line.contains("pipe=\"" + PIPE + "\"")),
                "the histogram's buckets for the platform's quantiles");
        JsonPath health = RestAssured.get("/q/health/ready").jsonPath();
        String check = "checks.find { it.name == 'idsync latency objectives' }";
        assertEquals("UP", health.getString(check + ".status"), "a breach is a warning, not a failure");
        assertTrue(health.getString(check + ".data.'" + PIPE + "'").startsWith("warning: past its objective: p99 "), health.prettify());
    }
}

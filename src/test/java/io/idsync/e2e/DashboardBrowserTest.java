package io.idsync.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.sandbox.SandboxLauncher;
import io.idsync.testsupport.RequiredTool;
import io.idsync.testsupport.SandboxAdmin;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real browser: Debian's headless Chromium, driven by puppeteer-core 24
 * ({@code src/test/browser/dashboard-check.mjs}) as an operator. The page must show every pipe with the figures the
 * API has, a failed entry with its reason, a dry run's preview of a drift made in the directory behind idsync's back,
 * a resync started from its button with its progress and its end (which repairs the drift), and a startpoint set from
 * the card (refused, then set, and audited with the operator's name), and the removals a reconciliation's deletion
 * guard held (users moved out of scope behind the change feed's back, more than its limit): one approved from its line
 * and removed, the rest rejected and kept. Skipped on a
 * machine without Chromium or Node.js; failed under .ci/run (IDSYNC_REQUIRE_BROWSER), which installs them.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedSystemsResource.class)
class DashboardBrowserTest {

    private static final Path BROWSER = Path.of(System.getProperty("user.dir"), "src/test/browser");
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String PIPE = "pingone-to-directory";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    SandboxLauncher systems;

    @TestHTTPResource("/")
    URL page;

    @Test
    void thePageShowsThePipesTheirFailuresADryRunsPreviewAndAResyncsProgress() throws Exception {
        requireBrowser();
        ApiUsers.asOperator();
        await().atMost(WAIT).until(() -> RestAssured.get("/api/pipes/" + PIPE).jsonPath().getInt("syncStatus.success") >= 200);
        SandboxAdmin admin = SandboxAdmin.demoAdmin(systems.pingOne().baseUrl());
        com.fasterxml.jackson.databind.node.ObjectNode bad = SandboxAdmin.JSON.createObjectNode();
        bad.put("username", "dashboard.bad.phone").put("email", "dashboard.bad.phone@example.com").put("primaryPhone", "555 {ext 7}");
        bad.putObject("name").put("given", "Dash").put("family", "Board");
        bad.putObject("population").put("id", admin.populationId("Employees"));
        String badId = admin.createUser(bad);
        await().atMost(WAIT).until(() -> RestAssured.get("/api/pipes/" + PIPE + "/entries?status=failed").jsonPath().getList("entries.sourceId").contains(badId));
        // more users out of scope than the deletion guard lets one run remove (10 %), unseen by the change feed: the
        // reconciliation finds them all and holds every removal
        int linked = RestAssured.get("/api/pipes/" + PIPE).jsonPath().getInt("linkedEntries");
        io.idsync.sandbox.SandboxEnvironment environment = systems.pingOne().environment(io.idsync.sandbox.DemoSeed.ENVIRONMENT);
        List<String> leaving = environment.userIdsInPopulation(admin.populationId("Employees")).stream()
                .filter(id -> !id.equals(badId) && !id.equals(admin.userIdStartingWith("e000005."))).limit(linked / 10 + 2).toList();
        leaving.forEach(id -> environment.moveUserWithoutActivity(id, admin.populationId("Contractors")));
        try {
            thePageShows(admin, leaving, linked);
        } finally {
            // back in scope, as the other tests found them: re-linked (the rejected) and created again (the approved)
            leaving.forEach(id -> admin.movePopulation(id, "Employees"));
            await().atMost(WAIT).until(() -> RestAssured.get("/api/pipes/" + PIPE).jsonPath().getInt("linkedEntries") == linked);
        }
    }

    private void thePageShows(SandboxAdmin admin, List<String> leaving, int linked) throws Exception {
        RestAssured.given().post("/api/pipes/" + PIPE + "/reconcile").then().statusCode(200);
        assertEquals(leaving.size(), RestAssured.get("/api/pipes/" + PIPE).jsonPath().getInt("heldRemovals"), "every removal held");
        // a drift behind idsync's back: only a resync (or its dry run) sees it
        String drifted = "uid=" + admin.client().get("/users/" + admin.userIdStartingWith("e000005.")).body().path("username").asText()
                + "," + DemoDirectory.PEOPLE_DN;
        try (LDAPConnection ldap = systems.directory().connection()) {
            ldap.modify(drifted, new Modification(ModificationType.REPLACE, "title", "Drifted"));
        }
        JsonPath api = RestAssured.get("/api/pipes").jsonPath();
        JsonPath now = RestAssured.get("/api/pipes/" + PIPE).jsonPath(); // the figures as the page first shows them
        checkThePage(api, now, admin, leaving, drifted, linked);
    }

    private void checkThePage(JsonPath api, JsonPath now, SandboxAdmin admin, List<String> leaving, String drifted, int linked) throws Exception {

        Path screenshot = Path.of(System.getProperty("user.dir"), "target", "dashboard.png");
        // a contractor, provisioned on demand in a dry run from the card: out of the pipe's scope, and the trace says why
        String contractor = admin.client().get("/users/" + admin.userIdStartingWith("c000001.")).body().path("username").asText();
        JsonNode seen = run(page.toString(), ApiUsers.OPERATOR, ApiUsers.OPERATOR_PASSWORD, PIPE, screenshot, contractor);
        assertTrue(seen.path("error").isMissingNode(), "the browser: " + seen.path("error").asText());
        assertEquals(200, seen.path("status").asInt(), "the page, as an operator");

        List<String> pipes = api.getList("pipe");
        List<String> shown = new ArrayList<>();
        seen.path("cards").forEach(card -> shown.add(card.path("pipe").asText()));
        assertEquals(pipes, shown, "a card per pipe");
        JsonNode card = null;
        for (JsonNode each : seen.path("cards")) {
            if (each.path("pipe").asText().equals(PIPE)) {
                card = each;
            }
        }
        assertEquals("Users", card.path("kind").asText());
        assertTrue(card.path("heldBy").asText().startsWith("on idsync-test since "), "which instance runs the pipe: " + card.path("heldBy"));
        for (String figure : List.of("impacted", "success", "unsynced", "partialSynced", "failed")) {
            assertEquals(now.getInt("syncStatus." + figure), card.path("figures").path(figure).asInt(), figure + " as the API says");
        }
        assertTrue(card.path("failures").toString().contains("LDAP add uid=dashboard.bad.phone"), "the failure's reason: " + card.path("failures"));

        JsonNode dryRun = seen.path("dryRun");
        assertTrue(dryRun.path("previewShown").asBoolean(), dryRun.toString());
        assertTrue(dryRun.path("preview").toString().toLowerCase().contains("modify " + drifted.toLowerCase()), "the preview: " + dryRun.path("preview"));

        JsonNode resync = seen.path("resync");
        assertTrue(resync.size() >= 2, "the resync's course: " + resync);
        assertTrue(resync.get(0).path("shown").asBoolean() && resync.get(0).path("disabled").asBoolean(),
                "while it runs: the progress shows and the buttons wait: " + resync.get(0));
        JsonNode end = resync.get(resync.size() - 1);
        assertTrue(end.path("lastRun").asText().startsWith("Resync finished: "), end.toString());
        assertEquals(end.path("max").asDouble(), end.path("value").asDouble(), "the bar full at the end");
        try (LDAPConnection ldap = systems.directory().connection()) {
            assertTrue(!"Drifted".equals(ldap.getEntry(drifted, "title").getAttributeValue("title")), "the resync repaired the drift");
        }
        JsonNode startpoint = seen.path("startpoint");
        assertTrue(startpoint.path("before").asText().startsWith("PingOne activities recorded from "), "where the feed reads from: " + startpoint);
        assertTrue(startpoint.path("refused").asText().startsWith("Not set: PingOne keeps its activities for a limited time"), startpoint.toString());
        assertTrue(startpoint.path("set").asText().startsWith("Set: PingOne activities recorded from "), startpoint.toString());
        // the pipe polls on from there (every 200 ms here): what the card and the API show next is the position set, or later
        java.util.function.Function<String, java.time.Instant> at = position -> java.time.Instant.parse(position.replaceAll("^.* from (\\S+).*$", "$1"));
        java.time.Instant set = at.apply(startpoint.path("set").asText());
        assertTrue(!at.apply(startpoint.path("after").asText()).isBefore(set), "the card shows the new position or later: " + startpoint);
        assertTrue(!at.apply(RestAssured.get("/api/pipes/" + PIPE + "/startpoint").jsonPath().getString("position")).isBefore(set),
                "the feed went on from the startpoint set");
        assertTrue(seen.path("audit").toString().contains("resync-finished"), "the audit log shows the run: " + seen.path("audit"));
        assertTrue(seen.path("audit").toString().contains("startpoint-set") && seen.path("audit").toString().contains(ApiUsers.OPERATOR + " moved it from"),
                "the audit log names who moved the startpoint: " + seen.path("audit"));
        assertEquals(0, seen.path("failuresBy").path("conflict").size(), "no conflict: " + seen.path("failuresBy"));
        assertTrue(seen.path("failuresBy").path("schema").toString().contains("[schema] ") && seen.path("failuresBy").path("schema").toString()
                .contains("LDAP add uid=dashboard.bad.phone"), "filtered by category: " + seen.path("failuresBy"));
        JsonNode trace = seen.path("provision");
        assertEquals(List.of("read", "scope", "correlate", "plan", "deliver", "outcome"), new ObjectMapper().convertValue(trace.path("steps"), List.class),
                "the trace's steps: " + trace);
        assertTrue(trace.path("text").asText().contains("scope: out of scope") && trace.path("text").asText().contains("is not one of the pipe's populations: Employees"),
                trace.toString());
        assertTrue(trace.path("text").asText().contains("deliver: nothing sent to the destination"), trace.toString());
        JsonNode held = seen.path("held");
        assertEquals(leaving.size(), held.path("count").asInt(), "Held N on the card: " + held);
        assertTrue(held.path("entries").get(0).path("text").asText().endsWith(" — delete"), held.toString());
        assertTrue(held.path("entries").get(0).path("reason").asText().contains("held by the deletion guard"), held.toString());
        String approved = held.path("entries").get(0).path("sourceId").asText();
        assertEquals("Approved: 1 read again, 1 deleted, 0 disabled or modified", held.path("approved").asText(), held.toString());
        assertEquals("Rejected " + (leaving.size() - 1) + ": kept, unlinked", held.path("rejected").asText(), held.toString());
        assertEquals(0, RestAssured.get("/api/pipes/" + PIPE).jsonPath().getInt("heldRemovals"));
        try (LDAPConnection ldap = systems.directory().connection()) {
            long kept = leaving.stream().filter(id -> !id.equals(approved)).filter(id -> {
                try {
                    return ldap.getEntry("uid=" + admin.client().get("/users/" + id).body().path("username").asText() + "," + DemoDirectory.PEOPLE_DN) != null;
                } catch (com.unboundid.ldap.sdk.LDAPException e) {
                    throw new IllegalStateException(e);
                }
            }).count();
            assertEquals(leaving.size() - 1, kept, "the rejected removals kept their directory entries");
        }
        JsonPath audit = RestAssured.get("/api/audit?pipe=" + PIPE + "&outcome=rejected&limit=100").jsonPath();
        assertEquals(leaving.size() - 1, audit.getList("records").size());
        assertTrue(audit.getString("records[0].reason").startsWith(ApiUsers.OPERATOR + " rejected the removal: rejected on the dashboard"),
                audit.getString("records[0].reason"));
        assertTrue(RestAssured.get("/api/audit?pipe=" + PIPE + "&operation=held-removals-approved").jsonPath().getString("records[0].reason")
                .startsWith(ApiUsers.OPERATOR + " approved the held removal of 1 entry: " + approved));
        assertTrue(Files.size(screenshot) > 10_000, "a screenshot of the page in " + screenshot);
    }

    private static void requireBrowser() throws Exception {
        boolean available = Files.isExecutable(CHROMIUM) && io.idsync.testsupport.scim.ScimmyServer.nodeAvailable();
        RequiredTool.assumeAvailable(available, "Chromium (Debian package chromium) or Node.js is not installed; .ci/run installs them",
                "IDSYNC_REQUIRE_BROWSER");
        if (!Files.isDirectory(BROWSER.resolve("node_modules/puppeteer-core"))) {
            Process install = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(BROWSER.toFile()).redirectErrorStream(true).start();
            String output = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(install.waitFor(5, TimeUnit.MINUTES) && install.exitValue() == 0, "npm ci in " + BROWSER + " failed:\n" + output);
        }
    }

    private static JsonNode run(String url, String user, String password, String pipe, Path screenshot, String onDemand) throws IOException, InterruptedException {
        Process node = new ProcessBuilder("node", "dashboard-check.mjs", url, user, password, pipe, screenshot.toString(), onDemand)
                .directory(BROWSER.toFile()).redirectError(ProcessBuilder.Redirect.appendTo(Path.of(System.getProperty("user.dir"), "target", "dashboard-check.log").toFile()))
                .start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(node.waitFor(3, TimeUnit.MINUTES), "the browser run ended");
        String last = output.lines().reduce((a, b) -> b).orElse("{}");
        Files.writeString(Path.of(System.getProperty("user.dir"), "target", "dashboard-check.json"), last); // what the browser saw
        return new ObjectMapper().readTree(last);
    }
}

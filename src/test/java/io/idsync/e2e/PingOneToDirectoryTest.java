package io.idsync.e2e;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.sandbox.PingOneSandbox;
import io.idsync.sandbox.SandboxEnvironment;
import io.idsync.sandbox.SandboxLauncher;
import io.idsync.testsupport.SandboxAdmin;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole application as shipped, on the embedded PingOne sandbox and demo directory (test profile: 200
 * employees, 20 contractors, population Employees synchronized): what a user observes in the directory,
 * in the status API and in the requests PingOne received.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedSystemsResource.class)
class PingOneToDirectoryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    SandboxLauncher systems;

    SandboxAdmin admin;

    @BeforeEach
    void admin() {
        ApiUsers.asOperator();
        admin = SandboxAdmin.demoAdmin(systems.pingOne().baseUrl());
        awaitInitialLoad();
    }

    private void awaitInitialLoad() {
        await().atMost(WAIT).until(() -> countPeople("(objectClass=inetOrgPerson)") >= 200);
    }

    @Test
    void initialLoadBringsEveryEmployeeAndNoContractor() throws Exception {
        SandboxEnvironment env = systems.pingOne().environment("demo-env");
        String employees = env.populationIdsByName().get("Employees");
        try (LDAPConnection ldap = systems.directory().connection()) {
            // the seeded users (tests add others as they go)
            for (int i = 1; i <= 200; i++) {
                String uid = String.format("e%06d.", i);
                assertEquals(1, ldap.search(DemoDirectory.PEOPLE_DN, SearchScope.ONE, Filter.createSubInitialFilter("uid", uid)).getEntryCount(),
                        "employee " + uid + "* is in the directory");
            }
            for (int i = 1; i <= 20; i++) {
                String uid = String.format("c%06d.", i);
                assertEquals(0, ldap.search(DemoDirectory.PEOPLE_DN, SearchScope.ONE, Filter.createSubInitialFilter("uid", uid)).getEntryCount(),
                        "contractor " + uid + "* is not synchronized");
            }
            for (String id : env.userIdsInPopulation(employees).stream().limit(20).toList()) {
                SearchResultEntry byId = ldap.searchForEntry(DemoDirectory.PEOPLE_DN, SearchScope.ONE, Filter.createEqualityFilter("entryUUID", id), "entryUUID");
                if (byId != null) {
                    assertEquals(id, byId.getAttributeValue("entryUUID"), "the PingOne id is the entry's entryUUID");
                }
            }
            SearchResultEntry first = ldap.getEntry("uid=e000001.alan," + DemoDirectory.PEOPLE_DN, "*", "+");
            assertEquals("Alan", first.getAttributeValue("givenName"));
            assertEquals("Alan Lovelace", first.getAttributeValue("cn"));
            assertEquals("e000001.alan@example.com", first.getAttributeValue("mail"));
            assertEquals("Austin", first.getAttributeValue("l"));
            // created enabled: an account the password policy state operation never disabled has no disabled state
            assertNull(first.getAttributeValue("ds-pwp-account-disabled"));
        }
        RestAssured.get("/api/pipes").then().statusCode(200)
                .body("find { it.pipe == 'pingone-to-directory' }.state", equalTo("Active"))
                .body("find { it.pipe == 'pingone-to-directory' }.counters.created", greaterThanOrEqualTo(200));
        // every loaded user was correlated by a search, the workers' searches asked together
        RestAssured.get("/api/pipes/pingone-to-directory").then().statusCode(200)
                .body("correlation.entriesSearched", greaterThanOrEqualTo(200))
                .body("correlation.searches", org.hamcrest.Matchers.allOf(greaterThanOrEqualTo(1),
                        org.hamcrest.Matchers.lessThanOrEqualTo(RestAssured.get("/api/pipes/pingone-to-directory").path("correlation.entriesSearched"))));
    }

    @Test
    void aUserLivesItsWholeLifeInTheDirectory() throws Exception {
        String id = admin.createUser("lifecycle.user", "Life", "Cycle", "Employees");
        String dn = "uid=lifecycle.user," + DemoDirectory.PEOPLE_DN;
        await().atMost(WAIT).until(() -> entry(dn) != null);
        assertEquals(id, entry(dn).getAttributeValue("entryUUID"));

        // a modify changes only what differs: the changelog records givenName and cn, nothing else
        long before = lastChangeNumber();
        ObjectNode patch = SandboxAdmin.JSON.createObjectNode();
        patch.putObject("name").put("given", "Lively");
        admin.patchUser(id, patch);
        await().atMost(WAIT).until(() -> "Lively".equals(entry(dn).getAttributeValue("givenName")));
        List<SearchResultEntry> changes = changesSince(before, dn);
        assertEquals(1, changes.size(), "one modify for one PingOne update");
        String ldif = changes.get(0).getAttributeValue("changes");
        assertTrue(ldif.contains("givenName") && ldif.contains("cn"), ldif);
        assertFalse(ldif.contains("mail") || ldif.contains("sn:") || ldif.contains("uid:"), "unchanged attributes are not written: " + ldif);

        admin.lock(id);
        await().atMost(WAIT).until(() -> "TRUE".equals(entry(dn).getAttributeValue("ds-pwp-account-disabled")));
        assertNotNull(entry(dn).getAttributeValue("pwdAccountLockedTime"), "the lock time comes through pwdAccountLockedTimeFromPingOne");

        admin.unlock(id);
        await().atMost(WAIT).until(() -> "FALSE".equals(entry(dn).getAttributeValue("ds-pwp-account-disabled")));
        assertNull(entry(dn).getAttributeValue("pwdAccountLockedTime"));

        admin.setEnabled(id, false);
        await().atMost(WAIT).until(() -> "TRUE".equals(entry(dn).getAttributeValue("ds-pwp-account-disabled")));
        admin.setEnabled(id, true);
        await().atMost(WAIT).until(() -> "FALSE".equals(entry(dn).getAttributeValue("ds-pwp-account-disabled")));

        admin.deleteUser(id);
        await().atMost(WAIT).until(() -> entry(dn) == null);
    }

    @Test
    void leavingTheSynchronizedPopulationDeletesAndComingBackCreates() {
        String id = admin.createUser("mover.user", "Mo", "Ver", "Employees");
        String dn = "uid=mover.user," + DemoDirectory.PEOPLE_DN;
        await().atMost(WAIT).until(() -> entry(dn) != null);
        admin.movePopulation(id, "Contractors");
        await().atMost(WAIT).until(() -> entry(dn) == null);
        admin.movePopulation(id, "Employees");
        await().atMost(WAIT).until(() -> entry(dn) != null && id.equals(entry(dn).getAttributeValue("entryUUID")));
    }

    @Test
    void aUserCreatedInAnotherPopulationStaysOut() {
        String id = admin.createUser("contractor.only", "Con", "Tractor", "Contractors");
        String marker = admin.createUser("after.contractor", "Af", "Ter", "Employees");
        await().atMost(WAIT).until(() -> entry("uid=after.contractor," + DemoDirectory.PEOPLE_DN) != null);
        assertNull(entry("uid=contractor.only," + DemoDirectory.PEOPLE_DN), "user " + id + " is outside the synchronized population");
        assertNotNull(marker);
    }

    @Test
    void changesByAnIgnoredActorAreSkipped() {
        SandboxEnvironment env = systems.pingOne().environment("demo-env");
        env.addApplication("idsync-reverse-worker", "the other direction's worker", "reverse-secret",
                SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_BASIC);
        SandboxAdmin reverse = new SandboxAdmin(systems.pingOne().baseUrl(), "idsync-reverse-worker", "reverse-secret");
        reverse.createUser("echo.user", "Ec", "Ho", "Employees");
        // a later change by demo-admin proves the pipe has polled past the ignored one
        admin.createUser("after.echo", "Af", "Ter", "Employees");
        await().atMost(WAIT).until(() -> entry("uid=after.echo," + DemoDirectory.PEOPLE_DN) != null);
        assertNull(entry("uid=echo.user," + DemoDirectory.PEOPLE_DN), "changes by actor-id-to-ignore are not synchronized");
    }

    @Test
    void theActivitiesWindowEndsThePollingOffsetBehindNow() {
        admin.createUser("offset.user", "Off", "Set", "Employees");
        await().atMost(WAIT).until(() -> entry("uid=offset.user," + DemoDirectory.PEOPLE_DN) != null);
        List<PingOneSandbox.Request> polls = systems.pingOne().requests().stream()
                .filter(r -> r.path().endsWith("/activities") && "idsync-test-worker".equals(r.clientId())).toList();
        assertFalse(polls.isEmpty());
        for (PingOneSandbox.Request poll : polls) {
            String filter = poll.query().get("filter");
            String upper = filter.replaceAll(".*recordedAt le \"([^\"]+)\".*", "$1");
            Instant windowEnd = Instant.parse(upper);
            assertTrue(!windowEnd.isAfter(poll.at().minusMillis(300)),
                    "window end " + windowEnd + " is at least the 300 ms polling offset behind the request at " + poll.at());
        }
    }

    @Test
    void valuesWithFilterAndDnSpecialCharactersAreWrittenVerbatim() throws Exception {
        String username = "o'hara*)(uid=*),+\"é";
        ObjectNode user = SandboxAdmin.JSON.createObjectNode();
        user.put("username", username);
        user.put("email", "ohara@example.com");
        // PingOne's family names take letters, apostrophes, dots and hyphens only; its given names any punctuation
        user.putObject("name").put("given", "Zoë \"Z\" *)(cn=*, Jr.\\").put("family", "O'Hara");
        user.putObject("population").put("id", admin.populationId("Employees"));
        String id = admin.createUser(user);
        await().atMost(WAIT).until(() -> findByUid(username) != null);
        SearchResultEntry entry = findByUid(username);
        assertEquals(id, entry.getAttributeValue("entryUUID"));
        assertEquals("Zoë \"Z\" *)(cn=*, Jr.\\", entry.getAttributeValue("givenName"));
        assertEquals("O'Hara", entry.getAttributeValue("sn"));
        assertEquals(DemoDirectory.PEOPLE_DN.toLowerCase(), entry.getParentDNString().toLowerCase(), "one RDN, under ou=People");
        // a later modify finds the same entry through the link and its escaped DN
        ObjectNode patch = SandboxAdmin.JSON.createObjectNode();
        patch.put("title", "Chief (of *)");
        admin.patchUser(id, patch);
        await().atMost(WAIT).until(() -> "Chief (of *)".equals(findByUid(username).getAttributeValue("title")));
    }

    @Test
    void anEntryTheDirectoryRejectsFailsAloneWithItsReason() {
        ObjectNode bad = SandboxAdmin.JSON.createObjectNode();
        bad.put("username", "bad.phone").put("email", "bad.phone@example.com");
        bad.put("primaryPhone", "555 {ext 12}"); // braces are not allowed in the telephoneNumber syntax
        bad.putObject("name").put("given", "Bad").put("family", "Phone");
        bad.putObject("population").put("id", admin.populationId("Employees"));
        String badId = admin.createUser(bad);
        admin.createUser("good.neighbour", "Good", "Neighbour", "Employees");
        await().atMost(WAIT).until(() -> entry("uid=good.neighbour," + DemoDirectory.PEOPLE_DN) != null);
        assertNull(entry("uid=bad.phone," + DemoDirectory.PEOPLE_DN));
        await().atMost(WAIT).untilAsserted(() -> RestAssured.get("/api/pipes/pingone-to-directory").then().statusCode(200)
                .body("recentFailures.find { it.sourceId == '" + badId + "' }.reason",
                        org.hamcrest.Matchers.allOf(
                                org.hamcrest.Matchers.containsString("LDAP add uid=bad.phone,ou=People,dc=example,dc=com"),
                                org.hamcrest.Matchers.containsString("21 (invalid attribute syntax)"))));
    }

    @Test
    void aDryRunResyncReportsDriftAndChangesNothingThenAResyncRepairsIt() throws Exception {
        String dn = "uid=e000002.barbara," + DemoDirectory.PEOPLE_DN;
        try (LDAPConnection ldap = systems.directory().connection()) {
            ldap.modify(dn, new com.unboundid.ldap.sdk.Modification(com.unboundid.ldap.sdk.ModificationType.REPLACE, "title", "Drifted"));
        }
        RestAssured.given().post("/api/pipes/pingone-to-directory/resync?dryRun=true").then().statusCode(200)
                .body("dryRun", equalTo(true))
                .body("wouldBe.modified", greaterThanOrEqualTo(1))
                .body("plannedOperations", org.hamcrest.Matchers.hasItem(org.hamcrest.Matchers.containsString("modify " + dn)));
        assertEquals("Drifted", entry(dn).getAttributeValue("title"), "a dry run writes nothing");
        RestAssured.given().post("/api/pipes/pingone-to-directory/resync?dryRun=false").then().statusCode(200)
                .body("outcomes.modified", greaterThanOrEqualTo(1));
        assertEquals("Engineer", entry(dn).getAttributeValue("title"));
    }

    @Test
    void theStatusApiNamesAnUnknownPipe() {
        RestAssured.get("/api/pipes/nope").then().statusCode(404)
                .body("error", org.hamcrest.Matchers.containsString("no pipe named 'nope'"));
        RestAssured.given().post("/api/pipes/nope/resync?dryRun=true").then().statusCode(404);
        RestAssured.given().post("/api/pipes/nope/held/approve?all=true").then().statusCode(404);
    }

    // --- directory helpers ---------------------------------------------------------------------------

    private SearchResultEntry entry(String dn) {
        try (LDAPConnection ldap = systems.directory().connection()) {
            return ldap.getEntry(dn, "*", "+");
        } catch (LDAPException e) {
            throw new IllegalStateException(e);
        }
    }

    private SearchResultEntry findByUid(String uid) {
        try (LDAPConnection ldap = systems.directory().connection()) {
            return ldap.searchForEntry(DemoDirectory.PEOPLE_DN, SearchScope.ONE, Filter.createEqualityFilter("uid", uid), "*", "+");
        } catch (LDAPException e) {
            throw new IllegalStateException(e);
        }
    }

    private int countPeople(String filter) throws LDAPException {
        try (LDAPConnection ldap = systems.directory().connection()) {
            return ldap.search(DemoDirectory.PEOPLE_DN, SearchScope.ONE, filter, "1.1").getEntryCount();
        }
    }

    private long lastChangeNumber() throws LDAPException {
        try (LDAPConnection ldap = systems.directory().connection()) {
            return Long.parseLong(ldap.getRootDSE().getAttributeValue("lastChangeNumber"));
        }
    }

    private List<SearchResultEntry> changesSince(long changeNumber, String dn) throws LDAPException {
        try (LDAPConnection ldap = systems.directory().connection()) {
            return ldap.search("cn=changelog", SearchScope.ONE,
                    Filter.createANDFilter(Filter.createGreaterOrEqualFilter("changeNumber", Long.toString(changeNumber + 1)),
                            Filter.createEqualityFilter("targetDN", dn)), "*").getSearchEntries();
        }
    }
}

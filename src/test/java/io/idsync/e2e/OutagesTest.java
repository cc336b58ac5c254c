package io.idsync.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.sandbox.DemoSeed;
import io.idsync.sandbox.PingOneSandbox;
import io.idsync.sandbox.SandboxLauncher;
import io.idsync.testsupport.SandboxAdmin;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The systems go away and come back while changes flow: the directory is stopped for 60 s, PingOne answers
 * 503 to idsync for 60 s (the two overlap by 30 s), then a while of flaky PingOne (500s, 429s, dropped
 * connections, slow answers). Nothing is lost, both pipes catch up, and while it lasts each pipe's status says
 * {@code Failed} and what is wrong, from the first failed attempt on.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedSystemsResource.class)
class OutagesTest {

    private static final String WORKERS_SOURCE = "idsync-test-worker";
    private static final String WORKERS_PROVISIONING = "idsync-provisioning-test-worker";
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    @Inject
    SandboxLauncher systems;

    SandboxAdmin admin;

    @BeforeEach
    void initialLoadsAreDone() {
        ApiUsers.asOperator();
        admin = SandboxAdmin.demoAdmin(systems.pingOne().baseUrl());
        await().atMost(Duration.ofSeconds(30)).until(() -> "Active".equals(state("pingone-to-directory")) && "Active".equals(state("directory-to-pingone"))
                && admin.user("corp0030") != null);
    }

    @AfterEach
    void systemsBack() throws Exception {
        systems.pingOne().injectFaults(null);
        if (systems.directory().server().getListenPort() < 0) {
            systems.directory().server().startListening();
        }
    }

    @Test
    void theDirectoryDownAndPingOneAnswering503LoseNothingAndThePipesSayWhatIsWrongMeanwhile() throws Exception {
        Map<String, String> titles = new LinkedHashMap<>();
        List<String> deleted = new ArrayList<>();

        // t = 0: the directory stops; PingOne changes go on
        systems.directory().server().shutDown(true);
        for (int i = 1; i <= 4; i++) {
            String id = admin.createUser("outage.new" + i, "Outage", "New" + i, "Employees");
            titles.put("outage.new" + i, null);
            if (i == 4) {
                admin.deleteUser(id);
                deleted.add("outage.new" + i);
                titles.remove("outage.new" + i);
            }
        }
        for (int i = 1; i <= 3; i++) {
            String username = String.format("e%06d.", 10 + i);
            JsonNode user = employee(username);
            ObjectNode patch = SandboxAdmin.JSON.createObjectNode().put("title", "Outage title " + i);
            admin.patchUser(user.path("id").asText(), patch);
            titles.put(user.path("username").asText(), "Outage title " + i);
        }
        String directoryUrl = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("idsync.connections.directory.url", String.class);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertEquals("Failed", state("pingone-to-directory"));
            assertTrue(lastError("pingone-to-directory").contains(directoryUrl), lastError("pingone-to-directory"));
        });
        await().during(Duration.ofSeconds(28)).atMost(Duration.ofSeconds(30)).until(() -> "Failed".equals(state("pingone-to-directory")));

        // t = 30 s: PingOne answers idsync 503 too, for 60 s
        systems.pingOne().injectFaults(PingOneSandbox.Faults.outage(503, WORKERS_SOURCE, WORKERS_PROVISIONING));
        await().during(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(32)).until(() -> "Failed".equals(state("pingone-to-directory")));

        // t = 60 s: the directory is back and changes there too; PingOne still answers 503
        systems.directory().server().startListening();
        Map<String, String> givenNames = directoryChanges("Outage");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertEquals("Failed", state("directory-to-pingone"));
            assertTrue(lastError("directory-to-pingone").contains("503"), lastError("directory-to-pingone"));
            assertTrue(lastError("pingone-to-directory").contains("503"), "the source is failing now: " + lastError("pingone-to-directory"));
        });
        await().during(Duration.ofSeconds(28)).atMost(Duration.ofSeconds(30))
                .until(() -> "Failed".equals(state("pingone-to-directory")) && "Failed".equals(state("directory-to-pingone")));

        // t = 90 s: everything back (each system was away about 60 s); both pipes catch up with every change, and say so
        systems.pingOne().injectFaults(null);
        await().atMost(CATCH_UP).untilAsserted(() -> {
            assertDirectoryHas(titles, deleted);
            assertPingOneHas(givenNames);
            assertEquals("Active", state("pingone-to-directory"));
            assertEquals("Active", state("directory-to-pingone"));
        });
        assertNull(status("pingone-to-directory").get("lastError"));
        assertNull(status("directory-to-pingone").get("lastError"));
    }

    @Test
    void aFlakyPingOneOf500s429sDroppedConnectionsAndSlowAnswersLosesNothing() throws Exception {
        long before = systems.pingOne().requests().stream().filter(r -> r.status() == 429 || r.status() >= 500 || r.status() == 0).count();
        systems.pingOne().injectFaults(new PingOneSandbox.Faults(Set.of(WORKERS_SOURCE, WORKERS_PROVISIONING), 0.3, 500, 0.05, Duration.ofMillis(100)));
        Map<String, String> titles = new LinkedHashMap<>();
        for (int i = 1; i <= 6; i++) {
            String username = String.format("e%06d.", 20 + i);
            JsonNode user = employee(username);
            admin.patchUser(user.path("id").asText(), SandboxAdmin.JSON.createObjectNode().put("title", "Flaky title " + i));
            titles.put(user.path("username").asText(), "Flaky title " + i);
        }
        Map<String, String> givenNames = directoryChanges("Flaky");
        await().atMost(CATCH_UP).untilAsserted(() -> {
            assertDirectoryHas(titles, List.of());
            assertPingOneHas(givenNames);
        });
        systems.pingOne().injectFaults(new PingOneSandbox.Faults(Set.of(WORKERS_SOURCE, WORKERS_PROVISIONING), 0.5, 429, 0, Duration.ZERO));
        JsonNode user = employee("e000030.");
        admin.patchUser(user.path("id").asText(), SandboxAdmin.JSON.createObjectNode().put("title", "Limited title"));
        await().atMost(CATCH_UP).untilAsserted(() -> assertDirectoryHas(Map.of(user.path("username").asText(), "Limited title"), List.of()));
        long faults = systems.pingOne().requests().stream().filter(r -> r.status() == 429 || r.status() >= 500 || r.status() == 0).count() - before;
        assertTrue(faults >= 5, "the sandbox answered " + faults + " faults meanwhile");
    }

    /** Modifies three provisioned directory users and adds one to the source group; answers their wanted given names by account. */
    private Map<String, String> directoryChanges(String tag) throws Exception {
        Map<String, String> givenNames = new LinkedHashMap<>();
        try (LDAPConnection ldap = systems.directory().connection()) {
            for (int i = 1; i <= 3; i++) {
                String account = String.format("corp%04d", (tag.equals("Outage") ? 10 : 13) + i);
                SearchResultEntry user = ldap.searchForEntry(DemoSeed.CORP_DN, SearchScope.ONE, Filter.createEqualityFilter("sAMAccountName", account));
                ldap.modify(user.getDN(), new Modification(ModificationType.REPLACE, "givenName", tag + i));
                givenNames.put(account, tag + i);
            }
            String account = tag.toLowerCase() + ".joiner";
            String dn = "cn=" + tag + " Joiner," + DemoSeed.CORP_DN;
            ldap.add("dn: " + dn, "objectClass: top", "objectClass: person", "objectClass: organizationalPerson", "objectClass: user",
                    "cn: " + tag + " Joiner", "sn: Joiner", "givenName: " + tag + "Joiner", "sAMAccountName: " + account,
                    "mail: " + account + "@corp.example.com", "userAccountControl: 512");
            ldap.modify(DemoSeed.PROVISIONING_GROUP_DN, new Modification(ModificationType.ADD, "member", dn));
            givenNames.put(account, tag + "Joiner");
        }
        return givenNames;
    }

    private void assertDirectoryHas(Map<String, String> titles, List<String> deleted) throws Exception {
        try (LDAPConnection ldap = systems.directory().connection()) {
            for (Map.Entry<String, String> wanted : titles.entrySet()) {
                SearchResultEntry entry = ldap.searchForEntry(DemoDirectory.PEOPLE_DN, SearchScope.ONE, Filter.createEqualityFilter("uid", wanted.getKey()));
                assertNotNull(entry, wanted.getKey() + " is in the directory");
                assertEquals(wanted.getValue(), entry.getAttributeValue("title"), wanted.getKey());
            }
            for (String username : deleted) {
                assertNull(ldap.searchForEntry(DemoDirectory.PEOPLE_DN, SearchScope.ONE, Filter.createEqualityFilter("uid", username)), username);
            }
        }
    }

    private void assertPingOneHas(Map<String, String> givenNames) {
        givenNames.forEach((account, given) -> {
            JsonNode user = admin.user(account);
            assertNotNull(user, account + " is in PingOne");
            assertEquals(given, user.path("name").path("given").asText(), account);
        });
    }

    /** The seeded employee whose username starts with {@code prefix}. */
    private JsonNode employee(String prefix) {
        JsonNode users = admin.client().get("/users?filter=" + io.idsync.connector.pingone.PingOneClient.encode("username sw \"" + prefix + "\"")).body()
                .path("_embedded").path("users");
        assertEquals(1, users.size(), prefix);
        return users.get(0);
    }

    private static Map<String, Object> status(String pipe) {
        return RestAssured.get("/api/pipes/" + pipe).then().statusCode(200).extract().jsonPath().getMap("");
    }

    private static String state(String pipe) {
        return (String) status(pipe).get("state");
    }

    /** The pipe's lastError, "" when it has none. */
    private static String lastError(String pipe) {
        Object error = status(pipe).get("lastError");
        return error == null ? "" : error.toString();
    }
}

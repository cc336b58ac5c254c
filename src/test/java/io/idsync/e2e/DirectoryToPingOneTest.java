package io.idsync.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.idsync.connector.pingone.PingOneClient;
import io.idsync.sandbox.DemoSeed;
import io.idsync.sandbox.PingOneSandbox;
import io.idsync.sandbox.SandboxLauncher;
import io.idsync.testsupport.SandboxAdmin;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The directory → PingOne provisioning pipe as shipped, on the embedded directory (AD-style ou=Corp: 40
 * users, 30 in cn=Provisioning Users in the test profile) and the PingOne sandbox (population Corp).
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedSystemsResource.class)
class DirectoryToPingOneTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String GROUP = DemoSeed.PROVISIONING_GROUP_DN;

    @Inject
    SandboxLauncher systems;

    SandboxAdmin admin;

    @BeforeEach
    void initialProvisioningIsDone() {
        ApiUsers.asOperator();
        admin = SandboxAdmin.demoAdmin(systems.pingOne().baseUrl());
        await().atMost(WAIT).until(() -> corpUsers().size() >= 30);
    }

    @Test
    void theMembersOfTheSourceGroupAreProvisionedIntoTheConfiguredPopulation() {
        List<String> usernames = corpUsers().stream().map(u -> u.path("username").asText()).toList();
        for (int i = 1; i <= 30; i++) {
            assertTrue(usernames.contains(String.format("corp%04d", i)), "member corp" + i + " is provisioned");
        }
        for (int i = 31; i <= 40; i++) {
            assertFalse(usernames.contains(String.format("corp%04d", i)), "corp" + i + " is not in the group");
        }
        JsonNode first = user("corp0001");
        assertEquals("corp0001@corp.example.com", first.path("email").asText());
        assertTrue(first.path("enabled").asBoolean());
    }

    /** PingOne's User requires an email address: a member without mail fails alone, saying why, and nothing is sent. */
    @Test
    void aMemberWithoutMailFailsAloneSayingWhyAndIsNotSent() throws Exception {
        int creates = postsOfUsers();
        try (LDAPConnection ldap = systems.directory().connection()) {
            ldap.add("dn: " + dn("nomail"), "objectClass: user", "cn: nomail", "sn: Nomail", "givenName: No", "sAMAccountName: nomail",
                    "userAccountControl: 512");
            addUser(ldap, "withmail", 512);
            ldap.modify(GROUP, new Modification(ModificationType.ADD, "member", dn("nomail"), dn("withmail")));
        }
        await().atMost(WAIT).until(() -> user("withmail") != null);
        await().atMost(WAIT).until(() -> RestAssured.get("/api/pipes/directory-to-pingone/entries?status=failed").jsonPath()
                .getList("entries.reason", String.class).stream().anyMatch(reason -> reason.startsWith("email is required")));
        assertNull(user("nomail"));
        assertEquals(1, postsOfUsers() - creates, "one create (withmail): nomail was never sent, so PingOne never refused it");
    }

    private int postsOfUsers() {
        return (int) systems.pingOne().requests().stream().filter(r -> r.method().equals("POST") && r.path().endsWith("/users")).count();
    }

    @Test
    void aUserWhoJoinsTheGroupIsCreatedAndADisabledOneIsNot() throws Exception {
        try (LDAPConnection ldap = systems.directory().connection()) {
            addUser(ldap, "joiner", 512);
            addUser(ldap, "sleeper", 514);
            ldap.modify(GROUP, new Modification(ModificationType.ADD, "member", dn("sleeper"), dn("joiner")));
        }
        await().atMost(WAIT).until(() -> user("joiner") != null);
        assertEquals("Join", user("joiner").path("name").path("given").asText());
        assertNull(user("sleeper"), "provision-disabled-users is off");
    }

    @Test
    void anExistingPingOneUserWithTheSameUsernameIsLinkedNotDuplicated() throws Exception {
        ObjectNode janet = SandboxAdmin.JSON.createObjectNode();
        janet.put("username", "jsmith").put("email", "janet.smith@example.com");
        janet.putObject("name").put("given", "Jan").put("family", "S.");
        String existing = admin.createUser(janet);
        try (LDAPConnection ldap = systems.directory().connection()) {
            ldap.add("dn: " + dn("jsmith"), "objectClass: user", "cn: jsmith", "sn: Smith", "givenName: Janet", "sAMAccountName: jsmith",
                    "mail: janet.smith@example.com", "userAccountControl: 512");
            ldap.modify(GROUP, new Modification(ModificationType.ADD, "member", dn("jsmith")));
        }
        await().atMost(WAIT).until(() -> "Janet".equals(user("jsmith").path("name").path("given").asText()));
        assertEquals(existing, user("jsmith").path("id").asText(), "the datastore's values went to Janet's existing account");
        assertEquals(1, admin.client().get("/users?filter=" + PingOneClient.encode("username eq \"jsmith\"")).body()
                .path("_embedded").path("users").size());
    }

    @Test
    void mappedChangesArePatchedAndUnmappedOnesCauseNoCall() throws Exception {
        String id = user("corp0002").path("id").asText();
        try (LDAPConnection ldap = systems.directory().connection()) {
            String dn = ldap.searchForEntry(DemoSeed.CORP_DN, com.unboundid.ldap.sdk.SearchScope.ONE, "(sAMAccountName=corp0002)").getDN();
            ldap.modify(dn, new Modification(ModificationType.REPLACE, "description", "not mapped"));
            ldap.modify(dn, new Modification(ModificationType.REPLACE, "title", "Controller"));
        }
        await().atMost(WAIT).until(() -> "Controller".equals(user("corp0002").path("title").asText()));
        List<PingOneSandbox.Request> writes = systems.pingOne().requests().stream()
                .filter(r -> r.path().endsWith("/users/" + id) && !r.method().equals("GET")).toList();
        assertEquals(List.of("PATCH"), writes.stream().map(PingOneSandbox.Request::method).toList(), "one PATCH, for the mapped change only");
    }

    @Test
    void leavingTheGroupDisablesComingBackEnablesAndDeletingDisables() throws Exception {
        try (LDAPConnection ldap = systems.directory().connection()) {
            addUser(ldap, "leaver", 512);
            ldap.modify(GROUP, new Modification(ModificationType.ADD, "member", dn("leaver")));
            await().atMost(WAIT).until(() -> user("leaver") != null && user("leaver").path("enabled").asBoolean());

            ldap.modify(GROUP, new Modification(ModificationType.DELETE, "member", dn("leaver")));
            await().atMost(WAIT).until(() -> !user("leaver").path("enabled").asBoolean(true));

            ldap.modify(GROUP, new Modification(ModificationType.ADD, "member", dn("leaver")));
            await().atMost(WAIT).until(() -> user("leaver").path("enabled").asBoolean());

            ldap.modify(dn("leaver"), new Modification(ModificationType.REPLACE, "userAccountControl", "514"));
            await().atMost(WAIT).until(() -> !user("leaver").path("enabled").asBoolean(true));
            ldap.modify(dn("leaver"), new Modification(ModificationType.REPLACE, "userAccountControl", "512"));
            await().atMost(WAIT).until(() -> user("leaver").path("enabled").asBoolean());

            ldap.delete(dn("leaver"));
            await().atMost(WAIT).until(() -> !user("leaver").path("enabled").asBoolean(true));
        }
    }

    @Test
    void withBothPipesOnTheSameUserNothingEchoes() throws Exception {
        try (LDAPConnection ldap = systems.directory().connection()) {
            addUser(ldap, "echoer", 512);
            ldap.modify(GROUP, new Modification(ModificationType.ADD, "member", dn("echoer")));
        }
        await().atMost(WAIT).until(() -> user("echoer") != null);
        // overlap: the provisioned user moved into Employees is also mirrored into ou=People by the other pipe
        String id = user("echoer").path("id").asText();
        admin.movePopulation(id, "Employees");
        String mirror = "uid=echoer,ou=People,dc=example,dc=com";
        await().atMost(WAIT).until(() -> entry(mirror) != null);
        String titleBefore = entry(mirror).getAttributeValue("title");

        // a directory change travels to PingOne through the provisioning pipe...
        try (LDAPConnection ldap = systems.directory().connection()) {
            ldap.modify(dn("echoer"), new Modification(ModificationType.REPLACE, "title", "Echo test"));
        }
        await().atMost(WAIT).until(() -> "Echo test".equals(user("echoer").path("title").asText()));
        java.time.Instant patched = java.time.Instant.now();

        // ...and does not come back: the PingOne → directory pipe polls past it and ignores its actor
        await().atMost(WAIT).until(() -> pipeCheckpointAfter("pingone-to-directory", patched.plusSeconds(1)));
        assertEquals(titleBefore, entry(mirror).getAttributeValue("title"), "the provisioning worker's change was not mirrored back");
        long patches = systems.pingOne().requests().stream().filter(r -> r.path().endsWith("/users/" + id) && r.method().equals("PATCH")).count();
        assertEquals(1, patches, "one write to PingOne for one directory change");
    }

    @Test
    void anEmptiedSourceGroupDoesNotDeprovisionEveryone() throws Exception {
        String[] members;
        try (LDAPConnection ldap = systems.directory().connection()) {
            members = ldap.getEntry(GROUP, "member").getAttributeValues("member");
            ldap.modify(GROUP, new Modification(ModificationType.DELETE, "member")); // the group loses every member at once
        }
        await().atMost(WAIT).until(() -> RestAssured.get("/api/pipes/directory-to-pingone").then().extract()
                .<Integer>path("heldRemovals") > 0);
        long disabled = corpUsers().stream().filter(u -> !u.path("enabled").asBoolean(true)).count();
        long linked = corpUsers().size();
        assertTrue(disabled <= Math.max(1, linked / 10), disabled + " of " + linked + " disabled: a batch past the guard's limit disables none");
        RestAssured.get("/api/pipes/directory-to-pingone/held").then().statusCode(200)
                .body("entries[0].action", org.hamcrest.Matchers.equalTo("disable"))
                .body("entries[0].reason", org.hamcrest.Matchers.containsString("held by the deletion guard"));

        // the operator puts the members back: each comes back in scope, its held removal is dropped, none disabled
        try (LDAPConnection ldap = systems.directory().connection()) {
            ldap.modify(GROUP, new Modification(ModificationType.ADD, "member", members));
        }
        await().atMost(WAIT).until(() -> RestAssured.get("/api/pipes/directory-to-pingone").then().extract().<Integer>path("heldRemovals") == 0);
        await().atMost(WAIT).until(() -> corpUsers().stream().filter(u -> u.path("username").asText().matches("corp00[0-2][0-9]|corp0030"))
                .allMatch(u -> u.path("enabled").asBoolean()));
    }

    @Test
    void aReconciliationOnRequestReadsEveryLinkedUserAgain() {
        RestAssured.given().post("/api/pipes/directory-to-pingone/reconcile").then().statusCode(200)
                .body("kind", org.hamcrest.Matchers.equalTo("reconciliation"))
                .body("entries", org.hamcrest.Matchers.greaterThanOrEqualTo(30))
                .body("outcomes.failed", org.hamcrest.Matchers.equalTo(0));
    }

    // --- groups ----------------------------------------------------------------------------------------

    @Test
    void groupsAreSynchronizedByNameWithTheDirectorysMemberships() throws Exception {
        await().atMost(WAIT).until(() -> group("Accounting") != null && group("Sales") != null);
        // the sandbox had Engineering and Sales already: linked by name, not duplicated
        assertEquals(1, groups("Engineering").size());
        assertEquals(1, groups("Sales").size());
        // both pipes start together: members provisioned after their group was created join it all the same
        Set<String> expected = provisionedMembers("cn=Accounting," + io.idsync.sandbox.DemoDirectory.GROUPS_DN);
        assertFalse(expected.isEmpty());
        String accounting = group("Accounting").path("id").asText();
        await().atMost(WAIT).until(() -> members(accounting).equals(expected));
        assertEquals(expected, members(accounting), "only provisioned users are members");
    }

    @Test
    void aUserProvisionedAfterItsGroupWasSynchronizedJoinsItWithoutAReconciliation() throws Exception {
        await().atMost(WAIT).until(() -> group("Engineering") != null);
        String engineering = "cn=Engineering," + io.idsync.sandbox.DemoDirectory.GROUPS_DN;
        String groupId = group("Engineering").path("id").asText();
        try (LDAPConnection ldap = systems.directory().connection()) {
            addUser(ldap, "latecomer", 512);
            ldap.modify(engineering, new Modification(ModificationType.ADD, "member", dn("latecomer")));
            // the group pipe has seen the new member, who is not provisioned: not a member in PingOne
            long change = Long.parseLong(ldap.getRootDSE().getAttributeValue("lastChangeNumber"));
            await().atMost(WAIT).until(() -> checkpointNumber("directory-groups-to-pingone") >= change);
            assertFalse(members(groupId).contains("latecomer"));

            ldap.modify(GROUP, new Modification(ModificationType.ADD, "member", dn("latecomer")));
            await().atMost(WAIT).until(() -> user("latecomer") != null);
            await().atMost(WAIT).until(() -> members(groupId).contains("latecomer"));
        }
        RestAssured.get("/api/pipes/directory-groups-to-pingone").then().statusCode(200)
                .body("membersFrom", org.hamcrest.Matchers.equalTo("directory-to-pingone"))
                .body("memberRefreshesWaiting", org.hamcrest.Matchers.greaterThanOrEqualTo(0));
    }

    @Test
    void membersAddedOrRemovedInTheDirectoryAreAddedOrRemovedInPingOne() throws Exception {
        await().atMost(WAIT).until(() -> group("Sales") != null);
        String sales = "cn=Sales," + io.idsync.sandbox.DemoDirectory.GROUPS_DN;
        String groupId = group("Sales").path("id").asText();
        try (LDAPConnection ldap = systems.directory().connection()) {
            String member = ldap.searchForEntry(DemoSeed.CORP_DN, com.unboundid.ldap.sdk.SearchScope.ONE, "(sAMAccountName=corp0007)").getDN();
            ldap.modify(sales, new Modification(ModificationType.ADD, "member", member));
            await().atMost(WAIT).until(() -> members(groupId).contains("corp0007"));
            ldap.modify(sales, new Modification(ModificationType.DELETE, "member", member));
            await().atMost(WAIT).until(() -> !members(groupId).contains("corp0007"));
        }
    }

    @Test
    void aNewGroupIsCreatedARenamedOneRenamedAndADeletedOneDeleted() throws Exception {
        String temp = "cn=Temp Team," + io.idsync.sandbox.DemoDirectory.GROUPS_DN;
        try (LDAPConnection ldap = systems.directory().connection()) {
            String member = ldap.searchForEntry(DemoSeed.CORP_DN, com.unboundid.ldap.sdk.SearchScope.ONE, "(sAMAccountName=corp0002)").getDN();
            ldap.add("dn: " + temp, "objectClass: group", "cn: Temp Team", "member: " + member);
            await().atMost(WAIT).until(() -> group("Temp Team") != null);
            String id = group("Temp Team").path("id").asText();
            await().atMost(WAIT).until(() -> members(id).contains("corp0002"));

            ldap.modifyDN(temp, "cn=Renamed Team", true);
            await().atMost(WAIT).until(() -> group("Renamed Team") != null);
            assertEquals(id, group("Renamed Team").path("id").asText(), "the link follows the rename");
            assertNull(group("Temp Team"));

            ldap.delete("cn=Renamed Team," + io.idsync.sandbox.DemoDirectory.GROUPS_DN);
            await().atMost(WAIT).until(() -> group("Renamed Team") == null);
        }
    }

    @Test
    void aGroupMovedOutOfTheSourceLocationIsDeleted() throws Exception {
        String dn = "cn=Scoped Team," + io.idsync.sandbox.DemoDirectory.GROUPS_DN;
        try (LDAPConnection ldap = systems.directory().connection()) {
            ldap.add("dn: " + dn, "objectClass: group", "cn: Scoped Team");
            await().atMost(WAIT).until(() -> group("Scoped Team") != null);
            ldap.modifyDN(dn, "cn=Scoped Team", true, DemoSeed.CORP_DN); // ou=Corp is outside ou=Groups
            await().atMost(WAIT).until(() -> group("Scoped Team") == null);
        }
    }

    private JsonNode group(String name) {
        List<JsonNode> found = groups(name);
        return found.isEmpty() ? null : found.get(0);
    }

    private List<JsonNode> groups(String name) {
        List<JsonNode> found = new ArrayList<>();
        admin.client().get("/groups?filter=" + PingOneClient.encode("name eq \"" + name + "\"")).body().path("_embedded").path("groups")
                .forEach(found::add);
        return found;
    }

    private java.util.Set<String> members(String groupId) {
        java.util.Set<String> usernames = new java.util.HashSet<>();
        admin.client().pages("/users?limit=500&filter=" + PingOneClient.encode("memberOfGroups[id eq \"" + groupId + "\"]"), "users")
                .forEachRemaining(u -> usernames.add(u.path("username").asText()));
        return usernames;
    }

    /** The sAMAccountNames of a directory group's members that are provisioned (in cn=Provisioning Users). */
    private java.util.Set<String> provisionedMembers(String groupDn) throws Exception {
        try (LDAPConnection ldap = systems.directory().connection()) {
            java.util.Set<String> provisioned = java.util.Set.of(ldap.getEntry(GROUP, "member").getAttributeValues("member"));
            java.util.Set<String> usernames = new java.util.HashSet<>();
            for (String dn : ldap.getEntry(groupDn, "member").getAttributeValues("member")) {
                if (provisioned.contains(dn)) {
                    usernames.add(ldap.getEntry(dn, "sAMAccountName").getAttributeValue("sAMAccountName"));
                }
            }
            return usernames;
        }
    }

    private long checkpointNumber(String pipe) {
        String checkpoint = RestAssured.get("/api/pipes/" + pipe).then().extract().path("checkpoint");
        return checkpoint == null ? -1 : Long.parseLong(checkpoint);
    }

    private boolean pipeCheckpointAfter(String pipe, java.time.Instant at) {
        String checkpoint = RestAssured.get("/api/pipes/" + pipe).then().extract().path("checkpoint");
        return checkpoint != null && java.time.Instant.parse(checkpoint.substring(0, checkpoint.indexOf('|'))).isAfter(at);
    }

    private com.unboundid.ldap.sdk.SearchResultEntry entry(String dn) {
        try (LDAPConnection ldap = systems.directory().connection()) {
            return ldap.getEntry(dn);
        } catch (com.unboundid.ldap.sdk.LDAPException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- helpers -------------------------------------------------------------------------------------

    private static String dn(String account) {
        return "cn=" + account + "," + DemoSeed.CORP_DN;
    }

    private static void addUser(LDAPConnection ldap, String account, int accountControl) throws Exception {
        String given = Character.toUpperCase(account.charAt(0)) + account.substring(1, 4);
        ldap.add("dn: " + dn(account), "objectClass: user", "cn: " + account, "sn: " + account, "givenName: " + given,
                "sAMAccountName: " + account, "mail: " + account + "@corp.example.com", "userAccountControl: " + accountControl);
    }

    private JsonNode user(String username) {
        JsonNode users = admin.client().get("/users?filter=" + PingOneClient.encode("username eq \"" + username + "\"")).body()
                .path("_embedded").path("users");
        return users.size() == 0 ? null : users.get(0);
    }

    private List<JsonNode> corpUsers() {
        String corp = admin.populationId("Corp");
        List<JsonNode> users = new ArrayList<>();
        admin.client().pages("/users?limit=500&filter=" + PingOneClient.encode("population.id eq \"" + corp + "\""), "users").forEachRemaining(users::add);
        return users;
    }
}

package io.idsync.pipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchScope;
import io.idsync.connector.SystemUnavailable;
import io.idsync.connector.ldap.LdapDirectory;
import io.idsync.connector.ldap.LdapEntrySource;
import io.idsync.connector.ldap.LdapSettings;
import io.idsync.connector.ldap.LdapSourceSettings;
import io.idsync.connector.pingone.PingOneClient;
import io.idsync.connector.pingone.PingOneGroupDestination;
import io.idsync.connector.pingone.PingOneUserDestination;
import io.idsync.mapping.MappingFile;
import io.idsync.mapping.PipeMapping;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.sandbox.DemoSeed;
import io.idsync.state.StateStore;
import io.idsync.testsupport.RoadFixture;
import io.idsync.testsupport.RoadRouteTest;
import io.idsync.testsupport.ProvisioningFixture;
import io.idsync.testsupport.SandboxAdmin;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Route-level tests of {@code routes/directory-to-pingone.yaml} as shipped, on Camel Test JUnit5: the users
 * pipe and the groups pipe (members from the users pipe), their quartz triggers replaced by direct endpoints
 * so each test decides when a poll or a reconciliation happens. The directory is the demo directory in its
 * Active Directory flavour: entries named by {@code objectGUID}, changes followed by update sequence numbers
 * ({@code change-detection: usn}). PingOne is the sandbox; the state is H2.
 */
class DirectoryToPingOneRouteTest extends RoadRouteTest {

    private static final String USERS = ProvisioningFixture.USERS;
    private static final String GROUPS = ProvisioningFixture.GROUPS;

    private ProvisioningFixture systems;
    private DemoDirectory directory;
    private LdapDirectory ldap;
    private StateStore state;
    private Pipes pipes;
    private SandboxAdmin admin;

    @TempDir
    Path temp;

    @Override
    protected RoadFixture fixture() {
        return systems;
    }

    @Override
    protected void doPreSetup() throws Exception {
        systems = new ProvisioningFixture();
        state = systems.state;
        pipes = systems.pipes;
        admin = systems.admin;
        directory = new DemoDirectory(DemoDirectory.Settings.defaults(0)).start();
        try (LDAPConnection connection = directory.connection()) {
            DemoSeed.seedCorp(connection, 40, 30);
        }
        ldap = new LdapDirectory(new LdapSettings("corp", directory.url(), "cn=Directory Manager", "demo-password", DemoDirectory.BASE_DN, 4,
                Duration.ofSeconds(2), Duration.ofSeconds(5)));
    }


    @AfterEach
    void closeSystems() {
        ldap.close();
        systems.close();
        directory.close();
    }

    /** Builds both pipes with the given user mapping, loads the shipped routes with the test's advice, starts them. */
    private void start(PipeMapping userMapping,
                       org.apache.camel.util.function.ThrowingConsumer<org.apache.camel.builder.AdviceWithRouteBuilder, Exception> roadAdvice)
            throws Exception {
        PingOneClient client = systems.client();
        // as against Active Directory: entries named by objectGUID, changes followed by uSNChanged
        LdapEntrySource users = new LdapEntrySource(ldap, LdapSourceSettings.users(DemoSeed.PROVISIONING_GROUP_DN, null, null, "objectGUID",
                "ds-pwp-account-disabled").withChangeDetection("usn"));
        LdapEntrySource groups = new LdapEntrySource(ldap, new LdapSourceSettings(io.idsync.connector.EntryType.GROUP, null, DemoDirectory.GROUPS_DN,
                "(&(objectClass=group)(!(cn=Provisioning Users)))", "objectGUID", "ds-pwp-account-disabled", "usn"));
        pipes.register(new Pipe(USERS, io.idsync.connector.EntryType.USER, users, users, new PingOneUserDestination(client, "Corp"), userMapping, state));
        pipes.register(new Pipe(GROUPS, io.idsync.connector.EntryType.GROUP, groups, groups, new PingOneGroupDestination(client),
                MappingFile.load("mappings/directory-groups-to-pingone.yaml"), state).membersFrom(USERS));
        systems.loadRoutes(context, USERS, GROUPS);
        if (roadAdvice != null) {
            AdviceWith.adviceWith(context, USERS, roadAdvice);
        }
        context.start();
    }

    private void start() throws Exception {
        start(MappingFile.load("mappings/directory-to-pingone.yaml"), null);
    }

    @Test
    void theSourceGroupIsProvisionedAndItsUsersJoinGroupsSynchronizedBeforeThem() throws Exception {
        start();
        // the groups first: Accounting is created, Engineering and Sales (already in PingOne) linked by name;
        // nobody is provisioned yet, so they have no members
        poll(GROUPS);
        assertNotNull(group("Accounting"));
        assertEquals(1, admin.client().get("/groups?filter=" + PingOneClient.encode("name eq \"Engineering\"")).body()
                .path("_embedded").path("groups").size());
        assertTrue(members("Accounting").isEmpty());

        poll(USERS);
        assertEquals(30, corpUsernames().size(), "the 30 members of cn=Provisioning Users");
        assertFalse(corpUsernames().contains("corp0031"));

        // the users pipe asked for its new users' groups: the next groups poll adds them, and only them
        assertEquals(30, state.memberRefreshCount(GROUPS), "one member refresh per newly provisioned user");
        poll(GROUPS);
        assertEquals(0, state.memberRefreshCount(GROUPS), "done at the groups pipe's checkpoint");
        for (String name : List.of("Accounting", "Engineering", "Sales")) {
            Set<String> expected = provisionedMembers("cn=" + name + "," + DemoDirectory.GROUPS_DN);
            assertFalse(expected.isEmpty());
            assertEquals(expected, members(name), name + ": its provisioned members");
        }
        long modified = pipes.get(GROUPS).counters().snapshot().get("modified");
        poll(GROUPS);
        assertEquals(modified, pipes.get(GROUPS).counters().snapshot().get("modified"), "nothing left to do: no group is modified again");
    }

    /** PingOne's PUT replaces the whole group: a rename keeps what PingOne holds and idsync does not manage. */
    @Test
    void aRenamedGroupKeepsWhatIdsyncDoesNotManage() throws Exception {
        String id = group("Engineering").path("id").asText();
        admin.client().send("PUT", "/groups/" + id, SandboxAdmin.JSON.createObjectNode().put("name", "Engineering")
                .put("description", "set in PingOne").put("externalId", "ext-42").put("userFilter", "title eq \"Engineer\"")
                .set("customData", SandboxAdmin.JSON.createObjectNode().put("costCenter", "1234")), null);
        start();
        poll(GROUPS);
        try (LDAPConnection connection = directory.connection()) {
            connection.modifyDN("cn=Engineering," + DemoDirectory.GROUPS_DN, "cn=Platform", true);
        }
        poll(GROUPS);
        JsonNode renamed = admin.client().get("/groups/" + id).body();
        assertEquals("Platform", renamed.path("name").asText(), "renamed by the PUT");
        assertEquals("ext-42", renamed.path("externalId").asText());
        assertEquals("title eq \"Engineer\"", renamed.path("userFilter").asText());
        assertEquals("1234", renamed.path("customData").path("costCenter").asText());
    }

    @Test
    void updateSequenceNumbersCarryChangesAndAReconciliationFindsDeletes() throws Exception {
        start();
        poll(USERS);
        String first = dnOf("corp0001");
        String second = dnOf("corp0002");
        try (LDAPConnection connection = directory.connection()) {
            connection.modify(first, new Modification(ModificationType.REPLACE, "givenName", "Ottilie"));
            connection.delete(second);
        }
        poll(USERS);
        assertEquals("Ottilie", user("corp0001").path("name").path("given").asText(), "the modify carried by uSNChanged");
        assertTrue(user("corp0002").path("enabled").asBoolean(), "a delete leaves no uSNChanged to follow");

        template.sendBody("direct:reconcile-" + USERS, null);
        assertFalse(user("corp0002").path("enabled").asBoolean(), "the reconciliation found it gone: remove action disable");
    }

    @Test
    void withRemoveActionDeleteAUserWhoLeavesTheSourceGroupIsDeleted() throws Exception {
        String shipped = new String(getClass().getClassLoader().getResourceAsStream("mappings/directory-to-pingone.yaml").readAllBytes());
        Path mapping = temp.resolve("directory-to-pingone.yaml");
        Files.writeString(mapping, shipped.replace("delete-action: disable", "delete-action: delete")
                .replace("scope-exit-action: disable", "scope-exit-action: delete"));
        start(MappingFile.load(mapping.toString()), null);
        poll(USERS);
        assertNotNull(user("corp0003"));

        try (LDAPConnection connection = directory.connection()) {
            connection.modify(DemoSeed.PROVISIONING_GROUP_DN, new Modification(ModificationType.DELETE, "member", dnOf("corp0003")));
        }
        poll(USERS);
        assertNull(user("corp0003"), "deleted in PingOne");
        assertEquals(1L, pipes.get(USERS).counters().snapshot().get("deleted"));
        assertEquals(StateStore.Status.REMOVED, state.entry(USERS, objectGuid("corp0003")).orElseThrow().status());
    }

    @Test
    void aPingOneOutageStopsTheBatchAndTheNextPollReplaysIt() throws Exception {
        AtomicInteger deliveries = new AtomicInteger();
        start(MappingFile.load("mappings/directory-to-pingone.yaml"), a -> a.weaveById("deliver").before().process(exchange -> {
            if (deliveries.incrementAndGet() == 1) {
                throw new SystemUnavailable("PingOne is unreachable (test)");
            }
        }));
        poll(USERS);
        String checkpoint = state.checkpoint(USERS).orElse(null);
        assertNull(checkpoint, "the initial load did not finish: no checkpoint");
        assertTrue(pipes.get(USERS).lastError().contains("PingOne is unreachable"), pipes.get(USERS).lastError());

        poll(USERS);
        assertEquals(30, corpUsernames().size());
        assertNotNull(state.checkpoint(USERS).orElse(null));
    }

    // --- helpers -------------------------------------------------------------------------------------

    private JsonNode user(String username) {
        return systems.user(username);
    }

    private JsonNode group(String name) {
        JsonNode groups = admin.client().get("/groups?filter=" + PingOneClient.encode("name eq \"" + name + "\"")).body()
                .path("_embedded").path("groups");
        return groups.size() == 0 ? null : groups.get(0);
    }

    private Set<String> members(String groupName) {
        Set<String> usernames = new HashSet<>();
        admin.client().pages("/users?limit=500&filter=" + PingOneClient.encode("memberOfGroups[id eq \"" + group(groupName).path("id").asText() + "\"]"),
                "users").forEachRemaining(u -> usernames.add(u.path("username").asText()));
        return usernames;
    }

    private Set<String> corpUsernames() {
        return systems.corpUsernames();
    }

    /** The sAMAccountNames of a directory group's members that are in cn=Provisioning Users. */
    private Set<String> provisionedMembers(String groupDn) throws Exception {
        try (LDAPConnection connection = directory.connection()) {
            Set<String> provisioned = Set.of(connection.getEntry(DemoSeed.PROVISIONING_GROUP_DN, "member").getAttributeValues("member"));
            Set<String> usernames = new HashSet<>();
            for (String dn : connection.getEntry(groupDn, "member").getAttributeValues("member")) {
                if (provisioned.contains(dn)) {
                    usernames.add(connection.getEntry(dn, "sAMAccountName").getAttributeValue("sAMAccountName"));
                }
            }
            return usernames;
        }
    }

    private String dnOf(String account) throws Exception {
        try (LDAPConnection connection = directory.connection()) {
            return connection.searchForEntry(DemoSeed.CORP_DN, SearchScope.ONE, "(sAMAccountName=" + account + ")").getDN();
        }
    }

    /** The user's id as the pipe names it: its objectGUID in AD's text form. */
    private String objectGuid(String account) throws Exception {
        try (LDAPConnection connection = directory.connection()) {
            return io.idsync.connector.ldap.EntryIds.format(connection.searchForEntry(DemoSeed.CORP_DN, SearchScope.ONE,
                    "(sAMAccountName=" + account + ")", "objectGUID").getAttributeValueBytes("objectGUID"));
        }
    }
}

package io.idsync.pipe;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.sandbox.DemoSeed;
import io.idsync.sandbox.PingOneSandbox;
import io.idsync.testsupport.SandboxAdmin;
import io.idsync.testsupport.WiredPipes;
import io.idsync.testsupport.WiredRouteTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@code routes/pingone-groups-to-directory.yaml} as shipped, a group pipe with a PingOne source, wired from its
 * settings alone with the users pipe it takes its members from ({@code pingone-to-directory}): PingOne's groups
 * become groupOfNames entries under ou=PingOne Groups whose members are the synchronized users' DNs.
 */
class PingOneGroupsToDirectoryRouteTest extends WiredRouteTest {

    private static final String USERS = "pingone-to-directory";
    private static final String GROUPS = "pingone-groups-to-directory";
    private static final String WORKER = "idsync-groups-test";
    private static final String SECRET = "groups-test-secret";

    private PingOneSandbox pingOne;
    private DemoDirectory directory;
    private SandboxAdmin admin;

    @Override
    protected void doPreSetup() throws Exception {
        pingOne = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 1000, Duration.ZERO)).start();
        DemoSeed.seed(pingOne, WORKER, SECRET, 10, 0);
        directory = new DemoDirectory(DemoDirectory.Settings.defaults(0)).start();
        admin = SandboxAdmin.demoAdmin(pingOne.baseUrl());
    }

    @AfterEach
    void closeSystems() {
        pingOne.close();
        directory.close();
    }

    private void start() throws Exception {
        Map<String, String> properties = WiredPipes.shipped("classpath:application.properties", USERS, GROUPS);
        properties.put("idsync.pipes." + USERS + ".population-to-synchronize", "Employees");
        WiredPipes.connection(properties, "pingone", WiredPipes.pingOneConnection(pingOne.baseUrl(), DemoSeed.ENVIRONMENT, WORKER, SECRET));
        WiredPipes.connection(properties, "directory", Map.of("type", "ldap", "url", directory.url(), "bind-dn", "cn=Directory Manager",
                "bind-password", "demo-password", "base-dn", DemoDirectory.BASE_DN));
        loadRoutes("classpath:routes/" + USERS + ".yaml", "classpath:routes/" + GROUPS + ".yaml");
        systems.wire(context, properties);
        context.start();
    }

    @Test
    void pingOneGroupsBecomeDirectoryGroupsWithTheirMembersDns() throws Exception {
        String engineering = admin.groupId("Engineering");
        String first = admin.userIdStartingWith("e000001.");
        String second = admin.userIdStartingWith("e000002.");
        admin.addMember(first, engineering);
        admin.addMember(second, engineering);
        start();
        poll(USERS);
        poll(GROUPS);
        String group = "cn=Engineering," + DemoDirectory.PINGONE_GROUPS_DN;
        assertEquals(Set.of(dnOf(first), dnOf(second)), members(group), "the members' DNs, not their PingOne ids");
        assertEquals(Set.of(), members("cn=Sales," + DemoDirectory.PINGONE_GROUPS_DN), "a group with no member (the demo directory allows it)");
        assertEquals(3L, systems.pipes.get(GROUPS).counters().get("created"), "Engineering, Sales, Support");

        // membership activities change the group
        String third = admin.userIdStartingWith("e000003.");
        admin.addMember(third, engineering);
        admin.removeMember(first, engineering);
        poll(USERS);
        poll(GROUPS);
        assertEquals(Set.of(dnOf(second), dnOf(third)), members(group));

        // a rename is a modDN; a delete deletes
        admin.client().send("PUT", "/groups/" + engineering, SandboxAdmin.JSON.createObjectNode().put("name", "Engineering Team"), null);
        poll(GROUPS);
        String renamed = "cn=Engineering Team," + DemoDirectory.PINGONE_GROUPS_DN;
        try (LDAPConnection ldap = directory.connection()) {
            assertNull(ldap.getEntry(group));
            assertNotNull(ldap.getEntry(renamed));
        }
        assertEquals(Set.of(dnOf(second), dnOf(third)), members(renamed), "the members go with it");
        admin.client().deleteIfPresent("/groups/" + engineering);
        poll(GROUPS);
        try (LDAPConnection ldap = directory.connection()) {
            assertNull(ldap.getEntry(renamed));
        }
    }


    /** The directory entry's DN, normalized, of the user with this PingOne id (its entryUUID). */
    private String dnOf(String userId) throws Exception {
        try (LDAPConnection ldap = directory.connection()) {
            SearchResultEntry entry = ldap.searchForEntry(DemoDirectory.PEOPLE_DN, SearchScope.ONE, "(entryUUID=" + userId + ")");
            return entry.getParsedDN().toNormalizedString();
        }
    }

    private Set<String> members(String group) throws Exception {
        try (LDAPConnection ldap = directory.connection()) {
            Set<String> members = new TreeSet<>();
            String[] values = ldap.getEntry(group, "member").getAttributeValues("member");
            for (String dn : values == null ? new String[0] : values) {
                members.add(new com.unboundid.ldap.sdk.DN(dn).toNormalizedString());
            }
            return members;
        }
    }
}

package io.idsync.pipe;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchResultEntry;
import io.idsync.connector.EntryType;
import io.idsync.connector.ldap.LdapDirectory;
import io.idsync.connector.ldap.LdapEntrySource;
import io.idsync.connector.ldap.LdapSettings;
import io.idsync.connector.ldap.LdapSourceSettings;
import io.idsync.connector.pingone.PingOneClient;
import io.idsync.connector.pingone.PingOneGroupDestination;
import io.idsync.connector.pingone.PingOneUserDestination;
import io.idsync.mapping.MappingFile;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.sandbox.DemoSeed;
import io.idsync.sandbox.PingOneSandbox;
import io.idsync.state.StateStore;
import io.idsync.testsupport.ProvisioningFixture;
import io.idsync.testsupport.RoadFixture;
import io.idsync.testsupport.RoadRouteTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A group above Active Directory's range limit: AD gives at most 1,500 values of {@code member} in one read, as
 * {@code member;range=0-1499}, and a client that takes that for the group drops every member after it. The demo
 * directory's AD emulation answers as AD does; the provisioning pipes (users, then groups) read a 5,000-member group
 * whole, and a member joining and one leaving reach PingOne as one membership call each, not a rewrite of the 5,000.
 */
class ActiveDirectoryBigGroupRouteTest extends RoadRouteTest {

    private static final String USERS = ProvisioningFixture.USERS;
    private static final String GROUPS = ProvisioningFixture.GROUPS;
    private static final int MEMBERS = 5000;
    private static final String ALL_STAFF = "cn=All Staff," + DemoDirectory.GROUPS_DN;

    private ProvisioningFixture systems;
    private DemoDirectory directory;
    private LdapDirectory ldap;
    private LDAPConnection admin;
    private final List<String> corp = new ArrayList<>();

    @Override
    protected RoadFixture fixture() {
        return systems;
    }

    @Override
    protected void doPreSetup() throws Exception {
        systems = new ProvisioningFixture();
        directory = new DemoDirectory(DemoDirectory.Settings.defaults(0)).start();
        admin = directory.connection();
        // 5,001 users, all members of Provisioning Users (itself above the range limit: the users pipe's scope)
        DemoSeed.seedCorp(admin, MEMBERS + 1, MEMBERS + 1);
        for (SearchResultEntry user : admin.search(DemoSeed.CORP_DN, com.unboundid.ldap.sdk.SearchScope.ONE, "(objectClass=user)", "1.1").getSearchEntries()) {
            corp.add(user.getDN());
        }
        // All Staff: 5,000 of them, the last one not (yet)
        Entry allStaff = new Entry(ALL_STAFF);
        allStaff.addAttribute("objectClass", "top", "group");
        allStaff.addAttribute("cn", "All Staff");
        allStaff.addAttribute("member", corp.subList(0, MEMBERS).toArray(String[]::new));
        admin.add(allStaff);
        ldap = new LdapDirectory(new LdapSettings("corp", directory.url(), "cn=Directory Manager", "demo-password", DemoDirectory.BASE_DN, 4,
                Duration.ofSeconds(5), Duration.ofSeconds(30)));
    }

    @AfterEach
    void closeSystems() {
        admin.close();
        ldap.close();
        systems.close();
        directory.close();
    }

    @Test
    void aGroupAboveTheRangeLimitIsReadWholeAndItsMembershipChangesAreOneCallEach() throws Exception {
        // the directory answers as AD does: no plain member, the first range only
        SearchResultEntry raw = admin.getEntry(ALL_STAFF, "member");
        assertNull(raw.getAttribute("member"), "AD never gives more than 1,500 values at once");
        Attribute first = raw.getAttributes().stream().filter(a -> a.getBaseName().equals("member")).findFirst().orElseThrow();
        assertEquals("member;range=0-1499", first.getName());
        assertEquals(1500, first.size());

        PingOneClient client = systems.client(5000); // the sandbox's pace, not PingOne's: the test is about the group, not the rate
        LdapEntrySource users = new LdapEntrySource(ldap, LdapSourceSettings.users(DemoSeed.PROVISIONING_GROUP_DN, null, null, "objectGUID",
                "ds-pwp-account-disabled").withChangeDetection("usn"));
        LdapEntrySource groups = new LdapEntrySource(ldap, new LdapSourceSettings(EntryType.GROUP, null, DemoDirectory.GROUPS_DN,
                "(cn=All Staff)", "objectGUID", "ds-pwp-account-disabled", "usn"));
        StateStore state = systems.state;
        systems.pipes.register(new Pipe(USERS, EntryType.USER, users, users, new PingOneUserDestination(client, "Corp"),
                MappingFile.load("mappings/directory-to-pingone.yaml"), state));
        systems.pipes.register(new Pipe(GROUPS, EntryType.GROUP, groups, groups, new PingOneGroupDestination(client),
                MappingFile.load("mappings/directory-groups-to-pingone.yaml"), state).membersFrom(USERS));
        systems.loadRoutes(context, USERS, GROUPS);
        context.start();
        poll(USERS);
        assertEquals(MEMBERS + 1, corpUsers(), "every member of Provisioning Users, past the first 1,500");
        poll(GROUPS);
        poll(GROUPS); // the member refreshes the users pipe left
        String groupId = systems.admin.client().get("/groups?filter=" + PingOneClient.encode("name eq \"All Staff\"")).body()
                .path("_embedded").path("groups").get(0).path("id").asText();
        assertEquals(MEMBERS, members(groupId).size(), "All Staff in PingOne: its 5,000 members");

        // one joins, one leaves
        String joiner = corp.get(MEMBERS);
        String leaver = corp.get(17);
        admin.modify(ALL_STAFF, new Modification(ModificationType.ADD, "member", joiner), new Modification(ModificationType.DELETE, "member", leaver));
        systems.pingOne.clearRequests();
        poll(GROUPS);
        List<PingOneSandbox.Request> memberships = systems.pingOne.requests().stream()
                .filter(r -> r.path().contains("/memberOfGroups") && !r.method().equals("GET")).toList();
        assertEquals(List.of("POST", "DELETE"), memberships.stream().map(PingOneSandbox.Request::method).sorted(java.util.Comparator.reverseOrder()).toList(),
                "one call per membership change: " + memberships);
        Set<String> now = members(groupId);
        assertEquals(MEMBERS, now.size());
        assertTrue(now.contains(pingOneId(joiner)), "the joiner is a member");
        assertFalse(now.contains(pingOneId(leaver)), "the leaver is not");
    }

    private long corpUsers() {
        long[] count = {0};
        systems.admin.client().pages("/users?limit=1000&filter=" + PingOneClient.encode("population.id eq \"" + systems.admin.populationId("Corp") + "\""), "users")
                .forEachRemaining(user -> count[0]++);
        return count[0];
    }

    private Set<String> members(String groupId) {
        Set<String> ids = new HashSet<>();
        systems.admin.client().pages("/users?limit=1000&filter=" + PingOneClient.encode("memberOfGroups[id eq \"" + groupId + "\"]"), "users")
                .forEachRemaining(user -> ids.add(user.path("id").asText()));
        return ids;
    }

    /** The PingOne user the users pipe made of the directory user at {@code dn} (by username = sAMAccountName). */
    private String pingOneId(String dn) throws Exception {
        String account = admin.getEntry(dn, "sAMAccountName").getAttributeValue("sAMAccountName");
        return systems.admin.client().get("/users?filter=" + PingOneClient.encode("username eq \"" + account + "\"")).body()
                .path("_embedded").path("users").get(0).path("id").asText();
    }
}

package io.idsync.pipe;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.testsupport.Slapd;
import io.idsync.testsupport.WiredPipes;
import io.idsync.testsupport.WiredRouteTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The directory → directory pipes exactly as a deployment ships them (config/routes/directory-*-to-directory.yaml,
 * config/mappings/, the settings in config/application.properties), wired by the same code as at start-up, with
 * only the connections pointed elsewhere: the source is a real OpenLDAP {@code slapd} (no changelog:
 * modifyTimestamp), the destination the demo directory's suffix o=replica. Skipped, with the reason, where
 * Debian's {@code slapd} is not installed.
 */
class DirectoryToDirectoryRouteTest extends WiredRouteTest {

    private static final String USERS = "directory-to-directory";
    private static final String GROUPS = "directory-groups-to-directory";
    private static final String REPLICA_PEOPLE = "ou=People," + DemoDirectory.REPLICA_DN;

    private Slapd slapd;
    private DemoDirectory destination;

    @Override
    protected void doPreSetup() throws Exception {
        Slapd.assumeAvailable();
        slapd = Slapd.start().withPeople();
        destination = new DemoDirectory(DemoDirectory.Settings.defaults(0)).start();
    }

    @AfterEach
    void closeSystems() throws Exception {
        if (destination != null) {
            destination.close();
        }
        if (slapd != null) {
            slapd.close();
        }
    }

    /** The shipped settings, the two pipes on, their source pointed at slapd and the directory connection at the demo directory. */
    private void start() throws Exception {
        Map<String, String> properties = WiredPipes.shipped("config/application.properties", USERS, GROUPS);
        for (String pipe : List.of(USERS, GROUPS)) {
            properties.put("idsync.pipes." + pipe + ".source", "openldap");
        }
        WiredPipes.connection(properties, "openldap", Map.of("type", "ldap", "url", slapd.url(), "bind-dn", Slapd.ROOT_DN,
                "bind-password", Slapd.ROOT_PASSWORD, "base-dn", Slapd.SUFFIX));
        WiredPipes.connection(properties, "directory", Map.of("type", "ldap", "url", destination.url(), "bind-dn", "cn=Directory Manager",
                "bind-password", "demo-password", "base-dn", DemoDirectory.BASE_DN));
        loadRoutes("file:config/routes/directory-to-directory.yaml", "file:config/routes/directory-groups-to-directory.yaml");
        systems.wire(context, properties);
        context.start();
    }

    @Test
    void openLdapUsersAndGroupsAreReplicatedWithMembersAsDestinationDns() throws Exception {
        start();
        poll(USERS);
        poll(GROUPS);
        try (LDAPConnection replica = destination.connection(); LDAPConnection source = slapd.connection()) {
            for (String uid : List.of("ann", "ben", "cat")) {
                assertEquals(source.getEntry("uid=" + uid + "," + Slapd.PEOPLE, "entryUUID").getAttributeValue("entryUUID"),
                        replica.getEntry("uid=" + uid + "," + REPLICA_PEOPLE, "entryUUID").getAttributeValue("entryUUID"), uid + ": same entryUUID");
            }
            String group = "cn=Provisioning Users,ou=Groups," + DemoDirectory.REPLICA_DN;
            assertEquals(Set.of("uid=ann," + REPLICA_PEOPLE, "uid=ben," + REPLICA_PEOPLE), members(replica, group),
                    "members written as the replicas' DNs, not as ids");

            // modifyTimestamp carries modifies and renames; the next group poll follows the member leaving
            source.modify("uid=ann," + Slapd.PEOPLE, new Modification(ModificationType.REPLACE, "mail", "ann@new.example.com"));
            source.modifyDN("uid=cat," + Slapd.PEOPLE, "uid=kat", true);
            source.modify(Slapd.PROVISIONING_GROUP, new Modification(ModificationType.DELETE, "member", "uid=ben," + Slapd.PEOPLE));
            poll(USERS);
            poll(GROUPS);
            assertEquals("ann@new.example.com", replica.getEntry("uid=ann," + REPLICA_PEOPLE).getAttributeValue("mail"));
            assertNull(replica.getEntry("uid=cat," + REPLICA_PEOPLE));
            assertNotNull(replica.getEntry("uid=kat," + REPLICA_PEOPLE), "renamed at the destination (modDN)");
            assertEquals(Set.of("uid=ann," + REPLICA_PEOPLE), members(replica, group));

            // no changelog: a delete is found by the reconciliation
            source.delete("uid=ben," + Slapd.PEOPLE);
            poll(USERS);
            assertNotNull(replica.getEntry("uid=ben," + REPLICA_PEOPLE), "a delete leaves no modifyTimestamp to follow");
            template.sendBody("direct:reconcile-" + USERS, null);
            assertNull(replica.getEntry("uid=ben," + REPLICA_PEOPLE), "the reconciliation found it gone");
            assertEquals(1L, systems.pipes.get(USERS).counters().get("deleted"));
        }
    }

    private static Set<String> members(LDAPConnection ldap, String group) throws Exception {
        Set<String> members = new TreeSet<>();
        String[] values = ldap.getEntry(group, "member").getAttributeValues("member");
        for (String dn : values == null ? new String[0] : values) {
            members.add(dn);
        }
        return members;
    }
}

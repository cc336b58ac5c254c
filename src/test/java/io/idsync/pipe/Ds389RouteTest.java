package io.idsync.pipe;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.idsync.testsupport.Ds389;
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
 * The directory → directory pipes as a deployment ships them (config/routes/, the settings in
 * config/application.properties), between two real 389 Directory Servers: the source followed by its Retro Changelog,
 * the destination written by idsync; the mappings are the shipped ones as a 389 deployment writes them
 * ({@code ds389/*.yaml}: account status as {@code nsAccountLock}, correlation by uid since 389 assigns entryUUID
 * itself). Creates, a modify, a rename, a lock, a member leaving, and a delete, all by polling alone.
 */
class Ds389RouteTest extends WiredRouteTest {

    private static final String USERS = "directory-to-directory";
    private static final String GROUPS = "directory-groups-to-directory";
    private static final String GROUP = "cn=Provisioning Users," + Ds389.GROUPS;

    private Ds389 source;
    private Ds389 destination;

    @Override
    protected void doPreSetup() throws Exception {
        Ds389.assumeAvailable();
        source = Ds389.start();
        destination = Ds389.start();
        try (LDAPConnection ldap = source.connection()) {
            for (String uid : List.of("ann", "ben", "cat")) {
                ldap.add("dn: uid=" + uid + "," + Ds389.PEOPLE, "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid, "sn: " + uid,
                        "mail: " + uid + "@example.com");
            }
            ldap.add("dn: " + GROUP, "objectClass: groupOfNames", "cn: Provisioning Users", "member: uid=ann," + Ds389.PEOPLE,
                    "member: uid=ben," + Ds389.PEOPLE);
        }
    }

    @AfterEach
    void closeSystems() throws Exception {
        for (Ds389 server : new Ds389[]{source, destination}) {
            if (server != null) {
                server.close();
            }
        }
    }

    private void start() throws Exception {
        Map<String, String> properties = WiredPipes.shipped("config/application.properties", USERS, GROUPS);
        for (String pipe : List.of(USERS, GROUPS)) {
            properties.put("idsync.pipes." + pipe + ".source", "source389");
            properties.put("idsync.pipes." + pipe + ".destination", "destination389");
            properties.put("idsync.pipes." + pipe + ".destination-base-dn", Ds389.SUFFIX);
        }
        properties.put("idsync.pipes." + USERS + ".mapping", "ds389/people.yaml");
        properties.put("idsync.pipes." + GROUPS + ".mapping", "ds389/groups.yaml");
        WiredPipes.connection(properties, "source389", Map.of("type", "ldap", "url", source.url(), "bind-dn", Ds389.ROOT_DN,
                "bind-password", Ds389.ROOT_PASSWORD, "base-dn", Ds389.SUFFIX, "disabled-attribute", "nsAccountLock", "change-detection", "changelog"));
        WiredPipes.connection(properties, "destination389", Map.of("type", "ldap", "url", destination.url(), "bind-dn", Ds389.ROOT_DN,
                "bind-password", Ds389.ROOT_PASSWORD, "base-dn", Ds389.SUFFIX));
        loadRoutes("file:config/routes/directory-to-directory.yaml", "file:config/routes/directory-groups-to-directory.yaml");
        systems.wire(context, properties);
        context.start();
    }

    @Test
    void usersAndGroupsOfOne389AreKeptInAnotherByItsChangelog() throws Exception {
        start();
        poll(USERS);
        poll(GROUPS);
        try (LDAPConnection replica = destination.connection(); LDAPConnection ldap = source.connection()) {
            for (String uid : List.of("ann", "ben", "cat")) {
                assertEquals(uid + "@example.com", replica.getEntry("uid=" + uid + "," + Ds389.PEOPLE, "mail").getAttributeValue("mail"));
            }
            assertEquals(Set.of("uid=ann," + Ds389.PEOPLE, "uid=ben," + Ds389.PEOPLE), members(replica));

            ldap.modify("uid=ann," + Ds389.PEOPLE, new Modification(ModificationType.REPLACE, "mail", "ann@new.example.com"));
            ldap.modifyDN("uid=cat," + Ds389.PEOPLE, "uid=kat", true);
            ldap.modify("uid=ben," + Ds389.PEOPLE, new Modification(ModificationType.REPLACE, "nsAccountLock", "true"));
            ldap.modify(GROUP, new Modification(ModificationType.DELETE, "member", "uid=ben," + Ds389.PEOPLE));
            poll(USERS);
            poll(GROUPS);
            assertEquals("ann@new.example.com", replica.getEntry("uid=ann," + Ds389.PEOPLE, "mail").getAttributeValue("mail"));
            assertNull(replica.getEntry("uid=cat," + Ds389.PEOPLE));
            assertNotNull(replica.getEntry("uid=kat," + Ds389.PEOPLE), "renamed at the destination (modDN)");
            assertEquals("true", replica.getEntry("uid=ben," + Ds389.PEOPLE, "nsAccountLock").getAttributeValue("nsAccountLock"), "locked there too");
            assertEquals(Set.of("uid=ann," + Ds389.PEOPLE), members(replica));

            // the changelog names the delete (targetEntryUUID): no reconciliation needed
            ldap.delete("uid=kat," + Ds389.PEOPLE);
            poll(USERS);
            assertNull(replica.getEntry("uid=kat," + Ds389.PEOPLE), "deleted by polling alone");
            assertEquals(1L, systems.pipes.get(USERS).counters().get("deleted"));
        }
    }

    private static Set<String> members(LDAPConnection ldap) throws Exception {
        String[] values = ldap.getEntry(GROUP, "member").getAttributeValues("member");
        return new TreeSet<>(values == null ? List.of() : List.of(values));
    }
}

package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.idsync.connector.Change;
import io.idsync.connector.ChangeBatch;
import io.idsync.connector.SourceEntry;
import io.idsync.testsupport.Ds389;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LDAP source on a real 389 Directory Server (Debian's {@code 389-ds-base}, started by the test) with its Retro
 * Changelog: what 389 writes there as it writes it (a modify's {@code changes} ending in a NUL byte, the MemberOf
 * plugin's own changes, {@code targetDn} as the client spelled it, no {@code deletedEntryAttrs}), read by the changelog
 * feed: a create, a modify, a rename, a move, account lock ({@code nsAccountLock}), a member joining and leaving the
 * scope group, and a delete named by the changelog's {@code targetEntryUUID}.
 */
class Ds389SourceTest {

    private static final String GROUP = "cn=Provisioning Users," + Ds389.GROUPS;

    private Ds389 server;
    private LDAPConnection admin;
    private LdapDirectory ldap;

    @BeforeEach
    void start() throws Exception {
        Ds389.assumeAvailable();
        server = Ds389.start();
        admin = server.connection();
        for (String uid : List.of("ann", "ben", "cat")) {
            admin.add("dn: uid=" + uid + "," + Ds389.PEOPLE, "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid, "sn: " + uid);
        }
        admin.add("dn: " + GROUP, "objectClass: groupOfNames", "cn: Provisioning Users", "member: uid=ann," + Ds389.PEOPLE);
        ldap = new LdapDirectory(new LdapSettings("ds389", server.url(), Ds389.ROOT_DN, Ds389.ROOT_PASSWORD, Ds389.SUFFIX, 2,
                Duration.ofSeconds(2), Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() throws Exception {
        if (ldap != null) {
            ldap.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private String uuid(String dn) throws Exception {
        return admin.getEntry(dn, "entryUUID").getAttributeValue("entryUUID");
    }

    private static Set<String> ids(ChangeBatch batch, Change.Kind kind) {
        return batch.changes().stream().filter(c -> c.kind() == kind).map(Change::sourceId).collect(Collectors.toSet());
    }

    @Test
    void theRetroChangelogCarriesEveryKindOfChangeIncludingDeletes() throws Exception {
        LdapEntrySource people = new LdapEntrySource(ldap, new LdapSourceSettings(io.idsync.connector.EntryType.USER, null, Ds389.PEOPLE,
                "(objectClass=inetOrgPerson)", "entryUUID", "nsAccountLock", "changelog"));
        String start = people.currentToken();
        String ann = uuid("uid=ann," + Ds389.PEOPLE);
        String ben = uuid("uid=ben," + Ds389.PEOPLE);
        String cat = uuid("uid=cat," + Ds389.PEOPLE);

        // a create, a modify (a NUL ends its changes), a rename, account lock; targetDn spelled as the client sent it
        admin.add("dn: UID=Dan,OU=people,DC=Example,DC=COM", "objectClass: inetOrgPerson", "uid: Dan", "cn: Dan", "sn: Dan");
        admin.modify("uid=ann," + Ds389.PEOPLE, new Modification(ModificationType.REPLACE, "mail", "ann@example.com"));
        admin.modifyDN("uid=cat," + Ds389.PEOPLE, "uid=kat", true);
        admin.modify("uid=ben," + Ds389.PEOPLE, new Modification(ModificationType.REPLACE, "nsAccountLock", "true"));
        ChangeBatch batch = people.changesSince(start);
        String dan = uuid("uid=dan," + Ds389.PEOPLE);
        assertEquals(Set.of(dan), ids(batch, Change.Kind.CREATE), batch.changes().toString());
        assertTrue(ids(batch, Change.Kind.MODIFY).containsAll(Set.of(ann, cat, ben)), "the modify, the rename and the lock: " + batch.changes());
        assertEquals("ann@example.com", people.read(ann).orElseThrow().document().path("mail").asText());
        assertEquals("kat", people.read(cat).orElseThrow().document().path("uid").asText(), "the renamed entry, by its entryUUID");
        SourceEntry locked = people.read(ben).orElseThrow();
        assertEquals("false", locked.document().path(LdapEntrySource.ENABLED_IN_DIRECTORY).asText(), "nsAccountLock: true is a disabled account");

        // a delete: 389 keeps no deletedEntryAttrs, its targetEntryUUID names the entry
        admin.delete("uid=kat," + Ds389.PEOPLE);
        ChangeBatch deletes = people.changesSince(batch.nextToken());
        assertEquals(Set.of(cat), ids(deletes, Change.Kind.DELETE), deletes.changes().toString());
    }

    @Test
    void membersJoiningAndLeavingTheScopeGroupAreChangesOfThoseMembers() throws Exception {
        LdapEntrySource members = new LdapEntrySource(ldap, new LdapSourceSettings(io.idsync.connector.EntryType.USER, GROUP, null, null,
                "entryUUID", "nsAccountLock", "changelog"));
        List<SourceEntry> scanned = new java.util.ArrayList<>();
        members.scan().forEachRemaining(scanned::add);
        assertEquals(Set.of("ann"), scanned.stream().map(e -> e.document().path("uid").asText()).collect(Collectors.toSet()));
        String start = members.currentToken();
        admin.modify(GROUP, new Modification(ModificationType.ADD, "member", "uid=ben," + Ds389.PEOPLE));
        admin.modify(GROUP, new Modification(ModificationType.DELETE, "member", "uid=ann," + Ds389.PEOPLE));
        ChangeBatch batch = members.changesSince(start);
        Set<String> changed = batch.changes().stream().map(Change::sourceId).collect(Collectors.toSet());
        assertTrue(changed.containsAll(Set.of(uuid("uid=ben," + Ds389.PEOPLE), uuid("uid=ann," + Ds389.PEOPLE))), batch.changes().toString());
        assertTrue(members.read(uuid("uid=ben," + Ds389.PEOPLE)).map(members::inScope).orElse(false), "ben joined");
        assertFalse(members.read(uuid("uid=ann," + Ds389.PEOPLE)).map(members::inScope).orElse(true), "ann left");
    }

    /**
     * The Retro Changelog as 389 ships it names a delete by its DN alone: the entry idsync saw last at that DN is the one
     * deleted; one it never saw (added and deleted between two polls) is a WARN and idsync_changes_unmapped_total.
     */
    @Test
    void aDeleteNamedOnlyByItsDnIsTheEntryLastSeenThereAndAnUnknownOneIsCounted() throws Exception {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.micrometer.core.instrument.Metrics.addRegistry(meters);
        try (Ds389 plain = Ds389.startWithPlainRetroChangelog(); LDAPConnection connection = plain.connection();
             LdapDirectory directory = new LdapDirectory(new LdapSettings("plain389", plain.url(), Ds389.ROOT_DN, Ds389.ROOT_PASSWORD, Ds389.SUFFIX, 2,
                     Duration.ofSeconds(2), Duration.ofSeconds(5)))) {
            for (String uid : List.of("ann", "ben")) {
                connection.add("dn: uid=" + uid + "," + Ds389.PEOPLE, "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid, "sn: " + uid);
            }
            LdapEntrySource people = new LdapEntrySource(directory, new LdapSourceSettings(io.idsync.connector.EntryType.USER, null, Ds389.PEOPLE,
                    "(objectClass=inetOrgPerson)", "entryUUID", "nsAccountLock", "changelog"));
            String start = people.currentToken();
            List<SourceEntry> loaded = new java.util.ArrayList<>();
            people.scan().forEachRemaining(loaded::add); // the initial load: idsync sees ann and ben
            String ann = connection.getEntry("uid=ann," + Ds389.PEOPLE, "entryUUID").getAttributeValue("entryUUID");

            connection.add("dn: uid=eve," + Ds389.PEOPLE, "objectClass: inetOrgPerson", "uid: eve", "cn: eve", "sn: eve");
            connection.delete("uid=eve," + Ds389.PEOPLE);
            connection.delete("uid=ann," + Ds389.PEOPLE);
            assertTrue(connection.search(Ds389.CHANGELOG, com.unboundid.ldap.sdk.SearchScope.ONE, "(changeType=delete)", "targetUniqueId", "targetEntryUUID")
                    .getSearchEntries().stream().allMatch(e -> e.getAttributes().isEmpty()), "this changelog names deletes by DN only");
            ChangeBatch batch = people.changesSince(start);
            assertEquals(Set.of(ann), ids(batch, Change.Kind.DELETE), batch.changes().toString());
            assertEquals(1.0, meters.get("idsync.changes.unmapped").tags("connection", "plain389", "operation", "delete").counter().count(), 1e-9,
                    "eve, never seen, cannot be named: counted, not silent");
        } finally {
            io.micrometer.core.instrument.Metrics.removeRegistry(meters);
        }
    }
}

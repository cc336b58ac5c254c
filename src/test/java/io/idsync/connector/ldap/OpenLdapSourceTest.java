package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.idsync.connector.Change;
import io.idsync.connector.ChangeBatch;
import io.idsync.connector.SourceEntry;
import io.idsync.testsupport.Slapd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LDAP user source on a real OpenLDAP slapd (Debian's package; .ci/run installs it): no changelog, so
 * changes are followed by modifyTimestamp, and group membership changes show as the members' changes.
 * Without slapd on the machine these tests report themselves skipped, saying why.
 */
class OpenLdapSourceTest {

    private static final String PEOPLE = Slapd.PEOPLE;
    private static final String GROUP = Slapd.PROVISIONING_GROUP;

    private static Slapd slapd;
    private static LdapDirectory ldap;
    private static LdapEntrySource source;

    @BeforeAll
    static void startSlapd() throws Exception {
        Slapd.assumeAvailable();
        slapd = Slapd.start().withPeople();
        ldap = new LdapDirectory(new LdapSettings("openldap", slapd.url(), Slapd.ROOT_DN, Slapd.ROOT_PASSWORD, Slapd.SUFFIX, 2,
                Duration.ofSeconds(2), Duration.ofSeconds(5)));
        source = new LdapEntrySource(ldap, LdapSourceSettings.users(GROUP, null, null, "entryUUID", "ds-pwp-account-disabled"));
    }

    @AfterAll
    static void stopSlapd() throws Exception {
        if (ldap != null) {
            ldap.close();
        }
        if (slapd != null) {
            slapd.close();
        }
    }

    @Test
    void theGroupsMembersAreTheUsers() throws Exception {
        Set<String> members;
        try (LDAPConnection admin = slapd.connection()) {
            members = Set.of(admin.getEntry(GROUP, "member").getAttributeValues("member")).stream()
                    .map(dn -> dn.substring(4, dn.indexOf(','))).collect(Collectors.toSet());
        }
        List<SourceEntry> users = new ArrayList<>();
        source.scan().forEachRemaining(users::add);
        assertTrue(members.contains("ann"));
        assertEquals(members, users.stream().map(u -> u.document().path("uid").asText()).collect(Collectors.toSet()),
                "exactly the group's members; cat is not one");
        assertTrue(users.stream().allMatch(u -> "true".equals(u.document().path(LdapEntrySource.ENABLED_IN_DIRECTORY).asText())));
    }

    @Test
    void changesAreFollowedByModifyTimestampWithoutAChangelog() throws Exception {
        String token = source.currentToken();
        assertTrue(token.startsWith("csn:"), "slapd has no cn=changelog: its entryCSN is followed: " + token);
        try (LDAPConnection admin = slapd.connection()) {
            admin.add("dn: uid=dan," + PEOPLE, "objectClass: inetOrgPerson", "uid: dan", "cn: dan", "sn: dan");
            admin.modify(GROUP, new Modification(ModificationType.ADD, "member", "uid=dan," + PEOPLE));
            admin.modify(GROUP, new Modification(ModificationType.DELETE, "member", "uid=ben," + PEOPLE));
        }
        String dan = entryUuid("uid=dan," + PEOPLE);
        String ben = entryUuid("uid=ben," + PEOPLE);
        ChangeBatch batch = source.changesSince(token);
        Set<String> users = batch.changes().stream().filter(source::inScope).map(Change::sourceId).collect(Collectors.toSet());
        assertTrue(users.contains(dan), "the new user: " + batch.changes());
        assertTrue(users.contains(ben), "the member who left the group: " + batch.changes());
        assertTrue(source.inScope(source.read(dan).orElseThrow()));

        ChangeBatch again = source.changesSince(batch.nextToken());
        assertTrue(again.changes().isEmpty(), "entries at the window's edge are not reported twice: " + again.changes());
    }

    private static String entryUuid(String dn) throws Exception {
        try (LDAPConnection admin = slapd.connection()) {
            return admin.getEntry(dn, "entryUUID").getAttributeValue("entryUUID");
        }
    }
}

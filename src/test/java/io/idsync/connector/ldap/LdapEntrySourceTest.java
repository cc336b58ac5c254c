package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.idsync.connector.Change;
import io.idsync.connector.ChangeBatch;
import io.idsync.connector.SourceEntry;
import io.idsync.sandbox.DemoDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The LDAP user source on the demo directory: source location (group, nested groups, filter), changelog, account status. */
class LdapEntrySourceTest {

    private static final String CORP = "ou=Corp,dc=example,dc=com";
    private static final String GROUP = "cn=Provisioning Users,ou=Groups,dc=example,dc=com";

    private DemoDirectory directory;
    private LdapDirectory ldap;
    private LDAPConnection admin;

    @BeforeEach
    void start() throws Exception {
        directory = new DemoDirectory(DemoDirectory.Settings.defaults(0)).start();
        admin = directory.connection();
        admin.add("dn: " + CORP, "objectClass: organizationalUnit", "ou: Corp");
        for (String name : List.of("alice", "bob", "carol", "dave")) {
            admin.add("dn: cn=" + name + "," + CORP, "objectClass: user", "cn: " + name, "sn: " + name, "sAMAccountName: " + name,
                    "userAccountControl: " + (name.equals("dave") ? "514" : "512"));
        }
        admin.add("dn: cn=Nested,ou=Groups,dc=example,dc=com", "objectClass: group", "cn: Nested", "member: cn=carol," + CORP);
        admin.add("dn: " + GROUP, "objectClass: group", "cn: Provisioning Users", "member: cn=alice," + CORP, "member: cn=dave," + CORP,
                "member: cn=Nested,ou=Groups,dc=example,dc=com");
        ldap = new LdapDirectory(new LdapSettings("directory", directory.url(), "cn=Directory Manager", "demo-password", DemoDirectory.BASE_DN, 2,
                Duration.ofSeconds(2), Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() {
        admin.close();
        ldap.close();
        directory.close();
    }

    private LdapEntrySource groupSource() {
        return new LdapEntrySource(ldap, LdapSourceSettings.users(GROUP, null, null, "entryUUID", "ds-pwp-account-disabled"));
    }

    private static Set<String> names(List<SourceEntry> entries) {
        return entries.stream().map(e -> e.document().path("cn").asText()).collect(Collectors.toSet());
    }

    private static List<SourceEntry> all(java.util.Iterator<SourceEntry> it) {
        List<SourceEntry> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }

    @Test
    void theMembersOfTheGroupNestedGroupsIncludedAreTheUsers() throws Exception {
        LdapEntrySource source = groupSource();
        List<SourceEntry> users = all(source.scan());
        assertEquals(Set.of("alice", "carol", "dave"), names(users), "bob is not a member; Nested is a group, carol is in it");
        SourceEntry carol = users.stream().filter(u -> u.document().path("cn").asText().equals("carol")).findFirst().orElseThrow();
        assertTrue(source.inScope(carol));
        SourceEntry bob = source.read(entryUuid("cn=bob," + CORP)).orElseThrow();
        assertFalse(source.inScope(bob));
    }

    @Test
    void aFilterAndBaseAreTheOtherSourceLocation() throws Exception {
        LdapEntrySource source = new LdapEntrySource(ldap, LdapSourceSettings.users(null, CORP, "(&(objectClass=user)(!(cn=carol)))", "entryUUID",
                "ds-pwp-account-disabled"));
        assertEquals(Set.of("alice", "bob", "dave"), names(all(source.scan())));
        assertFalse(source.inScope(source.read(entryUuid("cn=carol," + CORP)).orElseThrow()));
    }

    @Test
    void aDisabledAccountIsSeenInActiveDirectoryAndPingDirectoryForm() throws Exception {
        LdapEntrySource source = groupSource();
        assertEquals("false", source.read(entryUuid("cn=dave," + CORP)).orElseThrow().document().path(LdapEntrySource.ENABLED_IN_DIRECTORY).asText(),
                "userAccountControl 514 has bit 0x2");
        assertEquals("true", source.read(entryUuid("cn=alice," + CORP)).orElseThrow().document().path(LdapEntrySource.ENABLED_IN_DIRECTORY).asText());
        admin.add("dn: uid=pd,ou=People,dc=example,dc=com", "objectClass: inetOrgPerson", "uid: pd", "cn: pd", "sn: pd");
        // PingDirectory's way: the password policy state operation sets ds-pwp-account-disabled
        admin.processExtendedOperation(new com.unboundid.ldap.sdk.unboundidds.extensions.PasswordPolicyStateExtendedRequest(
                "uid=pd,ou=People,dc=example,dc=com", com.unboundid.ldap.sdk.unboundidds.extensions.PasswordPolicyStateOperation
                        .createSetAccountDisabledStateOperation(true)));
        assertEquals("false", source.read(entryUuid("uid=pd,ou=People,dc=example,dc=com")).orElseThrow().document()
                .path(LdapEntrySource.ENABLED_IN_DIRECTORY).asText());
    }

    @Test
    void theChangelogGivesChangesByStableIdThroughRenamesAndDeletes() throws Exception {
        LdapEntrySource source = groupSource();
        String start = source.currentToken();
        admin.add("dn: cn=erin," + CORP, "objectClass: user", "cn: erin", "sn: erin", "sAMAccountName: erin");
        String erin = entryUuid("cn=erin," + CORP);
        admin.modify(GROUP, new Modification(ModificationType.ADD, "member", "cn=erin," + CORP));
        admin.modify(GROUP, new Modification(ModificationType.DELETE, "member", "cn=alice," + CORP));
        admin.modifyDN("cn=erin," + CORP, "cn=erin2", true);
        String bob = entryUuid("cn=bob," + CORP);
        admin.delete("cn=bob," + CORP);
        admin.add("dn: cn=frank," + CORP, "objectClass: user", "cn: frank", "sn: frank", "sAMAccountName: frank");
        String frank = entryUuid("cn=frank," + CORP);

        ChangeBatch batch = source.changesSince(start);
        // each user's last change (the pipe coalesces per entry); memberOf back links add changes of their own
        java.util.Map<String, Change> last = new java.util.LinkedHashMap<>();
        batch.changes().stream().filter(source::inScope).forEach(c -> {
            last.remove(c.sourceId());
            last.put(c.sourceId(), c);
        });
        List<Change> users = List.copyOf(last.values());
        String alice = entryUuid("cn=alice," + CORP);
        // erin's add and group join name her old DN, which is gone: her rename stands for them (same id)
        assertEquals(List.of(alice, erin, bob, frank), users.stream().map(Change::sourceId).toList(), "changes: " + users);
        assertEquals(List.of(Change.Kind.MODIFY, Change.Kind.MODIFY, Change.Kind.DELETE, Change.Kind.CREATE),
                users.stream().map(Change::kind).toList(), "leaving the group, rename, delete, add");
        assertTrue(batch.changes().stream().anyMatch(c -> c.entryType() == io.idsync.connector.EntryType.GROUP), "the group's own change is reported as a GROUP change");

        ChangeBatch next = source.changesSince(batch.nextToken());
        assertTrue(next.changes().isEmpty());
        assertEquals(batch.nextToken(), next.nextToken());
    }

    @Test
    void activeDirectoryUpdateSequenceNumbersGiveTheChangesWhereThereIsNoChangelog() throws Exception {
        LdapEntrySource source = new LdapEntrySource(ldap, LdapSourceSettings.users(null, CORP, "(objectClass=user)", "entryUUID",
                "ds-pwp-account-disabled").withChangeDetection("usn"));
        String start = source.currentToken();
        assertTrue(start.startsWith("usn:"), "a token on highestCommittedUSN: " + start);
        admin.add("dn: cn=erin," + CORP, "objectClass: user", "cn: erin", "sn: erin", "sAMAccountName: erin");
        admin.modify("cn=bob," + CORP, new Modification(ModificationType.REPLACE, "givenName", "Robert"));
        admin.modifyDN("cn=carol," + CORP, "cn=caroline", true);

        ChangeBatch batch = source.changesSince(start);
        List<String> ids = batch.changes().stream().filter(source::inScope).map(Change::sourceId).toList();
        assertEquals(List.of(entryUuid("cn=erin," + CORP), entryUuid("cn=bob," + CORP), entryUuid("cn=caroline," + CORP)), ids,
                "add, modify and rename, in uSNChanged order");
        assertTrue(batch.nextToken().startsWith("usn:"));
        ChangeBatch next = source.changesSince(batch.nextToken());
        assertTrue(next.changes().isEmpty(), "nothing is returned twice: " + next.changes());

        admin.modify("cn=alice," + CORP, new Modification(ModificationType.REPLACE, "givenName", "Alicia"));
        assertEquals(List.of(entryUuid("cn=alice," + CORP)), source.changesSince(next.nextToken()).changes().stream().map(Change::sourceId).toList());
    }

    /** A server without changelog, USNs or entryCSN: modifyTimestamp, a whole second at a time once it is over. */
    @Test
    void modifyTimestampGivesTheChangesWhereThereIsNothingBetter() throws Exception {
        LdapEntrySource source = new LdapEntrySource(ldap, LdapSourceSettings.users(null, CORP, "(objectClass=user)", "entryUUID",
                "ds-pwp-account-disabled").withChangeDetection("modify-timestamp"));
        String token = source.currentToken();
        assertTrue(token.startsWith("ts:"), token);
        admin.modify("cn=bob," + CORP, new Modification(ModificationType.REPLACE, "title", "Lead"));
        String bob = admin.getEntry("cn=bob," + CORP, "entryUUID").getAttributeValue("entryUUID");
        ChangeBatch batch = await().atMost(Duration.ofSeconds(10)).until(() -> source.changesSince(token),
                b -> b.changes().stream().anyMatch(c -> c.sourceId().equals(bob)));
        assertTrue(source.changesSince(batch.nextToken()).changes().isEmpty(), "and only once");
    }

    /** Thousands of writes sharing their seconds: each followed once, and the token is a time whatever the burst. */
    @Test
    void aModifyTimestampBurstIsFollowedToTheEndWithATokenOfATime() throws Exception {
        LdapEntrySource source = new LdapEntrySource(ldap, LdapSourceSettings.users(null, CORP, "(cn=burst*)", "entryUUID",
                "ds-pwp-account-disabled").withChangeDetection("modify-timestamp"));
        String start = source.currentToken();
        int users = 2000;
        for (int i = 0; i < users; i++) {
            admin.add("dn: cn=burst" + i + "," + CORP, "objectClass: top", "objectClass: person", "objectClass: organizationalPerson",
                    "objectClass: user", "cn: burst" + i, "sn: Burst", "sAMAccountName: burst" + i);
        }
        Set<String> burst = new java.util.HashSet<>();
        admin.search(CORP, com.unboundid.ldap.sdk.SearchScope.ONE, "(cn=burst*)", "entryUUID").getSearchEntries()
                .forEach(entry -> burst.add(entry.getAttributeValue("entryUUID")));
        assertEquals(users, burst.size());
        Map<String, Integer> seen = new java.util.HashMap<>();
        String[] token = {start};
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            ChangeBatch batch = source.changesSince(token[0]);
            assertTrue(batch.nextToken().length() < 40, "a time, not the ids of a second: " + batch.nextToken());
            batch.changes().stream().filter(change -> burst.contains(change.sourceId())).forEach(change -> seen.merge(change.sourceId(), 1, Integer::sum));
            token[0] = batch.nextToken();
            return seen.size() >= users;
        });
        assertEquals(users, seen.size());
        assertTrue(seen.values().stream().allMatch(n -> n == 1), "each exactly once");
    }

    @Test
    void usersCarryMemberOfAndAMembershipChangeIsTheGroups() throws Exception {
        assertEquals(List.of(GROUP), List.of(admin.getEntry("cn=alice," + CORP).getAttributeValues("memberOf")));
        String bobUsn = admin.getEntry("cn=bob," + CORP, "uSNChanged").getAttributeValue("uSNChanged");
        admin.modify(GROUP, new Modification(ModificationType.ADD, "member", "cn=bob," + CORP));
        assertEquals(List.of(GROUP), List.of(admin.getEntry("cn=bob," + CORP).getAttributeValues("memberOf")));
        assertEquals(bobUsn, admin.getEntry("cn=bob," + CORP, "uSNChanged").getAttributeValue("uSNChanged"),
                "as in AD, the group changed, not its member");

        // the AD way to name a source location: a filter on memberOf
        LdapEntrySource source = new LdapEntrySource(ldap, LdapSourceSettings.users(null, CORP, "(&(objectClass=user)(memberOf=" + GROUP + "))",
                "entryUUID", "ds-pwp-account-disabled"));
        assertEquals(Set.of("alice", "bob", "dave"), names(all(source.scan())));

        admin.modifyDN(GROUP, "cn=Provisioning Staff", true);
        assertEquals(List.of("cn=Provisioning Staff,ou=Groups,dc=example,dc=com"), List.of(admin.getEntry("cn=alice," + CORP).getAttributeValues("memberOf")));
        admin.delete("cn=Nested,ou=Groups,dc=example,dc=com");
        assertFalse(admin.getEntry("cn=carol," + CORP).hasAttribute("memberOf"));
    }

    @Test
    void aSearchBaseTheServerDoesNotHaveIsTheConfigurationsFailureNamedAndNotABusyServer() {
        LdapEntrySource source = new LdapEntrySource(ldap, LdapSourceSettings.users(null, "ou=Nowhere,dc=example,dc=com", "(objectClass=user)",
                "entryUUID", "ds-pwp-account-disabled"));
        // a ConfigurationError stops the batch at once: not a SystemUnavailable, which a connection retries as busy
        io.idsync.connector.ConfigurationError failure = org.junit.jupiter.api.Assertions.assertThrows(io.idsync.connector.ConfigurationError.class,
                () -> all(source.scan()));
        assertTrue(failure.getMessage().contains("ou=Nowhere,dc=example,dc=com") && failure.getMessage().contains("base-dn"), failure.getMessage());
    }

    @Test
    void anUnknownChangeDetectionIsNamed() {
        LdapEntrySource source = new LdapEntrySource(ldap, LdapSourceSettings.users(GROUP, null, null, "entryUUID", "ds-pwp-account-disabled")
                .withChangeDetection("sometimes"));
        // the pipe's configuration, not an entry's: it stops the batch, named, and no retry is spent on it
        io.idsync.connector.ConfigurationError failure = org.junit.jupiter.api.Assertions.assertThrows(io.idsync.connector.ConfigurationError.class,
                source::currentToken);
        assertTrue(failure.getMessage().contains("'sometimes'"), failure.getMessage());
    }

    private String entryUuid(String dn) throws Exception {
        return admin.getEntry(dn, "entryUUID").getAttributeValue("entryUUID");
    }
}

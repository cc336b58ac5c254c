package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.idsync.connector.Change;
import io.idsync.connector.Startpoints.UnsupportedStartpoint;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.testsupport.Slapd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where a directory's change feed can be told to start, on the servers as they are: OpenLDAP's slapd (entryCSN: times,
 * and every entry from the beginning) and the demo directory's changelog (change numbers: no times). A startpoint's
 * token is what the feed then reads from: the changes after it, and only those.
 */
class LdapStartpointsTest {

    private Slapd slapd;
    private DemoDirectory demo;
    private LdapDirectory ldap;

    @AfterEach
    void stop() throws Exception {
        if (ldap != null) {
            ldap.close();
        }
        if (slapd != null) {
            slapd.close();
        }
        if (demo != null) {
            demo.close();
        }
    }

    /** The people under slapd's ou=People whose uid starts with "start", by their entryCSN. */
    private LdapEntrySource entryCsnSource() throws Exception {
        Slapd.assumeAvailable();
        slapd = Slapd.start().withPeople();
        ldap = new LdapDirectory(new LdapSettings("openldap", slapd.url(), Slapd.ROOT_DN, Slapd.ROOT_PASSWORD, Slapd.SUFFIX, 2,
                Duration.ofSeconds(2), Duration.ofSeconds(10)));
        return new LdapEntrySource(ldap, LdapSourceSettings.users(null, Slapd.PEOPLE, "(uid=start*)", "entryUUID",
                "ds-pwp-account-disabled").withChangeDetection("entry-csn"));
    }

    @Test
    void anEntryCsnFeedStartsAtATimeOrAtTheBeginningAndSaysWhereInItsOwnWords() throws Exception {
        LdapEntrySource source = entryCsnSource();
        Instant between;
        try (LDAPConnection admin = slapd.connection()) {
            admin.add("dn: uid=start.a," + Slapd.PEOPLE, "objectClass: inetOrgPerson", "uid: start.a", "cn: A", "sn: A");
            // CSNs are in microseconds: a millisecond apart on each side of the time
            Instant afterA = Instant.now();
            org.awaitility.Awaitility.await().until(() -> Instant.now().isAfter(afterA.plusMillis(1)));
            between = Instant.now();
            org.awaitility.Awaitility.await().until(() -> Instant.now().isAfter(between.plusMillis(1)));
            admin.add("dn: uid=start.b," + Slapd.PEOPLE, "objectClass: inetOrgPerson", "uid: start.b", "cn: B", "sn: B");
        }
        String atTime = source.at(between);
        assertTrue(source.describe(atTime).startsWith("entryCSN " + between.toString().substring(0, 4)), source.describe(atTime));
        // the feed reports every entry under its base that changed (the road then keeps those in scope)
        Set<String> fromTime = uids(source, atTime);
        assertTrue(fromTime.contains("start.b") && !fromTime.contains("start.a"), "from a time: the entry written after it, not the one before: " + fromTime);
        Set<String> fromTheBeginning = uids(source, source.beginning());
        assertTrue(fromTheBeginning.containsAll(Set.of("start.a", "start.b", "ann")), "from the beginning: every entry: " + fromTheBeginning);
        assertEquals(atTime, source.parse(atTime), "a token the feed wrote is taken as it is");
        for (String wrong : new String[]{"12345", "*)(", "csn:yesterday|", "20261207090000Z"}) {
            assertThrows(UnsupportedStartpoint.class, () -> source.parse(wrong), wrong);
        }
    }

    @Test
    void anEntryCsnChangeCarriesItsCsnsTimeAndARunsFilterIsPushedDownWithThePipesScope() throws Exception {
        LdapEntrySource source = entryCsnSource();
        String before = source.currentToken();
        Instant written;
        try (LDAPConnection admin = slapd.connection()) {
            admin.add("dn: uid=start.x," + Slapd.PEOPLE, "objectClass: inetOrgPerson", "uid: start.x", "cn: X", "sn: Same");
            written = Instant.now();
            admin.add("dn: uid=start.y," + Slapd.PEOPLE, "objectClass: inetOrgPerson", "uid: start.y", "cn: Y", "sn: Other");
            admin.add("dn: uid=other.z," + Slapd.PEOPLE, "objectClass: inetOrgPerson", "uid: other.z", "cn: Z", "sn: Same");
        }
        // the change's time is the server's, from its entryCSN (its latency is measured from it), not when idsync read it
        Instant[] at = new Instant[1];
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            source.changesSince(before).changes().stream().filter(c -> source.read(c.sourceId()).map(e -> e.document().toString().contains("start.x"))
                    .orElse(false)).findFirst().ifPresent(c -> at[0] = c.at());
            return at[0] != null;
        });
        assertTrue(!at[0].isAfter(written), "the CSN's time " + at[0] + " is when slapd wrote it, before " + written);
        // a run's filter goes with the pipe's scope (uid=start*): start.x only, not other.z
        Set<String> filtered = new HashSet<>();
        source.scan("(sn=Same)").forEachRemaining(entry -> filtered.add(entry.document().path("uid").isArray()
                ? entry.document().path("uid").get(0).asText() : entry.document().path("uid").asText()));
        assertEquals(Set.of("start.x"), filtered);
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> source.scan("*)("));
        assertTrue(wrong.getMessage().contains("'*)(' is not an LDAP filter"), wrong.getMessage());
    }

    @Test
    void aChangelogStartsAtAChangeNumberOrTheBeginningButNotAtATime() throws Exception {
        demo = new DemoDirectory(DemoDirectory.Settings.defaults(0)).start();
        ldap = new LdapDirectory(new LdapSettings("directory", demo.url(), "cn=Directory Manager", "demo-password", DemoDirectory.BASE_DN, 2,
                Duration.ofSeconds(2), Duration.ofSeconds(5)));
        LdapEntrySource source = new LdapEntrySource(ldap, LdapSourceSettings.users(null, DemoDirectory.PEOPLE_DN, "(uid=*)", "entryUUID",
                "ds-pwp-account-disabled"));
        try (LDAPConnection admin = demo.connection()) {
            admin.add("dn: uid=start.0," + DemoDirectory.PEOPLE_DN, "objectClass: inetOrgPerson", "uid: start.0", "cn: 0", "sn: 0");
        }
        String end = source.currentToken();
        try (LDAPConnection admin = demo.connection()) {
            admin.add("dn: uid=start.c," + DemoDirectory.PEOPLE_DN, "objectClass: inetOrgPerson", "uid: start.c", "cn: C", "sn: C");
            admin.modify("uid=start.c," + DemoDirectory.PEOPLE_DN, new Modification(ModificationType.REPLACE, "title", "C"));
        }
        assertEquals("change number " + end, source.describe(end));
        assertEquals(1, source.changesSince(end).changes().stream().map(Change::sourceId).distinct().count(),
                "after the end: the new entry's changes only");
        String beginning = source.beginning();
        assertTrue(Long.parseLong(beginning) < Long.parseLong(end), beginning + " is before " + end);
        Set<String> fromTheBeginning = new HashSet<>();
        source.changesSince(beginning).changes().forEach(change -> fromTheBeginning.add(change.sourceId()));
        assertTrue(fromTheBeginning.size() >= 2, "from the beginning: the entry added before the end too: " + fromTheBeginning);
        UnsupportedStartpoint time = assertThrows(UnsupportedStartpoint.class, () -> source.at(Instant.now().minusSeconds(60)));
        assertTrue(time.getMessage().contains("change numbers, not times"), time.getMessage());
        assertThrows(UnsupportedStartpoint.class, () -> source.parse("csn:20261207090000.000000Z#000000#000#000000|"));
        assertEquals(end, source.parse(end));
    }

    private static Set<String> uids(LdapEntrySource source, String token) {
        Set<String> uids = new HashSet<>();
        for (Change change : source.changesSince(token).changes()) {
            source.read(change.sourceId()).ifPresent(entry -> {
                com.fasterxml.jackson.databind.JsonNode uid = entry.document().path("uid");
                uids.add(uid.isArray() ? uid.get(0).asText() : uid.asText());
            });
        }
        return uids;
    }
}

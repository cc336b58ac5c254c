package io.idsync.pipe;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchResultEntry;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.testsupport.LdapProxy;
import io.idsync.testsupport.Slapd;
import io.idsync.testsupport.WiredPipes;
import io.idsync.testsupport.WiredRouteTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Writes that commit while the entryCSN feed's search runs (issue 21). One search of {@code entryCSN>=token} is not a
 * snapshot of the directory: each page of a paged search is a new search operation, so a write landing on an entry
 * behind the search's cursor is not returned while one landing ahead of it is. A feed that then moved its token to
 * the newest stamp it saw skipped the first write for good.
 * <p>
 * Made deterministic here with an LDAP proxy between idsync and a real slapd: 600 entries are modified, and between
 * the feed's first and second page (pages of 100) the proxy writes one entry behind the cursor ({@code u0001}) and then
 * one ahead of it ({@code u1199}). The shipped directory → directory pipe must apply every one of the 602 writes by
 * polling alone: no reconciliation runs. With syncprov (the bound is the suffix's contextCSN) and without it (the
 * bound is a settle window of idsync's clock).
 */
class OpenLdapChangesDuringASearchRouteTest extends WiredRouteTest {

    private static final String USERS = "directory-to-directory";
    private static final String REPLICA_PEOPLE = "ou=People," + DemoDirectory.REPLICA_DN;
    private static final int ENTRIES = 1200;

    private Slapd slapd;
    private LdapProxy proxy;
    private DemoDirectory destination;

    @AfterEach
    void closeSystems() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (destination != null) {
            destination.close();
        }
        if (slapd != null) {
            slapd.close();
        }
    }

    @Test
    void writesCommittedBetweenTheFeedsPagesAreAllAppliedWithContextCsnAsTheBound() throws Exception {
        Slapd.assumeAvailable();
        slapd = Slapd.start().withPeople();
        writesDuringTheSearchAreNotLost();
    }

    @Test
    void writesCommittedBetweenTheFeedsPagesAreAllAppliedWithASettleWindowAsTheBound() throws Exception {
        Slapd.assumeAvailable();
        slapd = Slapd.startWithoutSyncprov().withPeople();
        writesDuringTheSearchAreNotLost();
    }

    private void writesDuringTheSearchAreNotLost() throws Exception {
        try (LDAPConnection source = slapd.connection()) {
            for (int i = 0; i < ENTRIES; i++) {
                source.add("dn: " + user(i), "objectClass: inetOrgPerson", "uid: " + uid(i), "cn: " + uid(i), "sn: Loaded", "title: loaded");
            }
        }
        proxy = new LdapProxy("127.0.0.1", slapd.port());
        destination = new DemoDirectory(DemoDirectory.Settings.defaults(0)).start();
        Map<String, String> properties = WiredPipes.shipped("config/application.properties", USERS);
        properties.put("idsync.pipes." + USERS + ".source", "openldap");
        WiredPipes.connection(properties, "openldap", Map.of("type", "ldap", "url", proxy.url(), "bind-dn", Slapd.ROOT_DN,
                "bind-password", Slapd.ROOT_PASSWORD, "base-dn", Slapd.SUFFIX, "page-size", "100"));
        WiredPipes.connection(properties, "directory", Map.of("type", "ldap", "url", destination.url(), "bind-dn", "cn=Directory Manager",
                "bind-password", "demo-password", "base-dn", DemoDirectory.BASE_DN));
        loadRoutes("file:config/routes/directory-to-directory.yaml");
        systems.wire(context, properties);
        context.start();

        poll(USERS); // the initial load
        try (LDAPConnection replica = destination.connection()) {
            assertEquals(ENTRIES + 3, replica.search(REPLICA_PEOPLE, com.unboundid.ldap.sdk.SearchScope.ONE, "(objectClass=inetOrgPerson)", "1.1")
                    .getEntryCount(), "the initial load");
        }

        try (LDAPConnection source = slapd.connection()) {
            for (int i = 600; i < ENTRIES; i++) {
                source.modify(user(i), new Modification(ModificationType.REPLACE, "title", "round 1"));
            }
            // between the feed's first two pages: an entry behind its cursor, then one ahead of it, in that order
            proxy.beforeSecondPage(LdapProxy.searchFor("entryCSN"), () -> {
                try {
                    source.modify(user(1), new Modification(ModificationType.REPLACE, "title", "written during the search"));
                    source.modify(user(ENTRIES - 1), new Modification(ModificationType.REPLACE, "title", "written during the search"));
                } catch (LDAPException e) {
                    throw new IllegalStateException(e);
                }
            });
            // polls only: no reconciliation ever runs in this test
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                poll(USERS);
                assertEquals(List.of(), differences(source), "entries whose title differs between slapd and the replica");
            });
        }
        assertEquals(1, proxy.interleaved(), "the writes landed between two pages of the feed's search");
        // u1199's write during the search came before its first one was read: one modify carries both
        assertEquals(601L, systems.pipes.get(USERS).counters().get("modified"), "the 600, and u0001 once more");
    }

    /** The users whose title at the replica is not the source's, as {@code uid: source ≠ replica}. */
    private List<String> differences(LDAPConnection source) throws Exception {
        Map<String, String> wanted = titles(source, Slapd.PEOPLE);
        Map<String, String> replicated;
        try (LDAPConnection replica = destination.connection()) {
            replicated = titles(replica, REPLICA_PEOPLE);
        }
        List<String> differ = new ArrayList<>();
        wanted.forEach((uid, title) -> {
            if (!title.equals(replicated.get(uid))) {
                differ.add(uid + ": " + title + " ≠ " + replicated.get(uid));
            }
        });
        return differ;
    }

    private static Map<String, String> titles(LDAPConnection ldap, String base) throws LDAPException {
        Map<String, String> titles = new java.util.TreeMap<>();
        for (SearchResultEntry entry : ldap.search(base, com.unboundid.ldap.sdk.SearchScope.ONE, "(uid=u*)", "uid", "title").getSearchEntries()) {
            titles.put(entry.getAttributeValue("uid"), String.valueOf(entry.getAttributeValue("title")));
        }
        return titles;
    }

    private static String uid(int i) {
        return String.format("u%04d", i);
    }

    private static String user(int i) {
        return "uid=" + uid(i) + "," + Slapd.PEOPLE;
    }
}

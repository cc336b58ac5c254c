package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.idsync.connector.Change;
import io.idsync.connector.ChangeBatch;
import io.idsync.testsupport.Slapd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A burst of writes on a real OpenLDAP slapd (no changelog): thousands of entries added, then modified, faster
 * than a second can tell apart. Change detection follows them to the end, each exactly once per burst, in
 * batches of bounded size, with a checkpoint token that stays small whatever the burst.
 */
class OpenLdapBulkChangesTest {

    private static final int USERS = 10_000;

    private Slapd slapd;
    private LdapDirectory ldap;

    @AfterEach
    void stop() throws Exception {
        if (ldap != null) {
            ldap.close();
        }
        if (slapd != null) {
            slapd.close();
        }
    }

    @Test
    void aBurstOfThousandsIsFollowedToTheEndEachChangeOnceWithASmallCheckpoint() throws Exception {
        Slapd.assumeAvailable();
        slapd = Slapd.start().withPeople();
        ldap = new LdapDirectory(new LdapSettings("openldap", slapd.url(), Slapd.ROOT_DN, Slapd.ROOT_PASSWORD, Slapd.SUFFIX, 2,
                Duration.ofSeconds(2), Duration.ofSeconds(10)));
        LdapEntrySource source = new LdapEntrySource(ldap, LdapSourceSettings.users(null, Slapd.PEOPLE, "(uid=bulk*)", "entryUUID",
                "ds-pwp-account-disabled").withChangeDetection("entry-csn"));
        String token = source.currentToken();
        try (LDAPConnection admin = slapd.connection()) {
            for (int i = 0; i < USERS; i++) {
                admin.add("dn: uid=bulk" + i + "," + Slapd.PEOPLE, "objectClass: inetOrgPerson", "uid: bulk" + i, "cn: Bulk " + i, "sn: Bulk");
            }
        }
        token = followToTheEnd(source, token, "the adds");
        // a full scan pages through them all (20 pages of 500), its paged search on one connection throughout
        java.util.Set<String> scanned = new java.util.HashSet<>();
        source.scan().forEachRemaining(entry -> scanned.add(entry.id()));
        assertEquals(USERS, scanned.size(), "a scan of the source location finds every entry once");
        try (LDAPConnection admin = slapd.connection()) {
            for (int i = 0; i < USERS; i++) {
                admin.modify("uid=bulk" + i + "," + Slapd.PEOPLE, new Modification(ModificationType.REPLACE, "title", "bulk"));
            }
        }
        followToTheEnd(source, token, "the modifies");
    }

    /**
     * Writes that commit out of order: syncprov moves {@code contextCSN} only past a run of committed CSNs, so when a
     * write commits after a later one, the later one's CSN can stay above contextCSN until the directory's next write.
     * A feed bounded by contextCSN alone would hold such changes for as long as the directory is quiet (seen: 2 of
     * 10,000 concurrent modifies held until the next write). Every one is followed, with no write after the burst.
     */
    @Test
    void writesCommittedOutOfOrderAreFollowedWithoutAnotherWrite() throws Exception {
        Slapd.assumeAvailable();
        slapd = Slapd.startForBulkLoads().withPeople(); // dbnosync: writes as fast as slapd commits them
        ldap = new LdapDirectory(new LdapSettings("openldap", slapd.url(), Slapd.ROOT_DN, Slapd.ROOT_PASSWORD, Slapd.SUFFIX, 2,
                Duration.ofSeconds(2), Duration.ofSeconds(10)));
        LdapEntrySource source = new LdapEntrySource(ldap, LdapSourceSettings.users(null, Slapd.PEOPLE, "(uid=bulk*)", "entryUUID",
                "ds-pwp-account-disabled").withChangeDetection("entry-csn"));
        int writers = 16;
        com.unboundid.ldap.sdk.LDAPConnectionPool pool = new com.unboundid.ldap.sdk.LDAPConnectionPool(slapd.connection(), writers);
        try (pool) {
            for (int i = 0; i < USERS; i++) {
                pool.add("dn: uid=bulk" + i + "," + Slapd.PEOPLE, "objectClass: inetOrgPerson", "uid: bulk" + i, "cn: Bulk " + i, "sn: Bulk");
            }
            String[] token = {source.currentToken()};
            // the race is at a burst's end (its last two writes committing out of order): several bursts, each followed
            for (int burst = 1; burst <= 8; burst++) {
                String title = "burst " + burst;
                int from = (burst - 1) * (USERS / 8);
                java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(writers);
                java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger(from);
                java.util.List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();
                for (int t = 0; t < writers; t++) {
                    running.add(threads.submit(() -> {
                        for (int i = next.getAndIncrement(); i < from + USERS / 8; i = next.getAndIncrement()) {
                            pool.modify("uid=bulk" + i + "," + Slapd.PEOPLE, new Modification(ModificationType.REPLACE, "title", title));
                        }
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> writer : running) {
                    writer.get();
                }
                threads.shutdown();
                java.util.Set<String> seen = new java.util.HashSet<>();
                org.awaitility.Awaitility.await("every modify of " + title + " followed, with no write after them").atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                            ChangeBatch batch = source.changesSince(token[0]);
                            batch.changes().forEach(change -> seen.add(change.sourceId()));
                            token[0] = batch.nextToken();
                            assertEquals(USERS / 8, seen.size(), title + ": modified entries followed (token " + token[0] + ")");
                        });
            }
        }
    }

    /** Polls until the feed is dry; every bulk entry must come exactly once. Answers the last token. */
    private static String followToTheEnd(LdapEntrySource source, String token, String what) {
        Map<String, Integer> seen = new HashMap<>();
        for (int poll = 0; poll < 200; poll++) {
            ChangeBatch batch = source.changesSince(token);
            assertTrue(batch.nextToken().length() < 200, what + ": the checkpoint token stays small: " + batch.nextToken().length() + " chars");
            assertTrue(batch.changes().size() <= 1000, what + ": a batch is bounded: " + batch.changes().size());
            for (Change change : batch.changes()) {
                seen.merge(change.sourceId(), 1, Integer::sum);
            }
            token = batch.nextToken();
            if (batch.changes().isEmpty()) {
                break;
            }
        }
        assertEquals(USERS, seen.size(), what + ": every entry followed");
        assertTrue(seen.values().stream().allMatch(n -> n == 1), what + ": each exactly once");
        return token;
    }
}

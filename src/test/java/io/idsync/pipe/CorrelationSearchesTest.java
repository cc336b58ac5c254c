package io.idsync.pipe;

import com.unboundid.ldap.sdk.LDAPConnection;
import io.idsync.connector.Destination;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.EntryRejected;
import io.idsync.connector.Plan;
import io.idsync.connector.SystemUnavailable;
import io.idsync.connector.ldap.LdapDirectory;
import io.idsync.connector.ldap.LdapSettings;
import io.idsync.sandbox.DemoDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Workers correlating at the same time share the demo directory's searches, and each still gets exactly
 * the entries its own search would have found. The first search is held until the other workers have
 * queued behind it, so the batch they form is known.
 */
class CorrelationSearchesTest {

    private static final int WORKERS = 8;

    private DemoDirectory directory;
    private LdapDirectory ldap;
    private ExecutorService threads;

    @BeforeEach
    void start() throws Exception {
        directory = new DemoDirectory(DemoDirectory.Settings.defaults(0)).start();
        try (LDAPConnection admin = directory.connection()) {
            // user0, user2, user4 and user6 exist; user6 twice over (uid and a second entry with its mail as uid)
            for (int i = 0; i < WORKERS; i += 2) {
                admin.add("dn: uid=user" + i + "," + DemoDirectory.PEOPLE_DN, "objectClass: inetOrgPerson", "uid: user" + i,
                        "cn: User " + i, "sn: User");
            }
            admin.add("dn: uid=User6-twin," + DemoDirectory.PEOPLE_DN, "objectClass: inetOrgPerson", "uid: User6-twin", "uid: USER6",
                    "cn: Twin", "sn: Twin");
        }
        ldap = new LdapDirectory(new LdapSettings("directory", directory.url(), "cn=Directory Manager", "demo-password",
                DemoDirectory.BASE_DN, 4, Duration.ofSeconds(2), Duration.ofSeconds(5)));
        threads = Executors.newFixedThreadPool(WORKERS);
    }

    @AfterEach
    void stop() {
        threads.shutdownNow();
        ldap.close();
        directory.close();
    }

    @Test
    void workersWaitingTogetherShareOneSearchAndEachGetsItsOwnMatches() throws Exception {
        AskedDestination destination = new AskedDestination(ldap);
        CorrelationSearches searches = new CorrelationSearches(destination);

        List<Future<List<DestinationEntry>>> answers = correlateAll(searches, destination);

        for (int i = 0; i < WORKERS; i++) {
            List<String> found = answers.get(i).get().stream().map(DestinationEntry::name).sorted().toList();
            List<String> alone = ldap.findAny(alternatives(i), 5).stream().map(DestinationEntry::name).sorted().toList();
            assertEquals(alone, found, "worker " + i);
        }
        assertEquals(List.of(), answers.get(1).get(), "user1 is in no entry");
        assertEquals(2, answers.get(6).get().size(), "user6 and its twin, for the correlation to refuse");
        // the held search, then the seven queued behind it in one
        assertEquals(List.of(2, 14), destination.alternativesAsked);
        assertEquals(Map.of("entriesSearched", 8L, "searches", 2L), searches.figures());
    }

    @Test
    void aValueTheDirectoryCallsEqualIsNotTheSameIdentityUnlessItIsTheSameCharacters() {
        // the directory's uid equality folds spaces: (uid=user0 ) finds user0, whose user name is another one's
        List<DestinationEntry> found = ldap.find(Map.of("uid", "user0 "), 5);
        assertEquals(1, found.size());
        assertEquals(List.of(), found.stream().filter(entry -> CorrelationSearches.matches(entry, Map.of("uid", "user0 "))).toList());
        assertEquals(1, found.stream().filter(entry -> CorrelationSearches.matches(entry, Map.of("uid", "USER0"))).count(),
                "case alone does not make two user names: PingOne's and directories' are unique regardless of case");
    }

    @Test
    void aBatchTheDestinationRefusesIsAskedAgainEntryByEntry() throws Exception {
        AskedDestination destination = new AskedDestination(ldap);
        destination.refuseAbove = 2; // as a server refuses a filter over its administrative limit
        CorrelationSearches searches = new CorrelationSearches(destination);

        List<Future<List<DestinationEntry>>> answers = correlateAll(searches, destination);

        for (int i = 0; i < WORKERS; i++) {
            assertEquals(ldap.findAny(alternatives(i), 5).size(), answers.get(i).get().size(), "worker " + i);
        }
        assertEquals(1 + 1 + 7, destination.alternativesAsked.size(), "held, refused batch, then one each");
    }

    @Test
    void aDirectoryGoneFailsTheQueuedWorkersTogetherWithoutAskingEachAgain() throws Exception {
        AskedDestination destination = new AskedDestination(ldap);
        destination.beforeRelease = () -> directory.close();
        CorrelationSearches searches = new CorrelationSearches(destination);

        List<Future<List<DestinationEntry>>> answers = correlateAll(searches, destination);

        for (Future<List<DestinationEntry>> answer : answers) {
            ExecutionException failure = assertThrows(ExecutionException.class, answer::get);
            assertInstanceOf(SystemUnavailable.class, failure.getCause());
        }
        assertEquals(List.of(2, 14), destination.alternativesAsked, "one search for the seven that waited, not seven");
    }

    /** Worker 0's search is held until the seven others have queued behind it; then all go. */
    private List<Future<List<DestinationEntry>>> correlateAll(CorrelationSearches searches, AskedDestination destination) {
        List<Future<List<DestinationEntry>>> answers = new ArrayList<>();
        answers.add(threads.submit(() -> searches.findAny(alternatives(0), 5)));
        await().atMost(Duration.ofSeconds(10)).until(() -> destination.holding.getCount() == 0);
        for (int i = 1; i < WORKERS; i++) {
            int worker = i;
            answers.add(threads.submit(() -> searches.findAny(alternatives(worker), 5)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> searches.waiting() == WORKERS - 1);
        destination.beforeRelease.run();
        destination.release.countDown();
        return answers;
    }

    /** A user's correlation: entryUUID (none here have it) or uid. */
    private static List<Map<String, String>> alternatives(int i) {
        return List.of(Map.of("entryUUID", "00000000-0000-0000-0000-00000000000" + i), Map.of("uid", "user" + i));
    }

    /** The real directory, with what it was asked written down; its first search waits to be released. */
    private static final class AskedDestination implements Destination {
        final Destination directory;
        final List<Integer> alternativesAsked = new CopyOnWriteArrayList<>();
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        Runnable beforeRelease = () -> {
        };
        int refuseAbove = Integer.MAX_VALUE;

        AskedDestination(Destination directory) {
            this.directory = directory;
        }

        @Override
        public List<DestinationEntry> findAny(List<Map<String, String>> alternatives, int limit) {
            alternativesAsked.add(alternatives.size());
            if (holding.getCount() > 0) {
                holding.countDown();
                try {
                    if (!release.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("never released");
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            if (alternatives.size() > refuseAbove) {
                throw new EntryRejected("search: 11 (administrative limit exceeded)");
            }
            return directory.findAny(alternatives, limit);
        }

        @Override
        public int correlationBatch() {
            return directory.correlationBatch();
        }

        @Override
        public Optional<DestinationEntry> read(String ref) {
            return directory.read(ref);
        }

        @Override
        public List<DestinationEntry> find(Map<String, String> criteria, int limit) {
            return directory.find(criteria, limit);
        }

        @Override
        public Written apply(Plan plan) {
            return directory.apply(plan);
        }
    }
}

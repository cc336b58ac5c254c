package io.idsync.e2e;

import io.idsync.testsupport.Postgres;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged application killed with {@code kill -9} at random moments, as production crashes: the PingOne
 * sandbox and the directory run in a JVM of their own ({@link SyncWorld}) and go on while idsync is dead. The state
 * store is the shipped H2 file ({@code ./data/idsync} in idsync's working directory), and then a real PostgreSQL
 * (Debian's package, started by the test). Two pipes run together: {@code pingone-to-directory} (Employees →
 * {@code ou=People}) and {@code directory-to-pingone} (members of {@code cn=Provisioning Users} → population Corp).
 * <p>
 * First the initial loads are killed {@value #LOAD_KILLS} times, changes flowing meanwhile; then
 * {@value #STREAM_KILLS} rounds of mixed changes (PingOne: creates, PATCHes, enable/disable, lock/unlock, moves out of
 * Employees and back, deletes; the directory: attribute modifies, joins and leaves of the group, new and deleted
 * users), each round killed once idsync has written a random part of it. After the last start both destinations must
 * equal what the sources say, exactly: 0 missing, 0 extra, 0 wrong, 0 duplicates. A kill lands when the directory's
 * change log shows a random number of idsync's writes: a moment chosen by progress, not by a clock.
 * {@code -Dcrash.seed=N} replays a run's random choices.
 */
class CrashConsistencyIT {

    private static final int EMPLOYEES = 2000;
    private static final int CORP_USERS = 600;
    private static final int CORP_PROVISIONED = 500;
    private static final int LOAD_KILLS = 5;
    private static final int STREAM_KILLS = 8;
    private static final int PINGONE_CHANGES_PER_ROUND = 100;
    private static final int DIRECTORY_CHANGES_PER_ROUND = 50;

    private final long seed = Long.getLong("crash.seed", System.nanoTime());
    private final Random random = new Random(seed);
    /** idsync's working directory (its state store) and its logs, one per start: kept for a look after a failure */
    private Path dir;
    private SyncWorld world;
    private Postgres postgres;
    private int kills;
    private int starts;

    @ParameterizedTest(name = "state store {0}")
    @ValueSource(strings = {"h2", "postgresql"})
    void killedAtRandomMomentsTheDestinationsEndExactlyAsTheSourcesSay(String store) throws Exception {
        if (store.equals("postgresql")) {
            Postgres.assumeAvailable();
        }
        System.out.println("crash test (" + store + ") seed " + seed + " (-Dcrash.seed=" + seed + " replays it)");
        dir = Path.of("target", "crash-test-" + store).toAbsolutePath();
        if (Files.exists(dir)) {
            try (java.util.stream.Stream<Path> old = Files.walk(dir)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        try (SyncWorld running = SyncWorld.start(EMPLOYEES, CORP_USERS, CORP_PROVISIONED, random);
             Postgres database = store.equals("postgresql") ? Postgres.start() : null) {
            world = running;
            postgres = database;

            // the initial loads, killed part-way (by turns where each pipe stands), with changes made while idsync is up and while it is down
            for (int round = 1; round <= LOAD_KILLS; round++) {
                try (PackagedIdsync idsync = start()) {
                    if (round % 2 == 1) {
                        long writes = world.directoryWrites();
                        world.makeChanges(10, 5);
                        killWhen(idsync, "the directory's change log passes " + writes, () -> world.directoryWrites() >= writes + 5 + 20 + random.nextInt(300));
                    } else {
                        long provisioned = world.corpUsers();
                        world.makeChanges(10, 5);
                        long target = provisioned + 10 + random.nextInt(100);
                        killWhen(idsync, "PingOne's Corp population reaches " + target, () -> world.corpUsers() >= target);
                    }
                }
            }
            // the change stream: each round's changes half made while idsync is down, half while it runs; killed
            // once a random number of outcomes of one pipe (by turns) are in its log
            for (int round = 1; round <= STREAM_KILLS; round++) {
                world.makeChanges(PINGONE_CHANGES_PER_ROUND / 2, DIRECTORY_CHANGES_PER_ROUND / 2);
                try (PackagedIdsync idsync = start()) {
                    world.makeChanges(PINGONE_CHANGES_PER_ROUND / 2, DIRECTORY_CHANGES_PER_ROUND / 2);
                    String pipe = round % 2 == 1 ? "pingone-to-directory" : "directory-to-pingone";
                    // at most a quarter of the round's changes: some coalesce, some are out of scope or change nothing (not logged)
                    int outcomes = 1 + random.nextInt(round % 2 == 1 ? PINGONE_CHANGES_PER_ROUND / 4 : DIRECTORY_CHANGES_PER_ROUND / 4);
                    killWhen(idsync, outcomes + " outcomes of " + pipe, () -> idsync.outcomesLogged(pipe) >= outcomes);
                }
            }

            // the last start: it catches up, and the destinations equal the sources
            try (PackagedIdsync idsync = start()) {
                SyncWorld.Differences last = null;
                try {
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> world.differences().none());
                } catch (ConditionTimeoutException e) {
                    last = world.differences();
                }
                SyncWorld.Differences result = last != null ? last : world.differences();
                System.out.printf(Locale.ROOT, "crash test (%s): %d kills (-9) in %d starts; %d PingOne changes, %d directory changes; "
                                + "directory: %d entries for %d Employees; PingOne Corp: %d users for %d group members; %s%n",
                        store, kills, starts, world.pingOneChanges, world.directoryChanges, result.directoryEntries(), result.employees(), result.corpUsers(),
                        result.groupMembers(), result);
                assertTrue(result.none(), result + " (" + store + ", seed " + seed + "; logs in " + dir + ")");
            }
            assertTrue(kills >= LOAD_KILLS + STREAM_KILLS, kills + " kills");
        }
    }

    private PackagedIdsync start() throws Exception {
        starts++;
        Map<String, String> settings = world.idsyncSettings();
        if (postgres != null) {
            settings.putAll(FailoverIT.postgresSettings(postgres));
        }
        return PackagedIdsync.start(dir, dir.resolve("idsync-" + starts + ".log"), settings);
    }

    /** Kills idsync with SIGKILL once {@code moment} holds (or after 30 s, if what it waits for ran out first). */
    private void killWhen(PackagedIdsync idsync, String what, java.util.concurrent.Callable<Boolean> moment) throws Exception {
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(moment);
        } catch (ConditionTimeoutException e) {
            System.out.println("crash test: killed before " + what + ": it did not come within 30 s");
        }
        idsync.kill();
        kills++;
    }
}

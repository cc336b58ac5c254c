package io.idsync.cluster;

import io.idsync.state.LeaseLost;
import io.idsync.state.StateStore;
import io.idsync.testsupport.Postgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances' leases on one real PostgreSQL (Debian's package, started by the test): one holds each pipe, the other
 * takes it when the holder's session ends, and the old holder's writes are then refused in the transaction that
 * would commit them. The paused process (SIGSTOP past the lease) is {@code e2e/FailoverIT}'s.
 */
class PostgresLeasesTest {

    private static final List<String> PIPES = List.of("pingone-to-directory", "directory-to-pingone");

    private Postgres postgres;
    private DataSource dataSource;
    private PostgresLeases a;
    private PostgresLeases b;

    @BeforeEach
    void start() throws Exception {
        Postgres.assumeAvailable();
        postgres = Postgres.start();
        dataSource = postgres.dataSource();
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    @AfterEach
    void stop() throws Exception {
        for (PostgresLeases leases : new PostgresLeases[]{a, b}) {
            if (leases != null) {
                leases.close();
            }
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private PostgresLeases leases(String instance) {
        return unstarted(instance).start(PIPES);
    }

    /** Leases whose ticks the test makes: between two, the instance is as good as paused. */
    private PostgresLeases unstarted(String instance) {
        return new PostgresLeases(dataSource, () -> DriverManager.getConnection(postgres.url(), "idsync", ""), instance,
                Duration.ofSeconds(3), Duration.ofMillis(200));
    }

    @Test
    void eachPipeRunsOnOneInstanceAndTheStandbyTakesItWhenTheHolderGoes() {
        a = leases("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> PIPES.stream().allMatch(pipe -> a.held(pipe).isPresent()));
        b = leases("b");
        // b runs its ticks, and takes nothing while a holds
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).until(() -> PIPES.stream().noneMatch(pipe -> b.held(pipe).isPresent()));
        Leases.Holder holder = b.holder("pingone-to-directory").orElseThrow();
        assertEquals("a", holder.instance());
        assertFalse(holder.here(), "b does not hold it");
        assertTrue(a.holder("pingone-to-directory").orElseThrow().here());

        long before = a.held("pingone-to-directory").getAsLong();
        a.close(); // its session ends: its locks go with it
        await().atMost(Duration.ofSeconds(5)).until(() -> PIPES.stream().allMatch(pipe -> b.held(pipe).isPresent()));
        assertTrue(b.held("pingone-to-directory").getAsLong() > before, "each taking raises the token");
        assertEquals("b", b.holder("pingone-to-directory").orElseThrow().instance());
    }

    @Test
    void theOldHoldersWritesAreRefusedOnceTheStandbyHasTakenThePipe() throws Exception {
        a = unstarted("a");
        a.watch(PIPES);
        a.tick();
        assertTrue(a.held("pingone-to-directory").isPresent());
        StateStore asA = new StateStore(dataSource).fence(a);
        asA.saveCheckpoint("pingone-to-directory", "a-1", Map.of());
        asA.recordSynced("pingone-to-directory", "user-1", "uid=one", "1");

        // a pauses (no tick) and the server ends its session, as it does when the lease runs out
        terminate("idsync leases a");
        b = unstarted("b");
        b.watch(PIPES);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            b.tick(); // the lock is free once the server has ended a's backend
            return b.held("pingone-to-directory").isPresent();
        });
        StateStore asB = new StateStore(dataSource).fence(b);
        asB.saveCheckpoint("pingone-to-directory", "b-1", Map.of());

        // the API of the instance that lost the pipe still answers: a read drops the outcomes it can no longer write
        asA.recordSynced("pingone-to-directory", "user-2", "uid=two", "2");
        assertEquals(0, asA.count("pingone-to-directory", StateStore.Status.SYNCED), "b wrote none yet, and a's are refused");
        assertTrue(asB.entry("pingone-to-directory", "user-2").isEmpty());

        asA.recordSynced("pingone-to-directory", "user-3", "uid=three", "3");
        LeaseLost refused = assertThrows(LeaseLost.class, () -> asA.saveCheckpoint("pingone-to-directory", "a-2", Map.of()));
        assertTrue(refused.getMessage().contains("held by instance b"), refused.getMessage());
        assertEquals("b-1", asB.checkpoint("pingone-to-directory").orElseThrow(), "the new holder's checkpoint stands");
        assertTrue(asB.entry("pingone-to-directory", "user-1").isEmpty(), "nothing of the refused batch is written");
        // the refused outcome is not kept for a later write either
        asA.flush();
        assertTrue(asB.entry("pingone-to-directory", "user-1").isEmpty());
    }

    private void terminate(String applicationName) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no session named " + applicationName);
            }
        }
    }
}

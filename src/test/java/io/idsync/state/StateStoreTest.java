package io.idsync.state;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state store on in-memory H2 migrated by the product's scripts: what a reader sees, buffered or written. */
class StateStoreTest {

    private final JdbcDataSource dataSource = new JdbcDataSource();

    StateStoreTest() {
        dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    @Test
    void aPipeHasEntriesFromItsFirstRecordedOutcomeWhetherBufferedOrWritten() {
        StateStore state = new StateStore(dataSource);
        assertFalse(state.hasEntries("users"));

        state.recordSynced("users", "id-1", "uid=ann,ou=People,dc=example,dc=com", "dest-1");
        assertTrue(state.hasEntries("users"), "an outcome still in the write-behind buffer counts");
        assertFalse(state.hasEntries("user"), "another pipe, whose name is a prefix of this one's, has none");
        assertFalse(state.hasEntries("users-2"), "another pipe, whose name starts with this one's, has none");

        state.saveCheckpoint("users", "token-1", Map.of("created", 1L));
        StateStore afterRestart = new StateStore(dataSource);
        assertTrue(afterRestart.hasEntries("users"), "once written, a new process sees it");
        assertEquals("uid=ann,ou=People,dc=example,dc=com", afterRestart.entry("users", "id-1").orElseThrow().destinationRef());
        assertFalse(afterRestart.hasEntries("users-2"));
    }

    @Test
    void aFailureAndARemovalAreEntriesToo() {
        StateStore state = new StateStore(dataSource);
        state.recordFailed("groups", "g-1", "the directory refused it");
        state.recordRemoved("gone", "u-9");
        state.flush();
        StateStore afterRestart = new StateStore(dataSource);
        assertTrue(afterRestart.hasEntries("groups"));
        assertTrue(afterRestart.hasEntries("gone"), "a removed entry's row stays: replaying its delete finds it");
        assertEquals(StateStore.Status.FAILED, afterRestart.entry("groups", "g-1").orElseThrow().status());
    }
}

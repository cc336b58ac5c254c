package io.idsync.state;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state store on in-memory H2 migrated by the product's scripts: what a reader sees, buffered or written.
 * {@link StateStorePostgresTest} runs the same on a real PostgreSQL.
 */
class StateStoreTest {

    protected javax.sql.DataSource dataSource;

    @org.junit.jupiter.api.BeforeEach
    void migrate() throws Exception {
        dataSource = database();
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    /** The database the store runs on, empty. */
    protected javax.sql.DataSource database() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return h2;
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

    @Test
    void theSyncStatusFiguresTheAuditLogAndTheirPagesReadBackAfterARestart() {
        StateStore state = new StateStore(dataSource);
        state.recordSynced("users", "ok-1", "uid=ok1", "d-1");
        state.recordSynced("users", "ok-2", "uid=ok2", "d-2");
        state.recordFailed("users", "bad-1", "refused: 'quotes' and \\ backslashes");
        state.audit(new StateStore.AuditRecord(0, java.time.Instant.now(), "users", "ok-1", "uid=ok1", "create", "succeeded", "cn, sn", null));
        state.audit(new StateStore.AuditRecord(0, java.time.Instant.now(), "users", "bad-1", null, "create", "failed", "cn", "refused"));
        state.saveCheckpoint("users", "csn:20261207000000.000000Z#000000#000#000000|^", Map.of("created", 2L, "failed", 1L));

        StateStore afterRestart = new StateStore(dataSource);
        StateStore.Figures figures = afterRestart.figures("users", false);
        assertEquals(3, figures.impacted());
        assertEquals(2, figures.success());
        assertEquals(1, figures.failed());
        assertEquals("csn:20261207000000.000000Z#000000#000#000000|^", afterRestart.checkpoint("users").orElseThrow());
        assertEquals(2L, afterRestart.counters("users").get("created"));
        java.util.List<StateStore.AuditRecord> failed = afterRestart.auditRecords("users", null, null, "failed", null, null, 0, 100);
        assertEquals(java.util.List.of("bad-1"), failed.stream().map(StateStore.AuditRecord::sourceId).toList());
        java.util.List<StateStore.AuditRecord> newest = afterRestart.auditRecords(null, null, null, null, null, null, 0, 1);
        assertEquals("bad-1", newest.get(0).sourceId());
        assertEquals("ok-1", afterRestart.auditRecords(null, null, null, null, null, null, newest.get(0).id(), 1).get(0).sourceId(),
                "the next page, by keyset");
        assertEquals(java.util.List.of("bad-1"), afterRestart.entries("users", "failed", false, "backslash", null, 10).stream()
                .map(StateStore.EntryState::sourceId).toList(), "a text search in the reason");
    }

    @Test
    void theOwnerOfAFoundEntryIsTheLinkWithItsIdBufferedOrWrittenAndByNameOnlyWhenItHasNone() {
        StateStore state = new StateStore(dataSource);
        java.util.List<String> pipes = java.util.List.of("users", "contractors");
        state.recordSynced("users", "ann", "uid=ann,ou=People", "id-ann");
        state.recordSynced("contractors", "bob", "uid=bob,ou=People", "id-bob");
        for (boolean written : new boolean[]{false, true}) {
            if (written) {
                state.flush();
                state = new StateStore(dataSource);
            }
            String where = written ? " (written)" : " (buffered)";
            assertEquals("ann", state.owner(pipes, "users", "carl", "id-ann", "uid=ann-renamed,ou=People").orElseThrow().sourceId(),
                    "found by its id, whatever its name now" + where);
            assertEquals("contractors", state.owner(pipes, "users", "carl", "id-bob", "uid=bob,ou=People").orElseThrow().pipe(),
                    "another pipe writing to the same destination" + where);
            assertTrue(state.owner(pipes, "users", "carl", "id-new", "uid=ann,ou=People").isEmpty(),
                    "a new entry where a linked one was (replaced, or renamed away) is not the link's" + where);
            assertEquals("ann", state.owner(pipes, "users", "carl", null, "uid=ann,ou=People").orElseThrow().sourceId(),
                    "an entry without an id is found by its name" + where);
            assertTrue(state.owner(pipes, "users", "ann", "id-ann", "uid=ann,ou=People").isEmpty(), "its own link is no other owner" + where);
            assertTrue(state.owner(java.util.List.of("users"), "users", "carl", "id-bob", "uid=bob,ou=People").isEmpty(),
                    "a pipe that does not write with this one" + where);
        }
        state.recordRemoved("users", "ann");
        assertTrue(state.owner(pipes, "users", "carl", "id-ann", "uid=ann,ou=People").isEmpty(), "a removal still buffered lets the entry go");
        state.flush();
        assertTrue(new StateStore(dataSource).owner(pipes, "users", "carl", "id-ann", "uid=ann,ou=People").isEmpty(), "and once written");
    }
}

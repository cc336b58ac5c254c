package io.idsync.pipe;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchScope;
import io.idsync.connector.SystemUnavailable;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.state.StateStore;
import io.idsync.testsupport.PipeFixture;
import io.idsync.testsupport.PipeFixtureRouteTest;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a crash between a destination write and its outcome leaves, replayed: the write happened, the state
 * store does not say so (its outcome was lost with the process), and the change feed hands the change over
 * again. A step advised before {@code pingone-to-directory.record} stops the batch right after the write, once,
 * as a {@code kill -9} would; the pipe is then rebuilt over the same state store. The crash test of the whole
 * application, killed for real, is {@code io.idsync.e2e.CrashConsistencyIT}.
 */
class CrashReplayRouteTest extends PipeFixtureRouteTest {

    CrashReplayRouteTest() {
        super(20, 5);
    }

    @TempDir
    Path dir;

    /** Loads the shipped route; the write of an entry whose outcome is {@code crashOn} ends the batch when {@code crash} is set. */
    private void start(AtomicBoolean crash, Outcome crashOn) throws Exception {
        loadRoutes("classpath:routes/pingone-to-directory.yaml");
        AdviceWith.adviceWith(context, "pingone-to-directory-poll", a -> a.replaceFromWith("direct:poll"));
        // a removal is written when the run ends, by the steps deliver-removal and record-removal
        for (String record : new String[]{"record", "record-removal"}) {
            AdviceWith.adviceWith(context, "pingone-to-directory", a -> a.weaveById(record).before().process(exchange -> {
                SyncItem item = exchange.getIn().getBody(SyncItem.class);
                if (item.outcome() == crashOn && !item.deferred && crash.compareAndSet(true, false)) {
                    throw new SystemUnavailable("the process died after the write, before its outcome was saved");
                }
            }));
        }
        context.start();
    }

    private void poll() {
        template.sendBody("direct:poll", null);
    }

    @Test
    void anEntryDeletedJustBeforeACrashIsCreatedAgainWhenItsUserComesBack() throws Exception {
        AtomicBoolean crash = new AtomicBoolean();
        start(crash, Outcome.DELETED);
        poll();
        String id = systems.admin.createUser("crash.mover", "Crash", "Mover", "Employees");
        poll();
        assertNotNull(entry("crash.mover"));

        crash.set(true);
        systems.admin.movePopulation(id, "Contractors"); // out of scope: the shipped mapping deletes the entry
        poll();
        assertNull(entry("crash.mover"), "the delete was written");
        assertNotNull(systems.state.entry(PipeFixture.PIPE, id).orElseThrow().destinationRef(), "its outcome was not: the link is still there");

        systems.restart();
        systems.admin.movePopulation(id, "Employees");
        poll();
        assertNotNull(entry("crash.mover"), "the user is back in scope and has an entry again");
        StateStore.EntryState link = systems.state.entry(PipeFixture.PIPE, id).orElseThrow();
        assertEquals(StateStore.Status.SYNCED, link.status(), String.valueOf(link.reason()));
        assertNull(link.intent());
        assertEquals(0, systems.pipe().counters().get("failed"));
    }

    @Test
    void anEntryCreatedJustBeforeACrashIsDeletedWhenItsUserWentMeanwhile() throws Exception {
        // a mapping without entryUUID, as for OpenLDAP: nothing in the directory names the PingOne user once it is deleted
        Path mapping = PipeFixture.shippedMapping(dir, "no-entry-uuid.yaml",
                text -> text.replaceAll("(?m)^.*to-attribute: entryUUID.*\\n", "").replace("  - [entryUUID]\n", ""));
        systems.restart(PipeFixture.PIPE, "Employees", mapping.toString());
        AtomicBoolean crash = new AtomicBoolean();
        start(crash, Outcome.CREATED);
        poll();

        crash.set(true);
        String id = systems.admin.createUser("crash.orphan", "Crash", "Orphan", "Employees");
        poll();
        assertNotNull(entry("crash.orphan"), "the add was written");
        assertNull(systems.state.entry(PipeFixture.PIPE, id).orElseThrow().destinationRef(), "its link was not");

        systems.restart(PipeFixture.PIPE, "Employees", mapping.toString());
        systems.admin.deleteUser(id);
        poll();
        assertNull(entry("crash.orphan"), "the entry the lost window created went with its user");
        assertEquals(StateStore.Status.REMOVED, systems.state.entry(PipeFixture.PIPE, id).orElseThrow().status());
        assertEquals(20, people(), "the other users' entries are untouched");
    }

    @Test
    void aReplayedCreateLinksTheEntryItCreatedInsteadOfFailingOrDuplicating() throws Exception {
        AtomicBoolean crash = new AtomicBoolean();
        start(crash, Outcome.CREATED);
        poll();
        crash.set(true);
        String id = systems.admin.createUser("crash.twice", "Crash", "Twice", "Employees");
        poll();
        systems.restart();
        poll();
        StateStore.EntryState link = systems.state.entry(PipeFixture.PIPE, id).orElseThrow();
        assertEquals(StateStore.Status.SYNCED, link.status(), String.valueOf(link.reason()));
        assertTrue(link.destinationRef().startsWith("uid=crash.twice,"), link.destinationRef());
        assertEquals(21, people());
    }

    private com.unboundid.ldap.sdk.SearchResultEntry entry(String uid) throws Exception {
        try (LDAPConnection ldap = systems.directory.connection()) {
            return ldap.searchForEntry(DemoDirectory.PEOPLE_DN, SearchScope.ONE, com.unboundid.ldap.sdk.Filter.createEqualityFilter("uid", uid));
        }
    }

    private int people() throws Exception {
        try (LDAPConnection ldap = systems.directory.connection()) {
            return ldap.search(DemoDirectory.PEOPLE_DN, SearchScope.ONE, "(objectClass=inetOrgPerson)", "1.1").getEntryCount();
        }
    }
}

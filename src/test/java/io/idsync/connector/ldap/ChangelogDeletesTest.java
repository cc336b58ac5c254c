package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.ChangeLogEntry;
import com.unboundid.ldap.sdk.Entry;
import io.idsync.connector.Change;
import io.idsync.connector.EntryType;
import io.idsync.sandbox.DemoDirectory;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deletes as changelogs other than PingDirectory's report them: without {@code deletedEntryAttrs}, the entry's id from
 * {@code targetEntryUUID} or {@code targetUniqueID}; with neither, a WARN and {@code idsync_changes_unmapped_total},
 * never silence; nor is a rename the changelog writes without its new RDN. The changelog entries are written as those
 * servers write them.
 */
class ChangelogDeletesTest {

    private static final String UUID = "5d3a0f8e-1b2c-4d5e-8f90-a1b2c3d4e5f6";

    private DemoDirectory directory;
    private LdapDirectory ldap;
    private ChangelogFeed feed;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws Exception {
        Metrics.addRegistry(meters);
        directory = new DemoDirectory(DemoDirectory.Settings.defaults(0)).start();
        ldap = new LdapDirectory(new LdapSettings("directory", directory.url(), "cn=Directory Manager", "demo-password", DemoDirectory.BASE_DN, 2,
                Duration.ofSeconds(2), Duration.ofSeconds(5)));
        SourceLookups lookups = new SourceLookups(ldap, "entryUUID");
        feed = new ChangelogFeed(lookups, new GroupScope(lookups, null), EntryType.USER);
    }

    @AfterEach
    void stop() {
        ldap.close();
        directory.close();
        Metrics.removeRegistry(meters);
    }

    private static ChangeLogEntry delete(long number, String... extra) throws Exception {
        List<String> lines = new java.util.ArrayList<>(List.of("dn: changeNumber=" + number + ",cn=changelog", "objectClass: changeLogEntry",
                "changeNumber: " + number, "targetDN: uid=gone,ou=People,dc=example,dc=com", "changeType: delete"));
        lines.addAll(List.of(extra));
        return new ChangeLogEntry(new Entry(lines.toArray(String[]::new)));
    }

    @Test
    void a389RetroChangelogDeleteIsNamedByTargetEntryUuid() throws Exception {
        List<Change> changes = feed.toChanges(delete(7, "targetEntryUUID: " + UUID.toUpperCase(java.util.Locale.ROOT)));
        assertEquals(1, changes.size(), changes.toString());
        assertEquals(UUID, changes.get(0).sourceId());
        assertEquals(Change.Kind.DELETE, changes.get(0).kind());
        assertEquals(EntryType.USER, changes.get(0).entryType(), "the source's type: the pipe that linked the id deletes it");
    }

    @Test
    void aDeleteThatNamesNoIdIsCountedAndWarnedNotDropped() throws Exception {
        assertEquals(List.of(), feed.toChanges(delete(8)));
        assertEquals(1.0, meters.get("idsync.changes.unmapped").tags("kind", "ldap", "connection", "directory", "operation", "delete")
                .counter().count(), 1e-9);
        assertTrue(feed.toChanges(delete(9, "targetUniqueID: not-a-uuid")).isEmpty(), "an id of another form is not taken for an entryUUID");
        assertEquals(2.0, meters.get("idsync.changes.unmapped").tags("operation", "delete").counter().count(), 1e-9);
    }

    @Test
    void aRenameThatNamesNoNewRdnIsCountedAndWarnedNotDropped() throws Exception {
        Entry rename = new Entry("dn: changeNumber=10,cn=changelog", "objectClass: changeLogEntry",
                "changeNumber: 10", "targetDN: uid=old,ou=People,dc=example,dc=com", "changeType: modrdn", "deleteOldRDN: TRUE");
        assertEquals(List.of(), feed.changesOf(rename), "not read, not thrown: the feed goes on past it");
        assertEquals(1.0, meters.get("idsync.changes.unmapped").tags("operation", "rename").counter().count(), 1e-9);
    }
}

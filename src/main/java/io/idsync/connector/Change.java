package io.idsync.connector;

import java.time.Instant;
import java.util.Set;

/**
 * A change a source reports: which entry, what happened to it, when and by whom. Changes only say
 * <em>that</em> something changed; the road reads the current entry before acting (PingDataSync's standard
 * mode), so applying a change twice is harmless.
 *
 * @param entryType what changed: a user or a group; null for anything else the source reports (a pipe
 *                  synchronizes one type; other changes are out of its scope)
 * @param actors    who made the change (after coalescing, everyone who changed the entry in the batch)
 * @param preloaded the full entry when the source already has it (a scan), so enrich need not read it again
 */
public record Change(String sourceId, EntryType entryType, Kind kind, Instant at, Set<String> actors, SourceEntry preloaded) {

    public enum Kind {
        CREATE, MODIFY, DELETE,
        /** from a full scan (initial load, resync): create what is missing, update what differs */
        SCAN
    }

    public static Change scanned(SourceEntry entry, EntryType entryType) {
        return new Change(entry.id(), entryType, Kind.SCAN, null, Set.of(), entry);
    }
}

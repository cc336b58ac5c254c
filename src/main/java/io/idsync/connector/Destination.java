package io.idsync.connector;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where a pipe writes (ConnId's SearchOp, CreateOp, UpdateOp, DeleteOp): find entries and apply plans. */
public interface Destination {

    /** The entry at {@code ref}, or empty when there is none. */
    Optional<DestinationEntry> read(String ref);

    /** Entries whose attributes equal all these values; values are escaped by the connector. */
    List<DestinationEntry> find(Map<String, String> criteria, int limit);

    /**
     * Entries matching any of these criteria, in one round trip where the destination can (an LDAP OR
     * filter). Answers at most {@code limit} entries; callers treat a full answer as possibly truncated.
     */
    default List<DestinationEntry> findAny(List<Map<String, String>> alternatives, int limit) {
        List<DestinationEntry> all = new java.util.ArrayList<>();
        for (Map<String, String> criteria : alternatives) {
            for (DestinationEntry entry : find(criteria, limit)) {
                if (all.stream().noneMatch(e -> e.ref().equalsIgnoreCase(entry.ref()))) {
                    all.add(entry);
                }
            }
        }
        return all;
    }

    /**
     * How many entries' correlation searches this destination may be asked in one {@link #findAny} (each
     * entry's alternatives side by side): 1 where a larger question costs more than it saves.
     */
    default int correlationBatch() {
        return 1;
    }

    /**
     * Applies one planned operation and answers the entry's reference afterwards (for a create, the one the
     * destination assigned: a PingOne id is only known once the user exists). Deleting what is already gone
     * succeeds.
     */
    String apply(Plan plan);
}

package io.idsync.connector;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where a pipe writes (ConnId's SearchOp, CreateOp, UpdateOp, DeleteOp): find entries and apply plans. */
public interface Destination {

    /**
     * The entry at {@code ref}, or empty when there is none.
     *
     * @throws SystemUnavailable  the destination cannot answer now: the batch stops and replays
     * @throws AccessRefused      the destination refused idsync's credentials: the batch stops, not retried
     * @throws EntryRejected      the destination refused this read (an access rule on this entry): it fails alone
     */
    Optional<DestinationEntry> read(String ref);

    /**
     * Entries whose attributes equal all these values; values are escaped by the connector.
     *
     * @throws SystemUnavailable  the destination cannot answer now
     * @throws AccessRefused      the destination refused idsync's credentials
     * @throws EntryRejected      the destination refused this search (an attribute it does not know): this entry fails
     */
    List<DestinationEntry> find(Map<String, String> criteria, int limit);

    /**
     * Entries matching any of these criteria, in one round trip where the destination can (an LDAP OR
     * filter). Answers at most {@code limit} entries; callers treat a full answer as possibly truncated.
     *
     * @throws ConnectorFailure as {@link #find}
     */
    default List<DestinationEntry> findAny(List<Map<String, String>> alternatives, int limit) {
        List<DestinationEntry> all = new java.util.ArrayList<>();
        for (Map<String, String> criteria : alternatives) {
            for (DestinationEntry entry : find(criteria, limit)) {
                if (all.stream().noneMatch(e -> e.name().equalsIgnoreCase(entry.name()))) {
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
     * What of a mapping this destination cannot hold, one sentence each, checked once at start: attribute names
     * and object classes its schema lacks (a typo would otherwise fail every entry, one by one): an empty list
     * when all fit, or nothing at all when the destination cannot tell now (it is down, say: ask again later).
     */
    default Optional<List<String>> schemaProblems(java.util.Collection<String> attributes, java.util.Collection<String> objectClasses) {
        return Optional.of(List.of());
    }

    /** How this destination names entries: when a wanted name is a rename. */
    default EntryNames names() {
        return EntryNames.EXACT;
    }

    /**
     * What a group's member attribute holds for a member linked to the entry with this id and name: its id
     * (PingOne, SCIM), or for LDAP its DN.
     */
    default String memberValue(String id, String name) {
        return id;
    }

    /** Whether a destination already holds the wanted values of an attribute. */
    @FunctionalInterface
    interface ValueEquality {
        /** The same values, in any order. */
        ValueEquality AS_SETS = (attribute, want, current) -> new java.util.HashSet<>(want).equals(new java.util.HashSet<>(current));

        boolean same(String attribute, List<String> want, List<String> current);
    }

    /** How this destination compares wanted and current values (as sets, unless it stamps some itself). */
    default ValueEquality valueEquality() {
        return ValueEquality.AS_SETS;
    }

    /**
     * The entry after a write: its name, and its id where the destination has told it (null: not known without a
     * read); {@code caveat}, when not null, says what the destination would not take although it wrote the rest (an
     * account status refused): the entry is Partial with that reason, not Failed with nothing applied.
     */
    record Written(String name, String id, String caveat) {
        public Written(String name, String id) {
            this(name, id, null);
        }
    }

    /**
     * Applies one planned operation and answers the entry's name and id afterwards (for a create, the ones the
     * destination assigned: a PingOne id is only known once the user exists). Deleting what is already gone
     * succeeds.
     *
     * @throws SystemUnavailable when the destination is down, busy or slow: the batch stops and replays
     * @throws AccessRefused     when the destination refuses idsync's credentials or their rights: the batch stops
     * @throws EntryRejected     when the destination refuses this entry (schema, 400): it fails alone
     */
    Written apply(Plan plan);
}

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

    /** Applies one planned operation. Deleting what is already gone succeeds. */
    void apply(Plan plan);
}

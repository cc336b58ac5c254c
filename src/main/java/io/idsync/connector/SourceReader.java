package io.idsync.connector;

import java.util.Iterator;
import java.util.Optional;

/** Reads source entries (ConnId's GetApiOp and SearchOp): one by id, or every one in scope, page by page. */
public interface SourceReader {

    /** The current full entry, or empty when it no longer exists. */
    Optional<SourceEntry> read(String id);

    /** Whether the entry is inside the source's scope (PingOne: the populations to synchronize). */
    boolean inScope(SourceEntry entry);

    /** Every in-scope entry, fetched a page at a time as the iterator advances. */
    Iterator<SourceEntry> scan();
}

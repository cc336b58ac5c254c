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

    /**
     * Which of these source paths (a mapping's placeholders: {@code mail}, {@code name.given}) can never have a
     * value, one sentence each, checked once at start: a typo would otherwise leave the attribute empty on every
     * entry, silently. Empty when all can, or when the source cannot tell now.
     */
    default java.util.List<String> schemaProblems(java.util.Collection<String> paths) {
        return java.util.List.of();
    }
}

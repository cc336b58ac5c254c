package io.idsync.connector;

import java.util.List;

/**
 * One open connection, shared by the pipes that name it: what it can be for a pipe (source, destination), for
 * which entry type, within the pipe's scope. Scope (populations, a source group, a base DN and filter, the
 * actors to ignore) is the pipe's: each kind reads its scope keys from the pipe's settings
 * ({@code idsync.pipes.<pipe>.*}).
 */
public interface Connector extends AutoCloseable {

    /** A source is both halves of the SPI a pipe reads through: change detection and reading. */
    record Source(ChangeSource changes, SourceReader reader) {
    }

    /**
     * What stops this connection from being the source of a pipe of {@code type} with these settings, one
     * sentence each (an entry type it cannot read, a scope key missing or malformed); empty when it can.
     */
    List<String> sourceProblems(EntryType type, Settings pipe);

    /** The pipe's source; called only when {@link #sourceProblems} found none. */
    Source source(EntryType type, Settings pipe);

    /** As {@link #sourceProblems}, for the pipe's destination. */
    List<String> destinationProblems(EntryType type, Settings pipe);

    /** The pipe's destination; called only when {@link #destinationProblems} found none. */
    Destination destination(EntryType type, Settings pipe);

    /**
     * Tests the connection as an administrator would before using it ({@code POST /api/connections/{name}/test}):
     * authenticate, then read what tells the connection is the right one. Each step is one check; a failed step
     * says what to fix, and the steps after it that depend on it are not tried.
     */
    List<ConnectionCheck> test();

    /** Releases pools and threads at shutdown. */
    @Override
    void close();
}

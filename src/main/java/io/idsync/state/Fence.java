package io.idsync.state;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;

/**
 * The fencing check of a state write: in the transaction that commits pipes' outcomes or a checkpoint, before it
 * commits, that this instance still holds those pipes. An instance that was paused (GC, SIGSTOP) past its lease wakes
 * up with a token another instance has since replaced, and its writes are refused instead of overwriting the
 * newer holder's.
 */
public interface Fence {

    /** A single instance: every write is its own. */
    Fence NONE = (connection, pipes) -> {
    };

    /**
     * @param connection the transaction about to commit
     * @param pipes      the pipes whose state it writes
     * @throws LeaseLost    when this instance no longer holds one of them
     * @throws SQLException when the lease cannot be read
     */
    void check(Connection connection, Collection<String> pipes) throws SQLException;
}

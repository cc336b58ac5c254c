package io.idsync.state;

import java.util.Set;

/**
 * A write refused because another instance has taken the pipe over: nothing of it is committed, and the new holder
 * replays the batch from the checkpoint it finds.
 */
public final class LeaseLost extends StateStoreException {

    private final Set<String> pipes;

    public LeaseLost(Set<String> pipes, String why) {
        super(why, null);
        this.pipes = Set.copyOf(pipes);
    }

    /** The pipes this instance no longer holds. */
    public Set<String> pipes() {
        return pipes;
    }
}

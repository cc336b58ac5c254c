package io.idsync.cluster;

import io.idsync.state.Fence;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which instance runs each pipe. Every pipe's polls, reconciliations and runs execute on exactly one instance at a
 * time, the one holding its lease; the others stand by (they serve the API and take a pipe over when its holder dies).
 * The lease's token fences the state: a write of outcomes or of a checkpoint commits only while the token it was
 * taken with is still the pipe's ({@link Fence}).
 */
public interface Leases extends Fence {

    /** Who holds a pipe, and since when; {@code here}: this instance. */
    record Holder(String instance, Instant since, boolean here) {
    }

    /** This instance's name: {@code idsync.instance.name}, else the host's name (a pod's name on Kubernetes). */
    String instance();

    /**
     * The token this instance holds the pipe with, or empty when it does not hold it now (another instance does, or
     * its own lease may have expired while it was paused).
     */
    OptionalLong held(String pipe);

    /**
     * Who holds the pipe, as the state database says; empty when nobody does (its holder died and no other
     * instance has taken it yet).
     *
     * @throws io.idsync.state.StateStoreException when the database cannot be read
     */
    Optional<Holder> holder(String pipe);
}

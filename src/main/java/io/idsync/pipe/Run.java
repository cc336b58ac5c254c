package io.idsync.pipe;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run down the road, from its start to its checkpoint: a poll's batch, an initial load, a resync or a
 * reconciliation (Syncope's provisioning profile). It holds what the run reports, whether it writes at all,
 * how many removals the deletion guard lets it make, and what its checkpoint saves. The road's steps find it
 * on the exchange, as the property {@value #PROPERTY}.
 */
final class Run {

    static final String PROPERTY = "idsyncRun";

    /** What a full run (initial load, resync, reconciliation) did; null for a poll of the change feed. */
    final RunReport report;
    /** A dry run plans and reports, and writes nothing. */
    final boolean dryRun;
    private final AtomicInteger removals = new AtomicInteger();
    private final int removalLimit;
    private final long linked;
    /** The token the checkpoint saves once every change was recorded; null for a run that moves no checkpoint. */
    String nextToken;
    /** The member refreshes this batch applies: done at its checkpoint. */
    List<Long> memberRefreshes = List.of();
    /** The retries this batch went through: done at its checkpoint. */
    List<io.idsync.state.StateStore.RetryDue> retries = List.of();

    private Run(RunReport report, boolean dryRun, int removalLimit, long linked) {
        this.report = report;
        this.dryRun = dryRun;
        this.removalLimit = removalLimit;
        this.linked = linked;
    }

    /** A run of a pipe with {@code linked} entries, whose deletion guard allows it some removals. */
    static Run of(Pipe pipe, RunReport report, boolean dryRun) {
        long linked = pipe.state().count(pipe.name(), io.idsync.state.StateStore.Status.SYNCED);
        if (report != null) {
            pipe.runStarted(report);
        }
        return new Run(report, dryRun, pipe.deletionGuard().limitFor(linked), linked);
    }

    /** A poll that does nothing (another run is in progress, or the deletion guard holds the pipe): no checkpoint. */
    static Run skipped() {
        return new Run(null, false, 0, 0);
    }

    boolean movesCheckpoint() {
        return nextToken != null;
    }

    /** Counts one removal against the deletion guard; past its limit the run stops. */
    void removal(DeletionGuard guard) {
        if (!dryRun) {
            guard.removal(removals, removalLimit, linked);
        }
    }
}

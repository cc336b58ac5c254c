package io.idsync.pipe;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
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
    /** the removals the run makes when it ends, if they stay within its limit ({@link #removal}) */
    private final Queue<SyncItem> deferred = new ConcurrentLinkedQueue<>();
    /** whether the pipe had held removals when the run started: only then can an entry's outcome release one */
    final boolean holdsExist;
    /** the entries whose held removals an operator approved: removed at once, outside the limit */
    private Set<String> approved = Set.of();
    /** The token the checkpoint saves once every change was recorded; null for a run that moves no checkpoint. */
    String nextToken;
    /** The member refreshes this batch applies: done at its checkpoint. */
    List<Long> memberRefreshes = List.of();
    /** The entry a provisioning on demand traces; null for other runs. */
    SyncItem traced;
    /** The retries this batch went through: done at its checkpoint. */
    List<io.idsync.state.StateStore.RetryDue> retries = List.of();

    private Run(RunReport report, boolean dryRun, int removalLimit, long linked, boolean holdsExist) {
        this.report = report;
        this.dryRun = dryRun;
        this.removalLimit = removalLimit;
        this.linked = linked;
        this.holdsExist = holdsExist;
    }

    /** A run of a pipe with {@code linked} entries, whose deletion guard allows it some removals. */
    static Run of(Pipe pipe, RunReport report, boolean dryRun) {
        long linked = pipe.state().count(pipe.name(), io.idsync.state.StateStore.Status.SYNCED);
        if (report != null) {
            pipe.runStarted(report);
        }
        return new Run(report, dryRun, pipe.deletionGuard().limitFor(linked), linked, pipe.state().heldCount(pipe.name()) > 0);
    }

    /** A poll that does nothing (another instance or run holds the pipe): no checkpoint. */
    static Run skipped() {
        return new Run(null, false, 0, 0, false);
    }

    /** This run carries out the held removals of these entries an operator approved. */
    Run approving(Set<String> sourceIds) {
        approved = Set.copyOf(sourceIds);
        return this;
    }

    /** When a planned removal is made. */
    enum Removal {
        /** now, as any write: a dry run's, or one an operator approved */
        NOW,
        /** when the run ends, if the run's removals stay within the guard's limit; else it is held */
        AT_THE_END,
        /** not by this run: it waits for an operator ({@code held_removal}) */
        HELD
    }

    boolean movesCheckpoint() {
        return nextToken != null;
    }

    /**
     * When this planned removal (a delete, or a disable at scope exit) is made. The run's removals wait for its end:
     * within the deletion guard's limit they are all made then, past it none is (Entra's accidental-deletion
     * prevention). An entry whose removal is held already stays held until an operator decides.
     */
    Removal removal(Pipe pipe, SyncItem item) {
        String sourceId = item.change.sourceId();
        if (dryRun || approved.contains(sourceId)) {
            return Removal.NOW;
        }
        if (holdsExist && pipe.state().isHeld(pipe.name(), sourceId)) {
            return Removal.HELD;
        }
        if (removals.incrementAndGet() > removalLimit) {
            return Removal.HELD;
        }
        deferred.add(item);
        return Removal.AT_THE_END;
    }

    /** The removals waiting for the run's end, taken: to be made, or held if {@link #pastTheLimit()}. */
    List<SyncItem> takeDeferred() {
        List<SyncItem> taken = new ArrayList<>();
        for (SyncItem item; (item = deferred.poll()) != null; ) {
            taken.add(item);
        }
        return taken;
    }

    boolean pastTheLimit() {
        return removals.get() > removalLimit;
    }

    /** Why this run's removals are held, for the entries' records and the operator. */
    String heldBecause(DeletionGuard guard) {
        return guard.heldBecause(removalLimit, linked);
    }

    /** The removals the run planned, counted against the guard's limit. */
    int removalsPlanned() {
        return removals.get();
    }
}

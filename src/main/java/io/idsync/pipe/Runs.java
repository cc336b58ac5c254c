package io.idsync.pipe;

import io.idsync.cluster.Leases;
import org.jboss.logging.Logger;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The operator's runs of a pipe (reconciliation, deprovisioning, resync, dry or not) from their start to their end,
 * and whether this instance may run the pipe at all (its lease). Camel-free: the road gives each run its exchange.
 * A run starts holding the pipe ({@link Pipe#tryAcquire}); whoever starts one releases it when the run is over.
 */
final class Runs {

    private static final Logger LOG = Logger.getLogger(Runs.class);

    /** A run that started: its state, and the items it sends down the road. */
    record Started(Run run, Iterator<SyncItem> items) {
    }

    private final Feeds feeds;
    private final Leases leases;

    Runs(Feeds feeds, Leases leases) {
        this.feeds = feeds;
        this.leases = leases;
    }

    /**
     * Whether this instance holds the pipe now. Taking it (again) reloads what the previous holder saved with its
     * last checkpoint (the counters); the checkpoint itself is read by each poll.
     */
    boolean holds(Pipe pipe) {
        java.util.OptionalLong token = leases.held(pipe.name());
        if (token.isEmpty()) {
            return false;
        }
        if (pipe.takenWith(token.getAsLong())) {
            LOG.infof("%s: taken over by instance %s, from checkpoint %s", pipe.name(), leases.instance(),
                    pipe.state().checkpoint(pipe.name()).orElse("none (initial load)"));
        }
        return true;
    }

    /** @throws PipeBusy when another instance holds the pipe: an operator's run goes to that instance */
    void requireHeld(Pipe pipe) {
        if (!holds(pipe)) {
            throw new PipeBusy("pipe '" + pipe.name() + "' runs on instance " + leases.holder(pipe.name()).map(Leases.Holder::instance)
                    .orElse("(none yet: its holder stopped, another instance takes it within the lease)") + ", not on " + leases.instance()
                    + "; ask that instance");
        }
    }

    /**
     * A reconciliation: every entry the pipe has linked goes down the road again, read afresh from the source. One
     * that is gone gets the delete action, one out of scope the scope-exit action: the deletes and scope exits that
     * change detection cannot see (no changelog, or changes missed).
     *
     * @throws PipeBusy when another run still holds the pipe after {@code waitMillis}
     */
    Started reconciliation(Pipe pipe, long waitMillis) {
        requireHeld(pipe);
        acquire(pipe, "reconciliation", waitMillis);
        return started(pipe, () -> {
            Run run = Run.of(pipe, new RunReport(pipe.name(), "reconciliation", false), false);
            LOG.infof("%s: reconciliation of the linked entries started", pipe.name());
            AuditTrail.note(pipe, "reconciliation-started", "started", null);
            return new Started(run, feeds.linked(pipe));
        });
    }

    /**
     * The deprovisioning of a retired pipe ({@code deprovision-on-rule-deletion}): every entry it linked goes down the
     * road out of scope, so it gets the remove action (disable or delete, as its mapping says), counted by its deletion
     * guard like any removal: past the guard's limit they are held for an operator.
     *
     * @throws PipeBusy when the pipe is not retired, or another run still holds it
     */
    Started deprovisioning(Pipe pipe, long waitMillis) {
        requireHeld(pipe);
        if (!pipe.retired()) {
            throw new PipeBusy("pipe '" + pipe.name() + "' is running: deprovisioning is for a rule switched off"
                    + " (idsync.pipes." + pipe.name() + ".enabled=false with deprovision-on-rule-deletion=true)");
        }
        acquire(pipe, "deprovisioning", waitMillis);
        return started(pipe, () -> {
            Run run = Run.of(pipe, new RunReport(pipe.name(), "deprovisioning", false), false);
            LOG.warnf("%s: deprovisioning the entries of a rule switched off (deprovision-on-rule-deletion)", pipe.name());
            AuditTrail.note(pipe, "deprovisioning-started", "started", "deprovision-on-rule-deletion");
            return new Started(run, feeds.linked(pipe));
        });
    }

    /**
     * A full scan of the pipe's source down the road; a dry run only reports.
     *
     * @throws PipeBusy when another run still holds the pipe after {@code waitMillis}
     */
    Started resync(Pipe pipe, boolean dryRun, long waitMillis) {
        return resync(pipe, dryRun, waitMillis, null, null);
    }

    /**
     * As {@link #resync(Pipe, boolean, long)}, at most {@code ratePerSecond} entries a second (null: full speed), of only
     * the entries {@code subset} names by their source ids (null: every entry, as a scan finds them).
     *
     * @throws IllegalArgumentException when the rate is out of range
     */
    Started resync(Pipe pipe, boolean dryRun, long waitMillis, Integer ratePerSecond, List<String> subset) {
        return resync(pipe, dryRun, waitMillis, ratePerSecond, subset, null);
    }

    /**
     * As {@link #resync(Pipe, boolean, long, Integer, List)}, of the entries the source's own {@code filter} matches
     * (null: every one), pushed down to the source ({@link io.idsync.connector.FilteredScan}).
     *
     * @throws IllegalArgumentException when the rate is out of range, or the source cannot take the filter (nothing starts)
     */
    Started resync(Pipe pipe, boolean dryRun, long waitMillis, Integer ratePerSecond, List<String> subset, String filter) {
        RunPace pace = RunPace.of(ratePerSecond);
        requireHeld(pipe);
        acquire(pipe, dryRun ? "resync (dry run)" : "resync", waitMillis);
        return started(pipe, () -> {
            RunReport report = new RunReport(pipe.name(), "resync", dryRun, pace, subset);
            Run run = Run.of(pipe, report, dryRun);
            String how = String.join(", ", java.util.stream.Stream.of(ratePerSecond == null ? null : "at " + ratePerSecond + " entries/s",
                    subset == null ? null : "of " + subset.size() + " entries named", filter == null ? null : "of the entries matching " + filter)
                    .filter(java.util.Objects::nonNull).toList());
            LOG.infof("%s: resync started%s%s", pipe.name(), dryRun ? " (dry run: nothing will be written)" : "", how.isEmpty() ? "" : " " + how);
            AuditTrail.note(pipe, dryRun ? "resync-dry-run-started" : "resync-started", "started", how.isEmpty() ? null : how);
            java.util.Iterator<SyncItem> items = subset != null ? feeds.named(pipe, subset) : feeds.scan(pipe, dryRun, filter);
            return new Started(run, ratePerSecond == null ? items : io.idsync.connector.Paging.map(items, item -> {
                pace.await(report);
                return item;
            }));
        });
    }

    /**
     * The removals an operator approved: these entries go down the road again, read afresh, and each that still should
     * be removed is, outside the deletion guard's limit; one that came back meanwhile is synchronized instead. Either
     * way its removal is held no more.
     *
     * @throws PipeBusy when another run still holds the pipe after {@code waitMillis}
     * @throws IllegalArgumentException when one of them has no held removal (nothing is started)
     */
    Started approval(Pipe pipe, List<String> sourceIds, String operator, long waitMillis) {
        HeldDecisions.requireHeld(pipe, sourceIds);
        requireHeld(pipe);
        acquire(pipe, "approved removals", waitMillis);
        return started(pipe, () -> {
            Run run = Run.of(pipe, new RunReport(pipe.name(), "approved removals", false, RunPace.of(null), sourceIds), false)
                    .approving(new java.util.HashSet<>(sourceIds));
            String why = operator + " approved the held removal of " + sourceIds.size() + (sourceIds.size() == 1 ? " entry: " : " entries: ")
                    + String.join(", ", sourceIds.subList(0, Math.min(20, sourceIds.size()))) + (sourceIds.size() > 20 ? ", ..." : "");
            LOG.warnf("%s: %s", pipe.name(), why);
            AuditTrail.note(pipe, "held-removals-approved", "accepted", why);
            return new Started(run, feeds.named(pipe, sourceIds));
        });
    }

    /**
     * One entry, named by what the operator knows of it ({@link io.idsync.connector.SourceReader#lookup}), down the road
     * now, out of turn (Entra's "provision on demand", an IDM's reconcile-by-id), traced step by step; a dry run writes
     * nothing. A removal it plans is made at once: the operator asked for this entry by name.
     *
     * @throws PipeBusy                        when another run still holds the pipe after {@code waitMillis}
     * @throws java.util.NoSuchElementException when the source has no entry by that identifier
     */
    Started provision(Pipe pipe, String identifier, boolean dryRun, String operator, long waitMillis) {
        requireHeld(pipe);
        acquire(pipe, dryRun ? "provisioning on demand (dry run)" : "provisioning on demand", waitMillis);
        return started(pipe, () -> {
            io.idsync.connector.SourceEntry entry = pipe.reader().lookup(identifier).orElseThrow(() -> new java.util.NoSuchElementException(
                    "pipe '" + pipe.name() + "' found no source entry named '" + identifier + "' (looked for it as a source id, then by name:"
                            + " a PingOne username; an LDAP DN, or a uid, cn or mail value)"));
            Run run = Run.of(pipe, new RunReport(pipe.name(), "provision on demand", dryRun), dryRun).approving(java.util.Set.of(entry.id()));
            run.traced = new SyncItem(io.idsync.connector.Change.scanned(entry, pipe.entryType()));
            run.traced.trail = new java.util.ArrayList<>();
            AuditTrail.note(pipe, dryRun ? "provision-dry-run" : "provision-on-demand", "started", operator + " asked for source entry " + entry.id());
            return new Started(run, List.of(run.traced).iterator());
        });
    }

    /** A run that did not finish (cancelled, or a system failed): its report says why, and becomes the pipe's last run. */
    void stopped(Pipe pipe, Run run, String why) {
        run.report.failed(why);
        pipe.runEnded(run.report);
        LOG.warnf("%s: %s %s stopped: %s", pipe.name(), run.report.kind(), run.report.id(), why);
        AuditTrail.note(pipe, run.report.kind().replace(' ', '-') + (run.report.cancelled() ? "-cancelled" : "-stopped"),
                run.report.cancelled() ? "cancelled" : "failed", why);
    }

    /** Ends a reconciliation, a deprovisioning or a resync: its report, as the API answers it. */
    Map<String, Object> finished(Pipe pipe, Run run) {
        RunReport report = run.report;
        report.finish(null);
        if (!report.dryRun()) {
            pipe.runEnded(report);
            pipe.state().saveCounters(pipe.name(), pipe.counters().snapshot());
        }
        LOG.infof("%s: %s finished: %s", pipe.name(), report.kind(), report.summary());
        AuditTrail.note(pipe, report.kind().replace(' ', '-').replace("(", "").replace(")", "") + "-finished", "succeeded", report.summary());
        return report.toMap();
    }

    private static void acquire(Pipe pipe, String activity, long waitMillis) {
        if (!pipe.tryAcquire(activity, waitMillis)) {
            throw new PipeBusy("pipe '" + pipe.name() + "' is still busy (" + pipe.activity() + ")"
                    + (waitMillis > 0 ? " after " + waitMillis / 1000 + " s" : "") + "; try again when it is idle");
        }
    }

    /** The pipe is held: a start that fails lets it go again. */
    private static Started started(Pipe pipe, java.util.function.Supplier<Started> start) {
        try {
            return start.get();
        } catch (RuntimeException e) {
            pipe.release();
            throw e;
        }
    }
}

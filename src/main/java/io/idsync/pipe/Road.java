package io.idsync.pipe;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.Change;
import io.idsync.connector.EntryRejected;
import io.idsync.connector.Plan;
import io.idsync.connector.SourceEntry;
import io.idsync.connector.SystemUnavailable;
import io.idsync.mapping.MappingException;
import io.idsync.state.StateStore;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import io.idsync.cluster.Leases;
import io.idsync.cluster.SoloLeases;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The road every change walks, one method per step, called by the road's route templates
 * ({@code templates/road.yaml}):
 * <pre>poll → scope → enrich → map → correlate → plan → deliver → record → checkpoint</pre>
 * {@code poll} and {@code checkpoint} run once per batch; the steps between run once per change, on a
 * {@link SyncItem}. The pipe is named by the exchange property {@value #PIPE}; the state of the run (its report,
 * dry run, removal budget and next token) is one {@link Run}. Where items come from is {@link Feeds}: the change
 * feed, a full scan (initial load, resync) or the pipe's links (reconciliation).
 */
public final class Road {

    public static final String PIPE = "idsyncPipe";
    /** in a group's document: the member values, at the destination, of its members that the members-from pipe provisioned */
    public static final String PROVISIONED_MEMBERS = "provisionedMembers";

    private static final Logger LOG = Logger.getLogger(Road.class);

    private final Pipes pipes;
    private final Retry retry;
    private final Feeds feeds;
    private final Leases leases;
    private final Correlator correlator;
    private final Runs runs;
    private final Batches batches;
    private final OutcomeRecorder outcomes;

    /** A road of a single instance, holding every pipe. */
    public Road(Pipes pipes, Retry retry) {
        this(pipes, retry, new SoloLeases("idsync"));
    }

    /** A road that runs only the pipes whose lease this instance holds. */
    public Road(Pipes pipes, Retry retry, Leases leases) {
        this.pipes = pipes;
        this.retry = retry;
        this.feeds = new Feeds(retry);
        this.leases = leases;
        this.correlator = new Correlator(pipes, retry);
        this.runs = new Runs(feeds, leases);
        this.batches = new Batches(retry, feeds);
        this.outcomes = new OutcomeRecorder(pipes);
    }

    // --- once per batch ------------------------------------------------------------------------------

    /**
     * The batch of a poll ({@link Batches#next}): the changes after the checkpoint, or the initial load. A poll due
     * while this instance does not hold the pipe, or another run does, reads nothing and moves no checkpoint.
     */
    public void poll(Exchange exchange) {
        Pipe pipe = pipe(exchange);
        if (!runs.holds(pipe) || !pipe.tryAcquire("polling")) {
            // another instance runs it (this one stands by), or another run holds it
            carry(exchange, Batches.skipped());
            return;
        }
        exchange.getExchangeExtension().addOnCompletion(release(pipe));
        carry(exchange, batches.next(pipe));
    }

    /** Saves the batch's token and the counters: reached only when every change was recorded. */
    public void checkpoint(Exchange exchange) {
        batches.checkpoint(pipe(exchange), run(exchange));
    }

    /** A batch that could not finish: the checkpoint stays, the next poll replays it. */
    public void batchFailed(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        batches.failed(pipe(exchange), cause == null ? "unknown error" : rootMessage(cause));
    }

    /** The run on the exchange, its items the body the road splits. */
    private static void carry(Exchange exchange, Runs.Started started) {
        exchange.setProperty(Run.PROPERTY, started.run());
        exchange.getIn().setBody(started.items());
    }

    // --- once per change -----------------------------------------------------------------------------

    /** Change-level scope: the entry type this pipe synchronizes, and the actors it ignores. */
    public void scope(Exchange exchange) {
        RunReport report = run(exchange).report;
        if (report != null && report.cancelled()) {
            throw new RunCancelled("the " + report.kind() + " " + report.id() + " was cancelled by an operator");
        }
        SyncItem item = item(exchange);
        if (item.change.kind() == Change.Kind.SCAN) {
            return;
        }
        Pipe pipe = pipe(exchange);
        if (item.change.entryType() != pipe.entryType()) {
            item.decide(Outcome.OUT_OF_SCOPE, item.change.entryType() == null ? "a change to another kind of entry"
                    : "a " + item.change.entryType() + " change");
        } else if (!pipe.changes().inScope(item.change)) {
            item.decide(Outcome.OUT_OF_SCOPE, "a change" + (item.change.sourceId() == null ? "" : " made by " + String.join(", ", item.change.actors())));
        }
    }

    /** Reads the full current source entry (a change only says that something changed) and its scope. */
    public void enrich(Exchange exchange) {
        SyncItem item = item(exchange);
        if (item.decided()) {
            return;
        }
        Pipe pipe = pipe(exchange);
        item.source = item.change.preloaded() != null ? item.change.preloaded()
                : retry.call(pipe, "read " + item.change.sourceId(), () -> pipe.reader().read(item.change.sourceId())).orElse(null);
        // a retired pipe's rule is gone: nothing is in its scope any more
        item.inScope = item.source != null && !pipe.retired()
                && ((item.scopedByScan && item.source == item.change.preloaded()) || pipe.reader().inScope(item.source));
        if (item.source != null && pipe.membersFrom() != null) {
            provisionedMembers(pipe, item.source);
        }
    }

    /**
     * A group's members as the destination knows them: the users its members-from pipe has linked. Members
     * that pipe did not provision (out of its scope, disabled and not provisioned, failed) are left out.
     */
    private void provisionedMembers(Pipe pipe, SourceEntry group) {
        List<String> memberIds = new ArrayList<>();
        group.document().path(SourceEntry.MEMBER_IDS).forEach(id -> memberIds.add(id.asText()));
        Map<String, StateStore.EntryState> links = memberIds.isEmpty() ? Map.of()
                : retry.call(pipe, "read the members' links", () -> pipe.state().entries(pipe.membersFrom(), memberIds));
        ArrayNode provisioned = ((ObjectNode) group.document()).putArray(PROVISIONED_MEMBERS);
        for (String id : memberIds) {
            StateStore.EntryState link = links.get(id);
            if (link != null && link.status() == StateStore.Status.SYNCED && link.destinationId() != null) {
                provisioned.add(pipe.destination().memberValue(link.destinationId(), link.destinationRef()));
            }
        }
    }

    public void map(Exchange exchange) {
        SyncItem item = item(exchange);
        if (item.decided()) {
            return;
        }
        Pipe pipe = pipe(exchange);
        if (item.mapped != null && item.inScope && item.source == item.change.preloaded()) {
            return; // mapped by the scan, from this same entry
        }
        item.mapped = item.source != null && item.inScope
                ? pipe.mapping().map(item.source.document())
                : pipe.mapping().mapIdentity(JsonNodeFactory.instance.objectNode().put("id", item.change.sourceId()));
    }

    /**
     * The pipe's own rule matched (its route file's {@code skipWhen}): the entry is left alone, as an entry of
     * another type or made by an ignored actor is.
     */
    public void skip(Exchange exchange) {
        SyncItem item = item(exchange);
        if (!item.decided()) {
            item.decide(Outcome.OUT_OF_SCOPE, "skip-when");
        }
    }

    /**
     * The link from an earlier run first (settling an intent a crash left), then the correlation rules in order
     * ({@link Correlator}).
     */
    public void correlate(Exchange exchange) {
        correlator.correlate(pipe(exchange), item(exchange));
    }

    /**
     * Plans the operation. A removal (delete, or disable at scope exit) waits for the run's end, or is held for an
     * operator ({@link Run#removal}).
     */
    public void plan(Exchange exchange) {
        SyncItem item = item(exchange);
        Pipe pipe = pipe(exchange);
        Planner.plan(item, pipe.mapping().syncClass(), pipe.destination().names(), pipe.destination().valueEquality());
        boolean removal = item.destination != null && (item.source == null || !item.inScope)
                && (item.outcome == Outcome.DELETED || item.outcome == Outcome.MODIFIED);
        if (removal) {
            Run run = run(exchange);
            switch (run.removal(pipe, item)) {
                case AT_THE_END -> item.deferred = true;
                case HELD -> item.decide(Outcome.HELD, run.heldBecause(pipe.deletionGuard()));
                case NOW -> {
                }
            }
        }
    }

    /** Applies the plan, unless this is a dry run; a create, delete or rename notes its intent first. */
    public void deliver(Exchange exchange) {
        SyncItem item = item(exchange);
        Pipe pipe = pipe(exchange);
        if (item.deferred || item.plan == null || item.plan.action() == Plan.Action.NONE || item.outcome == Outcome.FAILED
                || item.outcome == Outcome.NOT_SYNCHRONIZED || item.outcome == Outcome.HELD || run(exchange).dryRun) {
            return;
        }
        StateStore.Intent intent = Intents.of(item.plan, item.criteria);
        if (intent != null && !(item.notedCreate != null && item.plan.action() == Plan.Action.CREATE)) {
            // committed before the write: whatever a crash cuts off after this, the replay can tell
            retry.run(pipe, "note the intent to " + item.plan.describe(), () -> pipe.state().recordIntent(pipe.name(), item.change.sourceId(), intent));
        }
        item.delivered = retry.call(pipe, item.plan.describe(), () -> pipe.destination().apply(item.plan));
    }

    /** Writes the outcome: link and status per entry, counters, the run report. */
    public void record(Exchange exchange) {
        record(pipe(exchange), item(exchange), run(exchange));
    }

    private void record(Pipe pipe, SyncItem item, Run run) {
        if (!item.deferred) {
            retry.run(pipe, "record the outcome of " + item.change.sourceId(), () -> outcomes.record(pipe, item, run));
        }
    }

    /**
     * Once every entry of the run went down the road: the removals it deferred become the body, to be delivered and
     * recorded (steps {@code deliver-removal}, {@code record-removal}) when they stay within the deletion guard's limit;
     * past it, each is recorded held for an operator and the body is empty.
     */
    public void removals(Exchange exchange) {
        Pipe pipe = pipe(exchange);
        Run run = run(exchange);
        List<SyncItem> deferred = run.takeDeferred();
        deferred.forEach(item -> item.deferred = false);
        if (!deferred.isEmpty() && run.pastTheLimit()) {
            String why = run.heldBecause(pipe.deletionGuard());
            for (SyncItem item : deferred) {
                item.decide(Outcome.HELD, why);
                record(pipe, item, run);
            }
            String all = "the deletion guard held all " + run.removalsPlanned() + " removals of this run (" + why.substring(why.indexOf(':') + 2)
                    + "); approve or reject each at /api/pipes/" + pipe.name() + "/held";
            LOG.warnf("%s: %s", pipe.name(), all);
            AuditTrail.note(pipe, "deletion-guard-held", "held", all);
            deferred = List.of();
        }
        exchange.getIn().setBody(deferred);
    }

    /**
     * A transient failure that outlived its retries is not the entry's: rethrown, it stops the batch and the
     * checkpoint stays, so the next poll replays the batch.
     */
    public void stopBatch(Exchange exchange) throws Exception {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (cause instanceof io.idsync.connector.SystemFailure
                && pipe(exchange).failurePolicy(io.idsync.connector.FailureCategory.of(cause)) == FailurePolicy.PARK) {
            failed(exchange); // the pipe parks what a system refused: this entry fails, the batch goes on
            return;
        }
        throw cause != null ? cause : new SystemUnavailable("the batch stopped");
    }

    /** An entry that failed for good: its reason is recorded and the road goes on with the next one. */
    public void failed(Exchange exchange) {
        SyncItem item = item(exchange);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = cause == null ? "unknown error" : cause instanceof io.idsync.connector.ConnectorFailure || cause instanceof MappingException
                ? cause.getMessage() : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        item.failureCategory = io.idsync.connector.FailureCategory.of(cause);
        if (pipe(exchange).failurePolicy(item.failureCategory) == FailurePolicy.STOP) {
            throw new FailurePolicy.Stopped("entry " + item.change.sourceId() + " failed (" + item.failureCategory.key() + ": " + reason
                    + ") and the pipe's failure-policy." + item.failureCategory.key() + " is stop");
        }
        item.outcome = null;
        item.decide(Outcome.FAILED, reason);
        record(exchange);
    }

    // --- full runs: reconciliation and resync ---------------------------------------------------------

    /** The pipe's scheduled reconciliation ({@code idsync.pipes.<pipe>.reconcile-cron}); the pipe is the exchange's. */
    public void startReconciliation(Exchange exchange) {
        Pipe pipe = pipe(exchange);
        if (!runs.holds(pipe)) {
            carry(exchange, Batches.skipped()); // the holder reconciles on its own schedule
            return;
        }
        beginReconciliation(exchange, pipe, 0);
    }

    /**
     * Starts a reconciliation ({@link Runs#reconciliation}) on this exchange.
     *
     * @throws PipeBusy when another run still holds the pipe after {@code waitMillis}
     */
    public void beginReconciliation(Exchange exchange, Pipe pipe, long waitMillis) {
        begin(exchange, pipe, runs.reconciliation(pipe, waitMillis));
    }

    /**
     * Starts the deprovisioning of a retired pipe ({@link Runs#deprovisioning}) on this exchange: its road, stopped
     * with the rest of its routes (enabled=false), is started; its poll stays stopped.
     *
     * @throws PipeBusy when the pipe is not retired, or another run still holds it
     */
    public void beginDeprovisioning(Exchange exchange, Pipe pipe, long waitMillis) {
        Runs.Started started = runs.deprovisioning(pipe, waitMillis);
        begin(exchange, pipe, started);
        try {
            if (!exchange.getContext().getRouteController().getRouteStatus(pipe.name()).isStarted()) {
                exchange.getContext().getRouteController().startRoute(pipe.name());
            }
        } catch (Exception e) {
            throw new IllegalStateException("the road of pipe '" + pipe.name() + "' cannot be started: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a full scan of the pipe's source down the road ({@link Runs#resync}); a dry run only reports.
     *
     * @throws PipeBusy when another run still holds the pipe after {@code waitMillis}
     */
    public void beginResync(Exchange exchange, Pipe pipe, boolean dryRun, long waitMillis) {
        begin(exchange, pipe, runs.resync(pipe, dryRun, waitMillis));
    }

    /**
     * As {@link #beginResync(Exchange, Pipe, boolean, long)}, paced at {@code ratePerSecond} (null: full speed) and of the
     * entries {@code subset} names (null: all).
     *
     * @throws IllegalArgumentException when the rate is out of range
     */
    public void beginResync(Exchange exchange, Pipe pipe, boolean dryRun, long waitMillis, Integer ratePerSecond, java.util.List<String> subset) {
        beginResync(exchange, pipe, dryRun, waitMillis, ratePerSecond, subset, null);
    }

    /**
     * As {@link #beginResync(Exchange, Pipe, boolean, long, Integer, java.util.List)}, of the entries the source's own
     * {@code filter} matches (null: all).
     *
     * @throws IllegalArgumentException when the rate is out of range, or the source cannot take the filter
     */
    public void beginResync(Exchange exchange, Pipe pipe, boolean dryRun, long waitMillis, Integer ratePerSecond, java.util.List<String> subset,
                            String filter) {
        begin(exchange, pipe, runs.resync(pipe, dryRun, waitMillis, ratePerSecond, subset, filter));
    }

    /**
     * Starts the removals an operator approved ({@link Runs#approval}) on this exchange: those entries go down the road
     * again, and each that still should be removed is, outside the deletion guard's limit; {@code sourceIds} null: every
     * one the pipe holds.
     *
     * @throws PipeBusy when another run still holds the pipe after {@code waitMillis}
     * @throws IllegalArgumentException when one of them has no held removal
     */
    public void beginApproval(Exchange exchange, Pipe pipe, java.util.List<String> sourceIds, String operator, long waitMillis) {
        begin(exchange, pipe, runs.approval(pipe, sourceIds == null ? HeldDecisions.allHeld(pipe) : sourceIds, operator, waitMillis));
    }

    /**
     * Starts a provisioning on demand ({@link Runs#provision}) on this exchange; {@link #finishProvision} answers its trace.
     *
     * @throws PipeBusy                        when another run still holds the pipe after {@code waitMillis}
     * @throws java.util.NoSuchElementException when the source has no entry by that identifier
     */
    public void beginProvision(Exchange exchange, Pipe pipe, String identifier, boolean dryRun, String operator, long waitMillis) {
        begin(exchange, pipe, runs.provision(pipe, identifier, dryRun, operator, waitMillis));
    }

    /** Ends a provisioning on demand: the body becomes the entry's trace ({@link ProvisionTrace}). */
    public void finishProvision(Exchange exchange) {
        Run run = run(exchange);
        Pipe pipe = pipe(exchange);
        runs.finished(pipe, run);
        exchange.getIn().setBody(ProvisionTrace.of(pipe, run.traced, run.dryRun));
    }

    /**
     * Rejects these held removals ({@link HeldDecisions#reject}); {@code sourceIds} null: every one the pipe holds.
     *
     * @return how many were rejected
     * @throws PipeBusy                 when another instance runs the pipe, or a run still holds it after {@code waitMillis}
     * @throws IllegalArgumentException when one of them has no held removal
     */
    public int rejectHeld(Pipe pipe, java.util.List<String> sourceIds, String operator, String why, long waitMillis) {
        runs.requireHeld(pipe);
        return HeldDecisions.reject(pipe, sourceIds == null ? HeldDecisions.allHeld(pipe) : sourceIds, operator, why, waitMillis);
    }

    /** The run's exchange: it releases the pipe when done, names the pipe and the run, and carries the items. */
    private static void begin(Exchange exchange, Pipe pipe, Runs.Started started) {
        exchange.getExchangeExtension().addOnCompletion(release(pipe));
        exchange.setProperty(PIPE, pipe.name());
        carry(exchange, started);
    }

    /** A run an operator cancelled: it stops like a failure of the batch, before its next entry. */
    public static final class RunCancelled extends BatchStopped {
        RunCancelled(String message) {
            super(message);
        }
    }

    /**
     * Ends a run started in the background that did not finish (cancelled, or a system failed): its report says
     * why, and becomes the pipe's last run.
     */
    public void runStopped(Exchange exchange) {
        Run run = exchange.getProperty(Run.PROPERTY, Run.class);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (run == null || run.report == null || exchange.getProperty(PIPE) == null) {
            LOG.warnf("a run could not start: %s", cause == null ? "unknown" : rootMessage(cause));
            return;
        }
        runs.stopped(pipe(exchange), run, cause == null ? "stopped" : rootMessage(cause));
    }

    /** Ends a reconciliation or a resync; the body becomes its report. */
    public void finishRun(Exchange exchange) {
        exchange.getIn().setBody(runs.finished(pipe(exchange), run(exchange)));
    }

    // --- helpers -------------------------------------------------------------------------------------

    /** The message that says what went wrong, under Camel's wrappers (split, redelivery). */
    public static String rootMessage(Throwable error) {
        Throwable current = error;
        while (current.getCause() != null && current.getCause() != current
                && (current.getMessage() == null || current.getClass().getName().startsWith("org.apache.camel"))) {
            current = current.getCause();
        }
        return current.getMessage() == null ? current.getClass().getSimpleName() : current.getMessage();
    }

    private static Run run(Exchange exchange) {
        return exchange.getProperty(Run.PROPERTY, Run.class);
    }

    private static SynchronizationAdapter release(Pipe pipe) {
        return new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange exchange) {
                pipe.release();
            }
        };
    }

    private Pipe pipe(Exchange exchange) {
        return pipes.get(exchange.getProperty(PIPE, String.class));
    }

    private static SyncItem item(Exchange exchange) {
        return exchange.getIn().getBody(SyncItem.class);
    }
}

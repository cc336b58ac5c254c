package io.idsync.pipe;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.Change;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.EntryRejected;
import io.idsync.connector.Plan;
import io.idsync.connector.SourceEntry;
import io.idsync.connector.SystemUnavailable;
import io.idsync.mapping.CorrelationRule;
import io.idsync.mapping.MappingException;
import io.idsync.state.StateStore;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import io.idsync.cluster.Leases;
import io.idsync.cluster.SoloLeases;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    private static final Logger SYNC_LOG = Logger.getLogger("io.idsync.sync");
    private static final Logger LOG = Logger.getLogger(Road.class);

    private final Pipes pipes;
    private final Retry retry;
    private final Feeds feeds;
    private final Leases leases;

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
    }

    // --- once per batch ------------------------------------------------------------------------------

    /**
     * The changes after the pipe's checkpoint. A pipe without a checkpoint does its initial load instead: it notes
     * the feed's position first (once: a restarted load keeps the first attempt's), then scans every in-scope entry. A poll due while another run holds the pipe, or
     * while the deletion guard does, reads nothing and moves no checkpoint.
     */
    public void poll(Exchange exchange) {
        Pipe pipe = pipe(exchange);
        if (!holds(pipe)) {
            skipRun(exchange); // another instance runs it: this one stands by
            return;
        }
        if (!pipe.tryAcquire("polling")) {
            skipRun(exchange);
            return;
        }
        pipe.lastPollStarted = Instant.now();
        exchange.getExchangeExtension().addOnCompletion(release(pipe));
        if (!pipe.misfits().isEmpty()) {
            // the mapping does not fit the destination (found once it could be read): nothing would go through
            throw new io.idsync.connector.ConfigurationError("the mapping does not fit the destination: " + String.join("; ", pipe.misfits()));
        }
        if (pipe.deletionGuard().tripped() != null) {
            skipRun(exchange); // held until an operator confirms: the checkpoint stays, nothing is read
            return;
        }
        Optional<String> checkpoint = pipe.state().checkpoint(pipe.name());
        if (checkpoint.isEmpty()) {
            pipe.activity = "initial load";
            Run run = Run.of(pipe, new RunReport(pipe.name(), "initial load", false), false);
            // a load a crash interrupted keeps its first attempt's position: nothing changed in between is missed
            run.nextToken = retry.call(pipe, "note where the feed stands", () -> pipe.state().initialLoadStart(pipe.name(), pipe.changes()::currentToken));
            exchange.setProperty(Run.PROPERTY, run);
            LOG.infof("%s: no checkpoint yet, initial load of every in-scope entry; the change feed follows from %s", pipe.name(), run.nextToken);
            exchange.getIn().setBody(feeds.scan(pipe, false));
            return;
        }
        Run run = Run.of(pipe, null, false);
        exchange.setProperty(Run.PROPERTY, run);
        exchange.getIn().setBody(feeds.changes(pipe, checkpoint.get(), run));
    }

    private static void skipRun(Exchange exchange) {
        exchange.setProperty(Run.PROPERTY, Run.skipped());
        exchange.getIn().setBody(Collections.emptyIterator());
    }

    /** Saves the batch's token and the counters: reached only when every change was recorded. */
    public void checkpoint(Exchange exchange) {
        Pipe pipe = pipe(exchange);
        Instant started = pipe.lastPollStarted;
        pipe.lastPoll = Instant.now();
        if (started != null) {
            pipe.pollDuration = java.time.Duration.between(started, pipe.lastPoll);
        }
        Run run = run(exchange);
        if (!run.movesCheckpoint()) {
            return;
        }
        pipe.state().saveCheckpoint(pipe.name(), run.nextToken, pipe.counters().snapshot());
        if (!run.memberRefreshes.isEmpty()) {
            pipe.state().memberRefreshesDone(pipe.name(), run.memberRefreshes);
        }
        if (!run.retries.isEmpty()) {
            pipe.state().retriesDone(pipe.name(), run.retries);
        }
        pipe.deletionGuard().runFinished();
        pipe.healthy();
        if (run.report != null) {
            run.report.finish(null);
            pipe.lastRun = run.report;
            LOG.infof("%s: initial load done: %s", pipe.name(), run.report.summary());
        }
    }

    /** A batch that could not finish: the checkpoint stays, the next poll replays it. */
    public void batchFailed(Exchange exchange) {
        Pipe pipe = pipe(exchange);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        pipe.failing(cause == null ? "unknown error" : rootMessage(cause));
        if (pipe.deletionGuard().tripped() != null && pipe.lastError() != null && pipe.lastError().contains(pipe.deletionGuard().tripped())) {
            AuditTrail.note(pipe, "deletion-guard-held", "held", pipe.deletionGuard().tripped());
        }
        try {
            pipe.state().flush(); // the outcomes recorded before the stop show in the status
        } catch (RuntimeException e) {
            LOG.debugf("%s: outcomes not written yet: %s", pipe.name(), e.getMessage());
        }
        LOG.warnf("%s: the batch stopped and will be replayed from the same checkpoint: %s", pipe.name(), pipe.lastError());
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
        item.inScope = item.source != null && !pipe.retired() && pipe.reader().inScope(item.source);
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
     * The link from an earlier run first (resolving an intent a crash left), then the correlation rules in order;
     * several matches fail the change. An entry found by correlation that another pipe writing to the same place,
     * or another source entry, is linked to is not this entry's: it fails, naming its owner, and is tried again later.
     */
    public void correlate(Exchange exchange) {
        SyncItem item = item(exchange);
        if (item.decided()) {
            return;
        }
        Pipe pipe = pipe(exchange);
        if (!item.linkLoaded) {
            item.link = retry.call(pipe, "read the link of " + item.change.sourceId(),
                    () -> pipe.state().entry(pipe.name(), item.change.sourceId())).orElse(null);
        }
        List<CorrelationRule> rules = new ArrayList<>();
        List<Map<String, String>> alternatives = new ArrayList<>();
        for (CorrelationRule rule : pipe.mapping().correlation()) {
            rule.criteria(item.mapped).ifPresent(criteria -> {
                rules.add(rule);
                alternatives.add(criteria);
            });
        }
        item.criteria = alternatives;
        if (item.link != null && item.link.intent() != null) {
            resolveIntent(pipe, item);
        }
        if (item.destination == null && item.link != null && item.link.destinationRef() != null) {
            String ref = item.link.destinationRef();
            item.destination = retry.call(pipe, "read " + ref, () -> pipe.destination().read(ref)).orElse(null);
        }
        if (item.destination != null || alternatives.isEmpty()) {
            return;
        }
        // every applicable rule in one search (shared with other workers'), then the rules in their order over the candidates
        int limit = 2 * alternatives.size() + 1;
        List<DestinationEntry> candidates = retry.call(pipe, "correlate " + item.change.sourceId(),
                () -> pipe.correlationSearches().findAny(alternatives, limit));
        boolean truncated = candidates.size() >= limit;
        for (int i = 0; i < rules.size(); i++) {
            Map<String, String> criteria = alternatives.get(i);
            List<DestinationEntry> matches = (truncated
                    ? retry.call(pipe, "correlate " + item.change.sourceId(), () -> pipe.destination().find(criteria, 2))
                    : candidates).stream().filter(candidate -> CorrelationSearches.matches(candidate, criteria)).toList();
            if (matches.size() == 1) {
                claim(pipe, item, matches.get(0));
                return;
            }
            if (matches.size() > 1) {
                throw new EntryRejected("correlation rule [" + rules.get(i) + "] matched more than one destination entry ("
                        + String.join("; ", matches.stream().map(DestinationEntry::name).toList()) + "); nothing was written");
            }
        }
    }

    /** Takes a destination entry found by correlation, unless another pipe or source entry holds it. */
    private void claim(Pipe pipe, SyncItem item, DestinationEntry found) {
        String id = item.change.sourceId();
        Optional<StateStore.Owner> owner = retry.call(pipe, "read who owns " + found.name(),
                () -> pipe.state().owner(pipes.writingWith(pipe), pipe.name(), id, found.id(), found.name()));
        if (owner.isEmpty()) {
            item.destination = found;
            return;
        }
        StateStore.Owner holder = owner.get();
        item.retryLater = true;
        item.decide(Outcome.FAILED, "the destination entry " + found.name() + " belongs to "
                + (holder.pipe().equals(pipe.name()) ? "this pipe's source entry " + holder.sourceId()
                : "pipe '" + holder.pipe() + "' (its source entry " + holder.sourceId() + ")")
                + "; nothing was written, tried again until it is let go");
    }

    /**
     * The link carries an intent: a crash came between a create, delete or rename and its outcome. What the
     * destination holds now tells which happened; the link becomes what is true, and the road goes on from there
     * (a delete that happened leaves the entry unlinked, so a source back in scope is created again).
     */
    private void resolveIntent(Pipe pipe, SyncItem item) {
        StateStore.EntryState link = item.link;
        StateStore.Intent intent = link.intent();
        item.intentResolved = true;
        DestinationEntry found = switch (intent.action()) {
            case CREATE -> created(pipe, item, intent);
            case DELETE -> read(pipe, link.destinationRef());
            case RENAME -> {
                DestinationEntry renamed = read(pipe, intent.ref());
                yield renamed != null ? renamed : read(pipe, link.destinationRef());
            }
        };
        if (found == null) {
            // created nothing, deleted what it meant to, or a renamed entry gone: nothing is linked (correlation may still find one)
            item.link = new StateStore.EntryState(link.sourceId(), null, null, StateStore.Status.REMOVED, null, link.updatedAt());
            return;
        }
        item.destination = found;
        item.link = new StateStore.EntryState(link.sourceId(), found.name(), found.id() != null ? found.id() : link.destinationId(),
                StateStore.Status.SYNCED, null, link.updatedAt());
    }

    /**
     * What an interrupted create wrote: the entry under the name it gave, or (a destination that names entries
     * itself) the one its correlation criteria find. An entry under that name that the criteria do not match is not
     * the create's (the create failed: the name was taken).
     */
    private DestinationEntry created(Pipe pipe, SyncItem item, StateStore.Intent intent) {
        List<Map<String, String>> criteria = intent.criteria() == null ? item.criteria : Intents.criteria(intent.criteria());
        DestinationEntry named = read(pipe, intent.ref());
        if (named != null) {
            return criteria.isEmpty() || criteria.stream().anyMatch(c -> CorrelationSearches.matches(named, c)) ? named : null;
        }
        for (Map<String, String> alternative : criteria) {
            List<DestinationEntry> matches = retry.call(pipe, "find what " + item.change.sourceId() + " created", () -> pipe.destination().find(alternative, 2))
                    .stream().filter(candidate -> CorrelationSearches.matches(candidate, alternative)).toList();
            if (matches.size() == 1) {
                return matches.get(0);
            }
        }
        return null;
    }

    private DestinationEntry read(Pipe pipe, String ref) {
        return ref == null ? null : retry.call(pipe, "read " + ref, () -> pipe.destination().read(ref)).orElse(null);
    }

    /** Plans the operation; a removal (delete, or disable at scope exit or delete) counts against the deletion guard. */
    public void plan(Exchange exchange) {
        SyncItem item = item(exchange);
        Pipe pipe = pipe(exchange);
        Planner.plan(item, pipe.mapping().syncClass(), pipe.destination().names(), pipe.destination().valueEquality());
        boolean removal = item.destination != null && (item.source == null || !item.inScope)
                && (item.outcome == Outcome.DELETED || item.outcome == Outcome.MODIFIED);
        if (removal) {
            run(exchange).removal(pipe.deletionGuard());
        }
    }

    /** Applies the plan, unless this is a dry run; a create, delete or rename notes its intent first. */
    public void deliver(Exchange exchange) {
        SyncItem item = item(exchange);
        if (item.plan == null || item.plan.action() == Plan.Action.NONE || item.outcome == Outcome.FAILED
                || item.outcome == Outcome.NOT_SYNCHRONIZED || run(exchange).dryRun) {
            return;
        }
        Pipe pipe = pipe(exchange);
        StateStore.Intent intent = Intents.of(item.plan, item.criteria);
        if (intent != null && !(item.createNoted && item.plan.action() == Plan.Action.CREATE)) {
            // committed before the write: whatever a crash cuts off after this, the replay can tell
            retry.run(pipe, "note the intent to " + item.plan.describe(), () -> pipe.state().recordIntent(pipe.name(), item.change.sourceId(), intent));
        }
        item.delivered = retry.call(pipe, item.plan.describe(), () -> pipe.destination().apply(item.plan));
    }

    private static String caveat(String members, String written) {
        return members == null ? written : written == null ? members : members + "; " + written;
    }

    /** Writes the outcome: link and status per entry, counters, the run report. */
    public void record(Exchange exchange) {
        SyncItem item = item(exchange);
        Pipe pipe = pipe(exchange);
        retry.run(pipe, "record the outcome of " + item.change.sourceId(), () -> record(exchange, item, pipe));
    }

    private void record(Exchange exchange, SyncItem item, Pipe pipe) {
        RunReport report = run(exchange).report;
        if (run(exchange).dryRun) {
            report.add(item);
            return;
        }
        String id = item.change.sourceId();
        StateStore state = pipe.state();
        boolean gone = item.source == null || !item.inScope;
        switch (item.outcome) {
            case CREATED, MODIFIED, NO_CHANGE -> {
                if (gone && item.outcome == Outcome.NO_CHANGE && item.plan != null && item.destination == null) {
                    state.recordRemoved(pipe.name(), id);
                    break;
                }
                String ref = item.delivered != null ? item.delivered.name() : item.plan.newRef() != null ? item.plan.newRef() : item.plan.ref();
                String destinationId = item.destination != null ? item.destination.id()
                        : item.delivered != null && item.delivered.id() != null ? item.delivered.id() : ref;
                String caveat = gone ? null : caveat(unsyncedMembers(pipe, item), item.delivered == null ? null : item.delivered.caveat());
                boolean unchanged = item.outcome == Outcome.NO_CHANGE && !item.intentResolved && item.link != null
                        && item.link.status() == StateStore.Status.SYNCED && ref.equals(item.link.destinationRef())
                        && item.link.inScope() == !gone && java.util.Objects.equals(item.link.reason(), caveat);
                if (!unchanged) {
                    state.recordSynced(pipe.name(), id, ref, destinationId, !gone, caveat);
                }
            }
            case DELETED -> state.recordRemoved(pipe.name(), id);
            case FAILED -> {
                // an entry that could not be read keeps the scope it had: it is still counted where it was
                boolean inScope = item.source == null ? item.link == null || item.link.inScope() : item.inScope;
                state.recordFailed(pipe.name(), id, item.reason, inScope);
                if (item.retryLater) {
                    state.requestRetry(pipe.name(), id, item.reason);
                } else {
                    state.retryFailed(pipe.name(), id, item.reason, pipe.retryFailedAttempts(), pipe.retryFailedInterval());
                }
            }
            case NOT_SYNCHRONIZED -> {
                boolean linked = item.link != null && item.link.destinationRef() != null;
                if (item.intentResolved) {
                    state.recordRemoved(pipe.name(), id);
                } else if (linked) {
                    // the account stays as it was, which may not be the source's: partly synced, and why
                    state.recordSynced(pipe.name(), id, item.link.destinationRef(), item.link.destinationId(), !gone, "not synchronized: " + item.reason);
                } else if (!gone) {
                    state.recordUnsynced(pipe.name(), id, item.reason);
                } else {
                    withdrawNotedCreate(state, pipe, item);
                }
            }
            case OUT_OF_SCOPE -> {
                if (item.intentResolved) {
                    state.recordRemoved(pipe.name(), id); // the intent is settled: nothing of it is at the destination
                } else {
                    withdrawNotedCreate(state, pipe, item);
                }
            }
        }
        boolean linked = item.outcome == Outcome.CREATED || item.outcome == Outcome.MODIFIED || item.outcome == Outcome.NO_CHANGE;
        if (linked && !gone && (item.link == null || item.link.status() != StateStore.Status.SYNCED || item.link.destinationId() == null)) {
            // newly provisioned: the group pipes taking their members from this one add it to its groups
            for (Pipe groups : pipes.takingMembersFrom(pipe.name())) {
                state.requestMemberRefresh(groups.name(), id);
            }
        }
        StateStore.AuditRecord audited = AuditTrail.of(pipe, item);
        if (audited != null) {
            AuditTrail.write(state, audited);
        }
        pipe.counters().count(item.outcome);
        if (report != null) {
            report.add(item);
        }
        if (item.outcome == Outcome.CREATED || item.outcome == Outcome.MODIFIED || item.outcome == Outcome.DELETED) {
            pipe.lastSync = Instant.now();
        }
        if (item.change.kind() != Change.Kind.SCAN && item.change.at() != null && item.outcome != Outcome.FAILED) {
            // how long the change took from its source to its outcome here (a scan's entries have no change time)
            pipe.changeLag = java.time.Duration.between(item.change.at(), Instant.now());
        }
        logOutcome(pipe, item);
    }

    /** The scan noted a create this entry did not make: its state goes back to what it was. */
    private static void withdrawNotedCreate(StateStore state, Pipe pipe, SyncItem item) {
        if (item.createNoted) {
            state.withdrawIntent(pipe.name(), item.change.sourceId(), item.link);
        }
    }

    /**
     * A transient failure that outlived its retries is not the entry's: rethrown, it stops the batch and the
     * checkpoint stays, so the next poll replays the batch.
     */
    public void stopBatch(Exchange exchange) throws Exception {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        throw cause != null ? cause : new SystemUnavailable("the batch stopped");
    }

    /** An entry that failed for good: its reason is recorded and the road goes on with the next one. */
    public void failed(Exchange exchange) {
        SyncItem item = item(exchange);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = cause == null ? "unknown error" : cause instanceof EntryRejected || cause instanceof MappingException
                ? cause.getMessage() : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        item.outcome = null;
        item.decide(Outcome.FAILED, reason);
        record(exchange);
    }

    // --- full runs: reconciliation and resync ---------------------------------------------------------

    /** The pipe's scheduled reconciliation ({@code idsync.pipes.<pipe>.reconcile-cron}); the pipe is the exchange's. */
    public void startReconciliation(Exchange exchange) {
        Pipe pipe = pipe(exchange);
        if (!holds(pipe)) {
            skipRun(exchange); // the holder reconciles on its own schedule
            return;
        }
        beginReconciliation(exchange, pipe, 0);
    }

    /**
     * Whether this instance holds the pipe now. Taking it (again) reloads what the previous holder saved with its
     * last checkpoint (the counters); the checkpoint itself is read by each poll.
     */
    private boolean holds(Pipe pipe) {
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
    private void requireHeld(Pipe pipe) {
        if (!holds(pipe)) {
            throw new PipeBusy("pipe '" + pipe.name() + "' runs on instance " + leases.holder(pipe.name()).map(Leases.Holder::instance)
                    .orElse("(none yet: its holder stopped, another instance takes it within the lease)") + ", not on " + leases.instance()
                    + "; ask that instance");
        }
    }

    /**
     * Starts a reconciliation: every entry the pipe has linked goes down the road again, read afresh from the
     * source. One that is gone gets the delete action, one out of scope the scope-exit action: the deletes and
     * scope exits that change detection cannot see (no changelog, or changes missed).
     *
     * @throws PipeBusy when the deletion guard holds the pipe, or another run still does after {@code waitMillis}
     */
    public void beginReconciliation(Exchange exchange, Pipe pipe, long waitMillis) {
        requireHeld(pipe);
        if (pipe.deletionGuard().tripped() != null) {
            throw new PipeBusy("pipe '" + pipe.name() + "' is held by its deletion guard: " + pipe.deletionGuard().tripped());
        }
        if (!pipe.tryAcquire("reconciliation", waitMillis)) {
            throw new PipeBusy("pipe '" + pipe.name() + "' is still busy (" + pipe.activity() + "); try again when it is idle");
        }
        exchange.getExchangeExtension().addOnCompletion(release(pipe));
        exchange.setProperty(PIPE, pipe.name());
        exchange.setProperty(Run.PROPERTY, Run.of(pipe, new RunReport(pipe.name(), "reconciliation", false), false));
        LOG.infof("%s: reconciliation of the linked entries started", pipe.name());
        AuditTrail.note(pipe, "reconciliation-started", "started", null);
        exchange.getIn().setBody(feeds.linked(pipe));
    }

    /**
     * Starts the deprovisioning of a retired pipe ({@code deprovision-on-rule-deletion}): every entry it linked goes
     * down the road out of scope, so it gets the remove action (disable or delete, as its mapping says), counted by
     * its deletion guard like any removal: past the guard's limit the run stops until an operator confirms.
     *
     * @throws PipeBusy when the pipe is not retired, the deletion guard holds it, or another run still does
     */
    public void beginDeprovisioning(Exchange exchange, Pipe pipe, long waitMillis) {
        requireHeld(pipe);
        if (!pipe.retired()) {
            throw new PipeBusy("pipe '" + pipe.name() + "' is running: deprovisioning is for a rule switched off"
                    + " (idsync.pipes." + pipe.name() + ".enabled=false with deprovision-on-rule-deletion=true)");
        }
        if (pipe.deletionGuard().tripped() != null) {
            throw new PipeBusy("pipe '" + pipe.name() + "' is held by its deletion guard: " + pipe.deletionGuard().tripped());
        }
        if (!pipe.tryAcquire("deprovisioning", waitMillis)) {
            throw new PipeBusy("pipe '" + pipe.name() + "' is still busy (" + pipe.activity() + "); try again when it is idle");
        }
        exchange.getExchangeExtension().addOnCompletion(release(pipe));
        try {
            // the pipe's road is stopped with the rest of its routes (enabled=false); its poll stays stopped
            if (!exchange.getContext().getRouteController().getRouteStatus(pipe.name()).isStarted()) {
                exchange.getContext().getRouteController().startRoute(pipe.name());
            }
        } catch (Exception e) {
            throw new IllegalStateException("the road of pipe '" + pipe.name() + "' cannot be started: " + e.getMessage(), e);
        }
        exchange.setProperty(PIPE, pipe.name());
        exchange.setProperty(Run.PROPERTY, Run.of(pipe, new RunReport(pipe.name(), "deprovisioning", false), false));
        LOG.warnf("%s: deprovisioning the entries of a rule switched off (deprovision-on-rule-deletion)", pipe.name());
        AuditTrail.note(pipe, "deprovisioning-started", "started", "deprovision-on-rule-deletion");
        exchange.getIn().setBody(feeds.linked(pipe));
    }

    /**
     * Starts a full scan of the pipe's source down the road; a dry run only reports.
     *
     * @throws PipeBusy when another run still holds the pipe after {@code waitMillis}, or (unless a dry run) the
     *                  deletion guard does
     */
    public void beginResync(Exchange exchange, Pipe pipe, boolean dryRun, long waitMillis) {
        requireHeld(pipe);
        if (!pipe.tryAcquire(dryRun ? "resync (dry run)" : "resync", waitMillis)) {
            throw new PipeBusy("pipe '" + pipe.name() + "' is still busy (" + pipe.activity() + ") after "
                    + waitMillis / 1000 + " s; try again when it is idle");
        }
        exchange.getExchangeExtension().addOnCompletion(release(pipe));
        if (pipe.deletionGuard().tripped() != null && !dryRun) {
            throw new PipeBusy("pipe '" + pipe.name() + "' is held by its deletion guard: " + pipe.deletionGuard().tripped());
        }
        exchange.setProperty(PIPE, pipe.name());
        exchange.setProperty(Run.PROPERTY, Run.of(pipe, new RunReport(pipe.name(), "resync", dryRun), dryRun));
        LOG.infof("%s: resync started%s", pipe.name(), dryRun ? " (dry run: nothing will be written)" : "");
        AuditTrail.note(pipe, dryRun ? "resync-dry-run-started" : "resync-started", "started", null);
        exchange.getIn().setBody(feeds.scan(pipe, dryRun));
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
        Pipe pipe = pipe(exchange);
        String why = cause == null ? "stopped" : rootMessage(cause);
        run.report.failed(why);
        pipe.lastRun = run.report;
        LOG.warnf("%s: %s %s stopped: %s", pipe.name(), run.report.kind(), run.report.id(), why);
        AuditTrail.note(pipe, run.report.kind().replace(' ', '-') + (run.report.cancelled() ? "-cancelled" : "-stopped"),
                run.report.cancelled() ? "cancelled" : "failed", why);
    }

    /** Ends a reconciliation or a resync; the body becomes its report. */
    public void finishRun(Exchange exchange) {
        Pipe pipe = pipe(exchange);
        RunReport report = run(exchange).report;
        report.finish(null);
        if (!report.dryRun()) {
            pipe.deletionGuard().runFinished();
            pipe.lastRun = report;
            pipe.state().saveCounters(pipe.name(), pipe.counters().snapshot());
        }
        LOG.infof("%s: %s finished: %s", pipe.name(), report.kind(), report.summary());
        AuditTrail.note(pipe, report.kind().replace(' ', '-').replace("(", "").replace(")", "") + "-finished", "succeeded", report.summary());
        exchange.getIn().setBody(report.toMap());
    }

    // --- helpers -------------------------------------------------------------------------------------

    /** For a group: why it is not fully synced, when some of its members are not synchronized by its members-from pipe. */
    private static String unsyncedMembers(Pipe pipe, SyncItem item) {
        if (pipe.membersFrom() == null || item.source == null) {
            return null;
        }
        int members = item.source.document().path(SourceEntry.MEMBER_IDS).size();
        int provisioned = item.source.document().path(PROVISIONED_MEMBERS).size();
        return provisioned >= members ? null : (members - provisioned) + " of its " + members + " members are not synchronized by pipe '"
                + pipe.membersFrom() + "' (out of its scope, failed, or not provisioned yet)";
    }

    private static void logOutcome(Pipe pipe, SyncItem item) {
        boolean quiet = item.outcome == Outcome.NO_CHANGE || item.outcome == Outcome.OUT_OF_SCOPE
                || (item.change.kind() == Change.Kind.SCAN && item.outcome != Outcome.FAILED);
        Logger.Level level = item.outcome == Outcome.FAILED ? Logger.Level.WARN : quiet ? Logger.Level.DEBUG : Logger.Level.INFO;
        if (!SYNC_LOG.isEnabled(level)) {
            return; // a full scan of a large directory logs nothing per entry unless asked to
        }
        String what = item.plan != null && item.outcome != Outcome.FAILED ? item.plan.describe() : "";
        SYNC_LOG.logf(level, "%s %s %s %s%s", pipe.name(), item.outcome.counter(), item.change.sourceId(), what,
                item.reason == null ? "" : " (" + item.reason + ")");
    }

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

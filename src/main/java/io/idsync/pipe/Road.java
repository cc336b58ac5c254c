package io.idsync.pipe;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.idsync.connector.Change;
import io.idsync.connector.ChangeBatch;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.PermanentFailure;
import io.idsync.connector.Plan;
import io.idsync.connector.SourceEntry;
import io.idsync.mapping.CorrelationRule;
import io.idsync.state.StateStore;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The road every change walks, one method per step, called by the pipes' YAML routes:
 * <pre>poll → scope → enrich → map → correlate → plan → deliver → record → checkpoint</pre>
 * {@code poll} and {@code checkpoint} run once per batch; the steps between run once per change, on a
 * {@link SyncItem}. A full scan (initial load, resync) is the same road fed by the source's paged scan.
 * The pipe is named by the exchange property {@value #PIPE}.
 */
public final class Road {

    public static final String PIPE = "idsyncPipe";
    public static final String NEXT_TOKEN = "idsyncNextToken";
    public static final String REPORT = "idsyncReport";
    public static final String DRY_RUN = "idsyncDryRun";
    public static final String SKIP_CHECKPOINT = "idsyncSkipCheckpoint";
    /** the run's removal count and limit, for the deletion guard */
    public static final String REMOVALS = "idsyncRemovals";
    public static final String REMOVAL_LIMIT = "idsyncRemovalLimit";
    public static final String LINKED = "idsyncLinked";
    /** the ids of the member refreshes a batch applies: done at its checkpoint */
    public static final String MEMBER_REFRESHES = "idsyncMemberRefreshes";
    /** in a group's document: the destination ids of its members that the members-from pipe provisioned */
    public static final String PROVISIONED_MEMBERS = "provisionedMembers";

    /** Entries a scan reads ahead to look their links up together; bounds the scan's memory too. */
    private static final int SCAN_PAGE = 500;

    /** How long a resync request waits for the poll in progress to finish. */
    private static final long RESYNC_WAIT_MILLIS = 30_000;

    private static final Logger SYNC_LOG = Logger.getLogger("io.idsync.sync");
    private static final Logger LOG = Logger.getLogger(Road.class);

    /** An HTTP API request that cannot be served: the API answers {@code status} with this message. */
    public static final class ApiProblem extends RuntimeException {
        private final int status;

        public ApiProblem(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Pipes pipes;
    private final Retry retry;

    public Road(Pipes pipes, Retry retry) {
        this.pipes = pipes;
        this.retry = retry;
    }

    // --- once per batch ------------------------------------------------------------------------------

    /**
     * The changes after the pipe's checkpoint, coalesced per entry (one read of the current entry covers
     * every change to it in the batch). A pipe without a checkpoint does its initial load instead: it notes
     * the feed's position first, then scans every in-scope entry.
     */
    public void poll(Exchange exchange) {
        Pipe pipe = pipe(exchange);
        if (!pipe.tryAcquire("polling")) {
            exchange.setProperty(SKIP_CHECKPOINT, true);
            exchange.getIn().setBody(Collections.emptyIterator());
            return;
        }
        exchange.getExchangeExtension().addOnCompletion(release(pipe));
        if (pipe.deletionGuard().tripped() != null) {
            // held by the deletion guard until an operator confirms: the checkpoint stays, nothing is read
            exchange.setProperty(SKIP_CHECKPOINT, true);
            exchange.getIn().setBody(Collections.emptyIterator());
            return;
        }
        armDeletionGuard(exchange, pipe);
        Optional<String> checkpoint = pipe.state().checkpoint(pipe.name());
        if (checkpoint.isEmpty()) {
            pipe.activity = "initial load";
            String start = pipe.changes().currentToken();
            RunReport report = new RunReport(pipe.name(), "initial load", false);
            exchange.setProperty(REPORT, report);
            exchange.setProperty(NEXT_TOKEN, start);
            LOG.infof("%s: no checkpoint yet, initial load of every in-scope entry; the change feed follows from %s", pipe.name(), start);
            exchange.getIn().setBody(scan(pipe));
            return;
        }
        ChangeBatch batch = pipe.changes().changesSince(checkpoint.get());
        List<Change> changes = new ArrayList<>(batch.changes());
        if (pipe.membersFrom() != null) {
            // users the members-from pipe newly provisioned: their groups are synchronized again
            List<StateStore.MemberRefresh> refreshes = pipe.state().memberRefreshes(pipe.name(), SCAN_PAGE);
            for (StateStore.MemberRefresh refresh : refreshes) {
                changes.addAll(pipe.changes().changesForMember(refresh.memberId()));
            }
            if (!refreshes.isEmpty()) {
                exchange.setProperty(MEMBER_REFRESHES, refreshes.stream().map(StateStore.MemberRefresh::id).toList());
            }
        }
        pipe.counters().seen(changes.size());
        exchange.setProperty(NEXT_TOKEN, batch.nextToken());
        List<SyncItem> items = coalesce(changes).stream().map(SyncItem::new).toList();
        exchange.getIn().setBody(items.iterator());
    }

    /** Saves the batch's token and the counters: reached only when every change was recorded. */
    public void checkpoint(Exchange exchange) {
        Pipe pipe = pipe(exchange);
        pipe.lastPoll = Instant.now();
        if (Boolean.TRUE.equals(exchange.getProperty(SKIP_CHECKPOINT, Boolean.class))) {
            return;
        }
        String token = exchange.getProperty(NEXT_TOKEN, String.class);
        pipe.state().saveCheckpoint(pipe.name(), token, pipe.counters().snapshot());
        @SuppressWarnings("unchecked")
        List<Long> refreshes = exchange.getProperty(MEMBER_REFRESHES, List.class);
        if (refreshes != null) {
            pipe.state().memberRefreshesDone(pipe.name(), refreshes);
        }
        pipe.deletionGuard().runFinished();
        pipe.lastError = null;
        RunReport report = exchange.getProperty(REPORT, RunReport.class);
        if (report != null) {
            report.finish(null);
            pipe.lastRun = report;
            LOG.infof("%s: initial load done: %s", pipe.name(), report.summary());
        }
    }

    /** A batch that could not finish: the checkpoint stays, the next poll replays it. */
    public void batchFailed(Exchange exchange) {
        Pipe pipe = pipe(exchange);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        pipe.lastError = cause == null ? "unknown error" : rootMessage(cause);
        try {
            pipe.state().flush(); // the outcomes recorded before the stop show in the status
        } catch (RuntimeException e) {
            LOG.debugf("%s: outcomes not written yet: %s", pipe.name(), e.getMessage());
        }
        LOG.warnf("%s: the batch stopped and will be replayed from the same checkpoint: %s", pipe.name(), pipe.lastError);
    }

    // --- once per change -----------------------------------------------------------------------------

    /** Change-level scope: the entry type this pipe synchronizes, and the actors it ignores. */
    public void scope(Exchange exchange) {
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
                : retry.call("read " + item.change.sourceId(), () -> pipe.reader().read(item.change.sourceId())).orElse(null);
        item.inScope = item.source != null && pipe.reader().inScope(item.source);
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
                : retry.call("read the members' links", () -> pipe.state().entries(pipe.membersFrom(), memberIds));
        com.fasterxml.jackson.databind.node.ArrayNode provisioned = ((com.fasterxml.jackson.databind.node.ObjectNode) group.document())
                .putArray(PROVISIONED_MEMBERS);
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

    /** The link from an earlier run first, then the correlation rules in order; several matches fail the change. */
    public void correlate(Exchange exchange) {
        SyncItem item = item(exchange);
        if (item.decided()) {
            return;
        }
        Pipe pipe = pipe(exchange);
        if (!item.linkLoaded) {
            item.link = retry.call("read the link of " + item.change.sourceId(),
                    () -> pipe.state().entry(pipe.name(), item.change.sourceId())).orElse(null);
        }
        if (item.link != null && item.link.destinationRef() != null) {
            String ref = item.link.destinationRef();
            item.destination = retry.call("read " + ref, () -> pipe.destination().read(ref)).orElse(null);
            if (item.destination != null) {
                return;
            }
        }
        // every applicable rule in one search (shared with other workers'), then the rules in their order over the candidates
        List<CorrelationRule> rules = new ArrayList<>();
        List<Map<String, String>> alternatives = new ArrayList<>();
        for (CorrelationRule rule : pipe.mapping().correlation()) {
            rule.criteria(item.mapped).ifPresent(criteria -> {
                rules.add(rule);
                alternatives.add(criteria);
            });
        }
        if (alternatives.isEmpty()) {
            return;
        }
        int limit = 2 * alternatives.size() + 1;
        List<DestinationEntry> candidates = retry.call("correlate " + item.change.sourceId(),
                () -> pipe.correlationSearches().findAny(alternatives, limit));
        boolean truncated = candidates.size() >= limit;
        for (int i = 0; i < rules.size(); i++) {
            Map<String, String> criteria = alternatives.get(i);
            List<DestinationEntry> matches = truncated
                    ? retry.call("correlate " + item.change.sourceId(), () -> pipe.destination().find(criteria, 2))
                    : candidates.stream().filter(candidate -> CorrelationSearches.matches(candidate, criteria)).toList();
            if (matches.size() == 1) {
                item.destination = matches.get(0);
                return;
            }
            if (matches.size() > 1) {
                throw new PermanentFailure("correlation rule [" + rules.get(i) + "] matched more than one destination entry ("
                        + String.join("; ", matches.stream().map(DestinationEntry::name).toList()) + "); nothing was written");
            }
        }
    }

    /** Plans the operation; a removal (delete, or disable at scope exit or delete) counts against the deletion guard. */
    public void plan(Exchange exchange) {
        SyncItem item = item(exchange);
        Pipe pipe = pipe(exchange);
        Planner.plan(item, pipe.mapping().syncClass(), pipe.destination().names());
        boolean removal = item.destination != null && (item.source == null || !item.inScope)
                && (item.outcome == Outcome.DELETED || item.outcome == Outcome.MODIFIED);
        java.util.concurrent.atomic.AtomicInteger removals = exchange.getProperty(REMOVALS, java.util.concurrent.atomic.AtomicInteger.class);
        if (removal && removals != null && !dryRun(exchange)) {
            pipe.deletionGuard().removal(removals, exchange.getProperty(REMOVAL_LIMIT, Integer.class), exchange.getProperty(LINKED, Long.class));
        }
    }

    /** An operator confirms the removals the deletion guard stopped: the next run may make them. */
    public java.util.Map<String, Object> confirmDeletions(Exchange exchange) {
        Pipe pipe = requestedPipe(pipes, exchange);
        String name = pipe.name();
        String reason = pipe.deletionGuard().tripped();
        pipe.deletionGuard().confirm();
        LOG.warnf("%s: deletions confirmed by an operator%s", name, reason == null ? "" : " (" + reason + ")");
        java.util.Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("pipe", name);
        answer.put("confirmed", true);
        answer.put("wasHeldBecause", reason);
        return answer;
    }

    private static void armDeletionGuard(Exchange exchange, Pipe pipe) {
        long linked = pipe.state().count(pipe.name(), StateStore.Status.SYNCED);
        exchange.setProperty(REMOVALS, new java.util.concurrent.atomic.AtomicInteger());
        exchange.setProperty(REMOVAL_LIMIT, pipe.deletionGuard().limitFor(linked));
        exchange.setProperty(LINKED, linked);
    }

    /** Applies the plan, unless this is a dry run. */
    public void deliver(Exchange exchange) {
        SyncItem item = item(exchange);
        if (item.plan == null || item.plan.action() == Plan.Action.NONE || item.outcome == Outcome.FAILED
                || item.outcome == Outcome.NOT_SYNCHRONIZED || dryRun(exchange)) {
            return;
        }
        Pipe pipe = pipe(exchange);
        item.delivered = retry.call(item.plan.describe(), () -> pipe.destination().apply(item.plan));
    }

    /** Writes the outcome: link and status per entry, counters, the run report. */
    public void record(Exchange exchange) {
        SyncItem item = item(exchange);
        Pipe pipe = pipe(exchange);
        retry.run("record the outcome of " + item.change.sourceId(), () -> record(exchange, item, pipe));
    }

    private void record(Exchange exchange, SyncItem item, Pipe pipe) {
        RunReport report = exchange.getProperty(REPORT, RunReport.class);
        if (dryRun(exchange)) {
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
                boolean unchanged = item.outcome == Outcome.NO_CHANGE && item.link != null && item.link.status() == StateStore.Status.SYNCED
                        && ref.equals(item.link.destinationRef());
                if (!unchanged) {
                    state.recordSynced(pipe.name(), id, ref, destinationId);
                }
            }
            case DELETED -> state.recordRemoved(pipe.name(), id);
            case FAILED -> state.recordFailed(pipe.name(), id, item.reason);
            case OUT_OF_SCOPE, NOT_SYNCHRONIZED -> {
            }
        }
        boolean linked = item.outcome == Outcome.CREATED || item.outcome == Outcome.MODIFIED || item.outcome == Outcome.NO_CHANGE;
        if (linked && !gone && (item.link == null || item.link.status() != StateStore.Status.SYNCED || item.link.destinationId() == null)) {
            // newly provisioned: the group pipes taking their members from this one add it to its groups
            for (Pipe groups : pipes.takingMembersFrom(pipe.name())) {
                state.requestMemberRefresh(groups.name(), id);
            }
        }
        pipe.counters().count(item.outcome);
        if (report != null) {
            report.add(item);
        }
        if (item.outcome == Outcome.CREATED || item.outcome == Outcome.MODIFIED || item.outcome == Outcome.DELETED) {
            pipe.lastSync = Instant.now();
        }
        logOutcome(pipe, item);
    }

    /**
     * A transient failure that outlived its retries is not the entry's: rethrown, it stops the batch and the
     * checkpoint stays, so the next poll replays the batch.
     */
    public void stopBatch(Exchange exchange) throws Exception {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        throw cause != null ? cause : new io.idsync.connector.TransientFailure("the batch stopped");
    }

    /** An entry that failed for good: its reason is recorded and the road goes on with the next one. */
    public void failed(Exchange exchange) {
        SyncItem item = item(exchange);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = cause == null ? "unknown error" : cause instanceof PermanentFailure || cause instanceof io.idsync.mapping.MappingException
                ? cause.getMessage() : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        item.outcome = null;
        item.decide(Outcome.FAILED, reason);
        record(exchange);
    }

    // --- resync through the HTTP API -----------------------------------------------------------------

    /**
     * Starts a reconciliation: every entry the pipe has linked goes down the road again, read afresh from the
     * source. One that is gone gets the delete action, one out of scope the scope-exit action: the deletes and
     * scope exits that change detection cannot see (no changelog, or changes missed). Triggered by the pipe's
     * cron ({@code idsync.pipes.<pipe>.reconcile-cron}) or {@code POST /api/pipes/{pipe}/reconcile}.
     */
    public void startReconciliation(Exchange exchange) {
        Pipe pipe = exchange.getProperty(PIPE) != null ? pipe(exchange) : requestedPipe(pipes, exchange);
        if (pipe.deletionGuard().tripped() != null) {
            throw new ApiProblem(409, "pipe '" + pipe.name() + "' is held by its deletion guard: " + pipe.deletionGuard().tripped());
        }
        if (!pipe.tryAcquire("reconciliation", RESYNC_WAIT_MILLIS)) {
            throw new ApiProblem(409, "pipe '" + pipe.name() + "' is still busy (" + pipe.activity() + "); try again when it is idle");
        }
        exchange.getExchangeExtension().addOnCompletion(release(pipe));
        exchange.setProperty(PIPE, pipe.name());
        exchange.setProperty(REPORT, new RunReport(pipe.name(), "reconciliation", false));
        armDeletionGuard(exchange, pipe);
        LOG.infof("%s: reconciliation of the linked entries started", pipe.name());
        exchange.getIn().setBody(linked(pipe));
    }

    /** The linked entries, a page at a time from the state store, as SCAN changes read afresh from the source. */
    private Iterator<SyncItem> linked(Pipe pipe) {
        return new Iterator<>() {
            private Iterator<String> page = Collections.emptyIterator();
            private String last = "";
            private boolean done;

            @Override
            public boolean hasNext() {
                if (!page.hasNext() && !done) {
                    List<String> ids = retry.call("read the links", () -> pipe.state().linkedIds(pipe.name(), last, SCAN_PAGE));
                    done = ids.size() < SCAN_PAGE;
                    if (!ids.isEmpty()) {
                        last = ids.get(ids.size() - 1);
                    }
                    page = ids.iterator();
                }
                return page.hasNext();
            }

            @Override
            public SyncItem next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return new SyncItem(new Change(page.next(), pipe.entryType(), Change.Kind.SCAN, Instant.now(), Set.of(), null));
            }
        };
    }

    /** The pipe an HTTP request names in its {@code {pipe}} path parameter; an unknown name answers 404. */
    public static Pipe requestedPipe(Pipes pipes, Exchange exchange) {
        try {
            return pipes.get(exchange.getIn().getHeader("pipe", String.class));
        } catch (Pipes.UnknownPipe e) {
            throw new ApiProblem(404, e.getMessage());
        }
    }

    /** Starts a full scan of the pipe's source down the road; {@code dryRun} only reports. */
    public void startResync(Exchange exchange) {
        Pipe pipe = requestedPipe(pipes, exchange);
        String name = pipe.name();
        boolean dryRun = Boolean.parseBoolean(exchange.getIn().getHeader("dryRun", "false", String.class));
        if (!pipe.tryAcquire(dryRun ? "resync (dry run)" : "resync", RESYNC_WAIT_MILLIS)) {
            throw new ApiProblem(409, "pipe '" + name + "' is still busy (" + pipe.activity() + ") after "
                    + RESYNC_WAIT_MILLIS / 1000 + " s; try again when it is idle");
        }
        exchange.getExchangeExtension().addOnCompletion(release(pipe));
        exchange.setProperty(PIPE, name);
        exchange.setProperty(DRY_RUN, dryRun);
        exchange.setProperty(REPORT, new RunReport(name, "resync", dryRun));
        if (pipe.deletionGuard().tripped() != null && !dryRun) {
            throw new ApiProblem(409, "pipe '" + name + "' is held by its deletion guard: " + pipe.deletionGuard().tripped());
        }
        armDeletionGuard(exchange, pipe);
        LOG.infof("%s: resync started%s", name, dryRun ? " (dry run: nothing will be written)" : "");
        exchange.getIn().setBody(scan(pipe));
    }

    public void finishRun(Exchange exchange) {
        Pipe pipe = pipe(exchange);
        RunReport report = exchange.getProperty(REPORT, RunReport.class);
        report.finish(null);
        if (!report.dryRun()) {
            pipe.deletionGuard().runFinished();
            pipe.lastRun = report;
            pipe.state().saveCounters(pipe.name(), pipe.counters().snapshot());
        }
        LOG.infof("%s: %s finished: %s", pipe.name(), report.kind(), report.summary());
        exchange.getIn().setBody(report.toMap());
    }

    // --- helpers -------------------------------------------------------------------------------------

    /**
     * The source's scan as items, a page at a time: each page's links are looked up in one query. A pipe
     * that has never recorded an entry (its first load) has no links to look up, and skips those queries.
     */
    private Iterator<SyncItem> scan(Pipe pipe) {
        // asked once, before the scan records anything: an entry the source lists twice is found the second
        // time by correlation, as it would be by its link
        boolean linksExist = retry.call("read whether any link exists", () -> pipe.state().hasEntries(pipe.name()));
        Iterator<SourceEntry> entries = pipe.reader().scan();
        return new Iterator<>() {
            private Iterator<SyncItem> page = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                if (!page.hasNext() && entries.hasNext()) {
                    List<SyncItem> items = new ArrayList<>(SCAN_PAGE);
                    while (items.size() < SCAN_PAGE && entries.hasNext()) {
                        items.add(new SyncItem(Change.scanned(entries.next(), pipe.entryType())));
                    }
                    Map<String, StateStore.EntryState> links = !linksExist ? Map.of() : retry.call("read the links of a page",
                            () -> pipe.state().entries(pipe.name(), items.stream().map(i -> i.change.sourceId()).toList()));
                    for (SyncItem item : items) {
                        item.link = links.get(item.change.sourceId());
                        item.linkLoaded = true;
                    }
                    page = items.iterator();
                }
                return page.hasNext();
            }

            @Override
            public SyncItem next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return page.next();
            }
        };
    }

    /** One change per entry, in the order of each entry's last change; kinds and actors merged. */
    static Collection<Change> coalesce(List<Change> changes) {
        Map<String, Change> byEntry = new LinkedHashMap<>();
        for (Change change : changes) {
            String key = change.entryType() + "/" + change.sourceId();
            Change earlier = byEntry.remove(key);
            if (earlier == null) {
                byEntry.put(key, change);
                continue;
            }
            Change.Kind kind = change.kind() == Change.Kind.DELETE ? Change.Kind.DELETE
                    : earlier.kind() == Change.Kind.CREATE || change.kind() == Change.Kind.CREATE ? Change.Kind.CREATE : Change.Kind.MODIFY;
            Set<String> actors = new LinkedHashSet<>(earlier.actors());
            actors.addAll(change.actors());
            byEntry.put(key, new Change(change.sourceId(), change.entryType(), kind, change.at(), actors, null));
        }
        return new ArrayList<>(byEntry.values());
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

    private static boolean dryRun(Exchange exchange) {
        return Boolean.TRUE.equals(exchange.getProperty(DRY_RUN, Boolean.class));
    }
}

package io.idsync.pipe;

import io.idsync.connector.Change;
import io.idsync.connector.ChangeSource;
import io.idsync.connector.Destination;
import io.idsync.connector.EntryType;
import io.idsync.connector.SourceReader;
import io.idsync.mapping.PipeMapping;
import io.idsync.state.StateStore;

import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One pipe at run time: its source (change detection and reading), its destination, its mapping, its
 * state, counters and what the status API shows. The road's steps get it by name from {@link Pipes}.
 */
public final class Pipe implements Retry.Watcher {

    private final String name;
    private final ChangeSource changes;
    private final SourceReader reader;
    private final Destination destination;
    private final PipeMapping mapping;
    private final StateStore state;
    private final PipeCounters counters;
    /** the lease token this instance last ran the pipe with (0: never) */
    private long heldWith;
    private final Semaphore busy = new Semaphore(1);
    private final EntryType entryType;
    private final DeletionGuard deletionGuard;
    private final CorrelationSearches correlationSearches;
    /** a group pipe: the user pipe whose linked users are its groups' members (null: members are not synchronized) */
    private volatile String membersFrom;
    /** the destination connection and entry type: pipes with the same one share the entries, each owning its own */
    private volatile String writesTo;

    // what the pipe's status says of its activity: written only through the methods under "activity" below
    private volatile Instant lastPoll;
    private volatile Instant lastSync;
    volatile String lastError;
    private volatile Instant failingSince;
    private volatile RunReport lastRun;
    private volatile String activity = "idle";

    public Pipe(String name, EntryType entryType, ChangeSource changes, SourceReader reader, Destination destination,
                PipeMapping mapping, StateStore state) {
        this(name, entryType, changes, reader, destination, mapping, state, DeletionGuard.defaults());
    }

    public Pipe(String name, EntryType entryType, ChangeSource changes, SourceReader reader, Destination destination,
                PipeMapping mapping, StateStore state, DeletionGuard deletionGuard) {
        this.deletionGuard = deletionGuard;
        this.name = name;
        this.entryType = entryType;
        this.changes = changes;
        this.reader = reader;
        this.destination = destination;
        this.mapping = mapping;
        this.state = state;
        this.counters = new PipeCounters(state.counters(name));
        this.correlationSearches = new CorrelationSearches(destination);
    }

    public String name() {
        return name;
    }

    /**
     * Marks a pipe switched off whose rule deprovisions on deletion: it never polls, and every entry a run takes down
     * the road is out of its scope, so it gets the remove action.
     */
    public Pipe retired(boolean retired) {
        this.retired = retired;
        return this;
    }

    public boolean retired() {
        return retired;
    }

    /** How long the last poll took, from reading the feed to the checkpoint; null before the first. */
    public java.time.Duration pollDuration() {
        return pollDuration;
    }

    /** How long the newest change applied took from its source (its recorded time) to its outcome; null before one. */
    public java.time.Duration changeLag() {
        return changeLag;
    }

    /** The full run of this id: the one in progress or the last one; null when neither is. */
    public RunReport run(String id) {
        RunReport current = running;
        if (current != null && current.id().equals(id)) {
            return current;
        }
        RunReport last = lastRun;
        return last != null && last.id().equals(id) ? last : null;
    }

    /** The full run in progress, or null. */
    public RunReport running() {
        RunReport run = running;
        return run == null || run.finished() ? null : run;
    }

    /** What the pipe does with a failed entry, per category ({@code failure-policy.<category>}); unnamed: retry. */
    public Pipe failurePolicies(java.util.Map<io.idsync.connector.FailureCategory, FailurePolicy> policies) {
        java.util.Map<io.idsync.connector.FailureCategory, FailurePolicy> all = FailurePolicy.defaults();
        all.putAll(policies);
        this.failurePolicies = all;
        return this;
    }

    public FailurePolicy failurePolicy(io.idsync.connector.FailureCategory category) {
        return failurePolicies.get(category);
    }

    /** How many times a failed entry is retried in the background (with backoff) before it waits for an operator. */
    public Pipe retryFailedAttempts(int attempts) {
        this.retryFailedAttempts = attempts;
        return this;
    }

    public int retryFailedAttempts() {
        return retryFailedAttempts;
    }

    /** The first background retry's delay; each next one doubles it (at most 5 min). */
    public Pipe retryFailedInterval(java.time.Duration interval) {
        this.retryFailedInterval = interval;
        return this;
    }

    /** How soon a change should reach the destination: a breach is a warning on the card and in /q/health; null: none. */
    public Pipe latencyObjective(java.time.Duration objective) {
        this.latencyObjective = objective;
        return this;
    }

    public java.time.Duration latencyObjective() {
        return latencyObjective;
    }

    /** Who hears each change's latency, from its time at the source to its outcome (the metrics' histogram). */
    public void onChangeLatency(java.util.function.Consumer<java.time.Duration> listener) {
        this.latencies = listener;
    }

    public java.time.Duration retryFailedInterval() {
        return retryFailedInterval;
    }

    /** Makes this a group pipe whose members are the users {@code userPipe} provisioned. */
    public Pipe membersFrom(String userPipe) {
        this.membersFrom = userPipe;
        return this;
    }

    public String membersFrom() {
        return membersFrom;
    }

    /** the mapping's check against the destination's schema, when it could not be made at start (null: made) */
    private volatile java.util.function.Supplier<java.util.Optional<java.util.List<String>>> fitCheck;
    private volatile java.util.List<String> misfits = java.util.List.of();
    private volatile boolean retired;
    /** the full run (initial load, resync, reconciliation, deprovisioning) in progress or last started */
    private volatile RunReport running;
    /** when the poll in progress (or the last one) started, how long the last one took, and the last change's lag */
    private volatile Instant lastPollStarted;
    private volatile java.time.Duration pollDuration;
    private volatile java.time.Duration changeLag;

    // --- activity: what the road tells the pipe's status -----------------------------------------------

    /** A poll took the pipe. */
    void pollStarted() {
        lastPollStarted = Instant.now();
    }

    /** A poll ended (with or without a checkpoint): its time and duration. */
    void pollEnded() {
        Instant started = lastPollStarted;
        lastPoll = Instant.now();
        if (started != null) {
            pollDuration = java.time.Duration.between(started, lastPoll);
        }
    }

    /** The poll in progress is the initial load. */
    void loading() {
        activity = "initial load";
    }

    /** A full run started: its progress shows in the status while it runs. */
    void runStarted(RunReport report) {
        running = report;
    }

    /** A full run ended, finished or stopped: it is the pipe's last run. */
    void runEnded(RunReport report) {
        lastRun = report;
    }

    /** An outcome recorded: a write is the pipe's last sync; a change's time from its source is the pipe's lag. */
    void recorded(Change change, Outcome outcome) {
        if (outcome == Outcome.CREATED || outcome == Outcome.MODIFIED || outcome == Outcome.DELETED) {
            lastSync = Instant.now();
        }
        if (change.kind() != Change.Kind.SCAN && change.at() != null && outcome != Outcome.FAILED) {
            // a scan's entries have no change time
            changeLag = java.time.Duration.between(change.at(), Instant.now());
            latencies.accept(changeLag);
        }
    }
    private volatile int retryFailedAttempts = 3;
    private volatile java.util.Map<io.idsync.connector.FailureCategory, FailurePolicy> failurePolicies = FailurePolicy.defaults();
    private volatile java.time.Duration retryFailedInterval = java.time.Duration.ofSeconds(1);
    private volatile java.time.Duration latencyObjective;
    private volatile java.util.function.Consumer<java.time.Duration> latencies = latency -> {
    };

    /** Checks the mapping against the destination before the first poll (it could not be checked at start). */
    public Pipe fitsItsDestination(java.util.function.Supplier<java.util.Optional<java.util.List<String>>> check) {
        this.fitCheck = check;
        return this;
    }

    /** What of the mapping the destination cannot hold; empty when all fits or it cannot tell yet. */
    public java.util.List<String> misfits() {
        java.util.function.Supplier<java.util.Optional<java.util.List<String>>> check = fitCheck;
        if (check != null) {
            check.get().ifPresent(found -> {
                misfits = found;
                fitCheck = null;
            });
        }
        return misfits;
    }

    /** Names where the pipe writes (its destination connection and entry type); pipes writing to the same place check ownership. */
    public Pipe writesTo(String destination) {
        this.writesTo = destination + "/" + entryType;
        return this;
    }

    public String writesTo() {
        return writesTo == null ? name + "/" + entryType : writesTo;
    }

    /** The destination's correlation searches, shared by the pipe's workers. */
    CorrelationSearches correlationSearches() {
        return correlationSearches;
    }

    /** How well the workers' correlation searches were batched: entries searched for, searches made. */
    public java.util.Map<String, Long> correlationFigures() {
        return correlationSearches.figures();
    }

    public EntryType entryType() {
        return entryType;
    }

    public ChangeSource changes() {
        return changes;
    }

    public SourceReader reader() {
        return reader;
    }

    public Destination destination() {
        return destination;
    }

    public PipeMapping mapping() {
        return mapping;
    }

    public StateStore state() {
        return state;
    }

    public DeletionGuard deletionGuard() {
        return deletionGuard;
    }

    public PipeCounters counters() {
        return counters;
    }

    public Instant lastPoll() {
        return lastPoll;
    }

    public Instant lastSync() {
        return lastSync;
    }

    public String lastError() {
        return lastError;
    }

    public RunReport lastRun() {
        return lastRun;
    }

    /** A system the pipe needs failed (and is being retried): the status shows it at once, not when the batch gives up. */
    @Override
    public void retrying(String problem) {
        failing(problem);
    }

    /** Something the pipe needs is wrong: the status says so until a batch goes through. */
    void failing(String problem) {
        if (lastError == null) {
            failingSince = Instant.now();
        }
        lastError = problem;
    }

    /** A batch went through: whatever was wrong is not any more. */
    void healthy() {
        lastError = null;
    }

    /** Since when {@link #lastError} has stood (null while there is none). */
    public Instant failingSince() {
        return lastError == null ? null : failingSince;
    }

    /** What the pipe is doing now: idle, polling, initial load, resync. */
    public String activity() {
        return activity;
    }

    /**
     * Notes the lease token this instance runs the pipe with; true when it is a new one (the pipe was taken from
     * another instance, or again), and then the counters saved with the last checkpoint are reloaded.
     */
    synchronized boolean takenWith(long token) {
        if (token == heldWith) {
            return false;
        }
        boolean first = heldWith == 0;
        heldWith = token;
        if (!first || token > 1) {
            counters.reload(state.counters(name));
        }
        return !first || token > 1;
    }

    /** One run at a time per pipe: a poll and a resync never overlap. A poll does not wait (it skips its turn). */
    boolean tryAcquire(String what) {
        return tryAcquire(what, 0);
    }

    /** Waits up to {@code millis} for the run in progress (a resync waits for the current poll to finish). */
    boolean tryAcquire(String what, long millis) {
        try {
            if (busy.tryAcquire(millis, TimeUnit.MILLISECONDS)) {
                activity = what;
                return true;
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void release() {
        activity = "idle";
        busy.release();
    }
}

package io.idsync.pipe;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one full scan (initial load or resync) did, or with {@code dryRun} would do: counts per outcome and
 * the first planned operations, so an operator can read what a dry run found before running it for real.
 */
public final class RunReport {

    private static final int SAMPLE_SIZE = 50;

    private final String pipe;
    private final String kind;
    private final boolean dryRun;
    private final Instant startedAt = Instant.now();
    private volatile Instant finishedAt;
    /** when the first and the latest entry's outcome came: the run's pace, without its start-up and final commit */
    private final java.util.concurrent.atomic.AtomicReference<Instant> firstOutcomeAt = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile Instant lastOutcomeAt;
    private final Map<Outcome, AtomicLong> counts = new LinkedHashMap<>();
    private final List<String> sample = Collections.synchronizedList(new ArrayList<>());
    private volatile String error;
    private final String id = java.util.UUID.randomUUID().toString().substring(0, 8);
    private volatile boolean cancelled;
    private final RunPace pace;
    /** the source ids of a run of a subset; null for a run of every entry */
    private final List<String> subset;

    public RunReport(String pipe, String kind, boolean dryRun) {
        this(pipe, kind, dryRun, RunPace.of(null), null);
    }

    RunReport(String pipe, String kind, boolean dryRun, RunPace pace, List<String> subset) {
        this.pipe = pipe;
        this.kind = kind;
        this.dryRun = dryRun;
        this.pace = pace;
        this.subset = subset == null ? null : List.copyOf(subset);
        for (Outcome outcome : Outcome.values()) {
            counts.put(outcome, new AtomicLong());
        }
    }

    void add(SyncItem item) {
        Instant now = Instant.now();
        firstOutcomeAt.compareAndSet(null, now);
        lastOutcomeAt = now;
        counts.get(item.outcome).incrementAndGet();
        if (item.outcome != Outcome.NO_CHANGE && item.outcome != Outcome.OUT_OF_SCOPE && sample.size() < SAMPLE_SIZE) {
            String what = item.plan != null && item.outcome != Outcome.FAILED ? item.plan.describe() : item.change.sourceId();
            sample.add(item.outcome.counter() + ": " + what + (item.reason != null ? " (" + item.reason + ")" : ""));
        }
    }

    void finish(String error) {
        this.error = error;
        this.finishedAt = Instant.now();
    }

    /** The run's id: {@code GET /api/pipes/{pipe}/runs/{id}} answers it. */
    public String id() {
        return id;
    }

    /** How fast it goes: the rate asked, changeable while it runs. */
    public RunPace pace() {
        return pace;
    }

    /** An operator cancels the run: it stops before its next entry; what it did stays done. */
    public void cancel() {
        cancelled = true;
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** The run ended without finishing (cancelled, or a system failed): why. */
    public void failed(String why) {
        if (finishedAt == null) {
            finish(why);
        }
    }

    public boolean finished() {
        return finishedAt != null;
    }

    /**
     * How far the run has come: entries done of about {@code estimatedTotal} (the entries in scope as the state knows
     * them: the source is not counted for it), the rate so far, the seconds left at that rate, and for a dry run the
     * first planned operations.
     */
    public Map<String, Object> progress(long estimatedTotal) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", id);
        map.put("state", cancelled ? "cancelling" : "running");
        map.put("kind", kind);
        map.put("dryRun", dryRun);
        map.put("startedAt", startedAt.toString());
        long done = counts.values().stream().mapToLong(AtomicLong::get).sum();
        map.put("entries", done);
        double seconds = Math.max(0.001, Duration.between(startedAt, Instant.now()).toMillis() / 1000.0);
        long rate = Math.round(done / seconds);
        map.put("entriesPerSecond", rate);
        map.put("ratePerSecond", pace.ratePerSecond());
        long total = subset != null ? subset.size() : Math.max(estimatedTotal, done);
        map.put("estimatedTotal", total);
        map.put("secondsLeft", rate <= 0 ? null : (total - done) / rate);
        if (dryRun) {
            map.put("plannedOperations", List.copyOf(sample));
        }
        return map;
    }

    /**
     * Entries a second from the first outcome to the last (the rate a paced run kept; a run's reading of its first page
     * and its final commit are in its {@code seconds}, not in its rate); the whole run's for a run of one entry.
     */
    private long entriesPerSecond(long total, double seconds) {
        Instant first = firstOutcomeAt.get();
        Instant last = lastOutcomeAt;
        double span = first == null || last == null ? 0 : Duration.between(first, last).toMillis() / 1000.0;
        return total > 1 && span > 0 ? Math.round((total - 1) / span) : Math.round(total / seconds);
    }

    public String kind() {
        return kind;
    }

    public boolean dryRun() {
        return dryRun;
    }

    /** One line for the log: the counts, not the operations. */
    public String summary() {
        Map<String, Object> map = toMap();
        map.remove("plannedOperations");
        map.remove("operations");
        return map.toString();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", id);
        map.put("state", finishedAt == null ? "running" : error != null ? (cancelled ? "cancelled" : "failed") : "finished");
        map.put("pipe", pipe);
        map.put("kind", kind);
        map.put("dryRun", dryRun);
        map.put("startedAt", startedAt.toString());
        map.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
        long total = counts.values().stream().mapToLong(AtomicLong::get).sum();
        map.put("entries", total);
        map.put("ratePerSecond", pace.ratePerSecond());
        if (subset != null) {
            map.put("subset", subset.size());
        }
        if (finishedAt != null) {
            double seconds = Math.max(0.001, Duration.between(startedAt, finishedAt).toMillis() / 1000.0);
            map.put("seconds", seconds);
            map.put("entriesPerSecond", entriesPerSecond(total, seconds));
        }
        Map<String, Long> byOutcome = new LinkedHashMap<>();
        counts.forEach((outcome, count) -> byOutcome.put(outcome.counter(), count.get()));
        map.put(dryRun ? "wouldBe" : "outcomes", byOutcome);
        map.put(dryRun ? "plannedOperations" : "operations", List.copyOf(sample));
        if (error != null) {
            map.put("error", error);
        }
        return map;
    }
}

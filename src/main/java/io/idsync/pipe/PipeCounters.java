package io.idsync.pipe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** A pipe's running totals: changes seen and one counter per {@link Outcome}. Saved with each checkpoint. */
public final class PipeCounters {

    public static final String CHANGES_SEEN = "changesSeen";

    private final Map<String, AtomicLong> counters = new LinkedHashMap<>();

    public PipeCounters(Map<String, Long> saved) {
        counters.put(CHANGES_SEEN, new AtomicLong());
        for (Outcome outcome : Outcome.values()) {
            counters.put(outcome.counter(), new AtomicLong());
        }
        reload(saved);
    }

    /** The totals as saved (by another instance, which held the pipe before this one). */
    public void reload(Map<String, Long> saved) {
        saved.forEach((name, value) -> {
            AtomicLong counter = counters.get(name);
            if (counter != null) {
                counter.set(value);
            }
        });
    }

    public void seen(long changes) {
        counters.get(CHANGES_SEEN).addAndGet(changes);
    }

    public void count(Outcome outcome) {
        counters.get(outcome.counter()).incrementAndGet();
    }

    public long get(String name) {
        AtomicLong counter = counters.get(name);
        return counter == null ? 0 : counter.get();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new LinkedHashMap<>();
        counters.forEach((name, value) -> copy.put(name, value.get()));
        return copy;
    }
}

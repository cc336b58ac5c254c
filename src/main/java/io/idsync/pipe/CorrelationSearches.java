package io.idsync.pipe;

import io.idsync.connector.Destination;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.SystemUnavailable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The correlation searches of one pipe's workers, asked of the destination together. While one search
 * is out, the workers that need one queue up; the next of them to go asks for everything queued (up to
 * the destination's {@link Destination#correlationBatch()}) in one search, and each worker takes the
 * candidates that match its own criteria. A full load correlates every entry, and the destination's cost
 * of a search barely depends on how many alternatives its filter has, so a worker seldom pays a search
 * of its own.
 * <p>
 * Nothing changes for the road: a worker gets what its own search would have answered. An answer that
 * may be truncated, or a batch the destination refuses, is asked again entry by entry, so one entry's
 * problem stays that entry's.
 */
final class CorrelationSearches {

    private final Destination destination;
    private final int maxBatch;
    private final ArrayDeque<Search> waiting = new ArrayDeque<>();
    private boolean searching;
    private long searches;
    private long asked;

    CorrelationSearches(Destination destination) {
        this.destination = destination;
        this.maxBatch = Math.max(1, destination.correlationBatch());
    }

    /** As {@link Destination#findAny}: the entries matching any of {@code alternatives}, at most about {@code limit}. */
    List<DestinationEntry> findAny(List<Map<String, String>> alternatives, int limit) {
        if (maxBatch == 1) {
            synchronized (this) {
                searches++;
                asked++;
            }
            return destination.findAny(alternatives, limit);
        }
        Search mine = new Search(alternatives, limit);
        synchronized (this) {
            waiting.add(mine);
        }
        while (true) {
            List<Search> batch = new ArrayList<>();
            synchronized (this) {
                while (searching && !mine.done) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        waiting.remove(mine);
                        throw new SystemUnavailable("interrupted while waiting for a correlation search", e);
                    }
                }
                if (mine.done) {
                    return mine.answer();
                }
                // this worker goes: the oldest searches waiting; its own is among them or comes on a later turn
                searching = true;
                while (!waiting.isEmpty() && batch.size() < maxBatch) {
                    batch.add(waiting.poll());
                }
                searches++;
                asked += batch.size();
            }
            try {
                run(batch);
            } finally {
                synchronized (this) {
                    // whatever ended the run (an Error, say), no worker of the batch waits for an answer that never comes
                    batch.stream().filter(search -> !search.done)
                            .forEach(search -> search.fail(new SystemUnavailable("the correlation search did not finish")));
                    searching = false;
                    notifyAll();
                }
            }
        }
    }

    private void run(List<Search> batch) {
        if (batch.size() == 1) {
            Search only = batch.get(0);
            try {
                only.answer(destination.findAny(only.alternatives, only.limit));
            } catch (RuntimeException e) {
                only.fail(e);
            }
            return;
        }
        List<Map<String, String>> all = new ArrayList<>();
        int limit = 0;
        for (Search search : batch) {
            all.addAll(search.alternatives);
            limit += search.limit;
        }
        List<DestinationEntry> candidates;
        try {
            candidates = destination.findAny(all, limit);
        } catch (io.idsync.connector.SystemFailure e) {
            // the destination is down, or refuses idsync, for every one of them alike: each worker's batch stops
            batch.forEach(search -> search.fail(e));
            return;
        } catch (RuntimeException e) {
            candidates = null; // asked again one by one, so a search the destination refuses fails alone
        }
        for (Search search : batch) {
            try {
                if (candidates == null || candidates.size() >= limit) {
                    search.answer(destination.findAny(search.alternatives, search.limit));
                } else {
                    search.answer(candidates.stream()
                            .filter(candidate -> search.alternatives.stream().anyMatch(criteria -> matches(candidate, criteria))).toList());
                }
            } catch (RuntimeException e) {
                search.fail(e);
            }
        }
    }

    /** Since start: the entries correlated by a search, and the searches the destination was asked for them. */
    synchronized Map<String, Long> figures() {
        Map<String, Long> figures = new java.util.LinkedHashMap<>();
        figures.put("entriesSearched", asked);
        figures.put("searches", searches);
        return figures;
    }

    /** Workers waiting for their search to be asked. */
    synchronized int waiting() {
        return waiting.size();
    }

    /**
     * Client-side equality: a value the directory's matching rules call equal (spaces folded, {@code *} as a
     * wildcard) is not the same identity unless it is the same characters, ignoring case only, as user names
     * are unique regardless of case in PingOne and in directories alike.
     */
    static boolean matches(DestinationEntry candidate, Map<String, String> criteria) {
        for (Map.Entry<String, String> criterion : criteria.entrySet()) {
            if (criterion.getKey().equalsIgnoreCase("dn")) {
                if (!candidate.name().equalsIgnoreCase(criterion.getValue())) {
                    return false;
                }
                continue;
            }
            String wanted = criterion.getValue();
            if (candidate.values(criterion.getKey()).stream().noneMatch(v -> v.equalsIgnoreCase(wanted))) {
                return false;
            }
        }
        return true;
    }

    /** One worker's search, answered by whoever runs the batch it is in. */
    private final class Search {
        final List<Map<String, String>> alternatives;
        final int limit;
        boolean done;
        private List<DestinationEntry> answer;
        private RuntimeException failure;

        Search(List<Map<String, String>> alternatives, int limit) {
            this.alternatives = alternatives;
            this.limit = limit;
        }

        void answer(List<DestinationEntry> entries) {
            synchronized (CorrelationSearches.this) {
                answer = entries;
                done = true;
            }
        }

        void fail(RuntimeException e) {
            synchronized (CorrelationSearches.this) {
                failure = e;
                done = true;
            }
        }

        List<DestinationEntry> answer() {
            if (failure != null) {
                throw failure;
            }
            return answer;
        }
    }
}

package io.idsync.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Entries to go down a pipe's road again at a later poll ({@code entry_retry}): with a backoff that doubles from a first
 * delay (at most 5 min), or at once when an operator asks.
 */
final class Retries {

    private final Jdbc jdbc;

    Retries(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    void request(String pipe, String sourceId, String reason, Duration firstDelay) {
        jdbc.inTransaction(c -> {
            int attempts = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT attempts FROM entry_retry WHERE pipe = ? AND source_id = ?")) {
                Jdbc.bind(ps, pipe, sourceId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        attempts = rs.getInt(1);
                    }
                }
            }
            long delayMillis = Math.min(300_000L, Math.max(1, firstDelay.toMillis()) << Math.min(attempts, 9));
            jdbc.upsert(c, "entry_retry", new String[]{"pipe", "source_id"}, new String[]{"attempts", "next_attempt", "reason"},
                    pipe, sourceId, attempts + 1, Timestamp.from(Instant.now().plusMillis(delayMillis)), Jdbc.trim(reason));
        });
    }

    List<StateStore.RetryDue> due(String pipe, int limit) {
        List<StateStore.RetryDue> due = new ArrayList<>();
        jdbc.query("SELECT source_id, attempts FROM entry_retry WHERE pipe = ? AND next_attempt <= ? ORDER BY next_attempt FETCH FIRST " + limit + " ROWS ONLY",
                rs -> due.add(new StateStore.RetryDue(rs.getString(1), rs.getInt(2))), pipe, Timestamp.from(Instant.now()));
        return due;
    }

    /** One asked for again meanwhile (a later attempt) stays. */
    void done(String pipe, List<StateStore.RetryDue> done) {
        jdbc.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM entry_retry WHERE pipe = ? AND source_id = ? AND attempts = ?")) {
                for (StateStore.RetryDue retry : done) {
                    Jdbc.bind(ps, pipe, retry.sourceId(), retry.attempts());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    Optional<Map.Entry<Integer, Instant>> of(String pipe, String sourceId) {
        return jdbc.queryOne("SELECT attempts, next_attempt FROM entry_retry WHERE pipe = ? AND source_id = ?",
                rs -> Map.entry(rs.getInt(1), rs.getTimestamp(2).toInstant()), pipe, sourceId);
    }

    /** Answers whether a retry is waiting now (none once {@code maxAttempts} were made). */
    boolean retryFailed(String pipe, String sourceId, String reason, int maxAttempts, Duration firstDelay) {
        int attempts = of(pipe, sourceId).map(Map.Entry::getKey).orElse(0);
        if (attempts >= maxAttempts) {
            return false;
        }
        request(pipe, sourceId, reason, firstDelay);
        return true;
    }

    /** No retry waits for these entries any more (an operator dismissed their failures). */
    void cancel(String pipe, List<String> sourceIds) {
        jdbc.deleteEntries("entry_retry", pipe, sourceIds);
    }

    /** An operator's retry: at the next poll, attempts counted afresh. */
    int now(String pipe, List<String> sourceIds) {
        jdbc.inTransaction(c -> {
            for (String sourceId : sourceIds) {
                jdbc.upsert(c, "entry_retry", new String[]{"pipe", "source_id"}, new String[]{"attempts", "next_attempt", "reason"},
                        pipe, sourceId, 0, Timestamp.from(Instant.now()), "retry asked by an operator");
            }
        });
        return sourceIds.size();
    }
}

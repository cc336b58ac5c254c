package io.idsync.state;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where each pipe stands in its source's feed, the position its initial load started from, and its counters. A
 * checkpoint and the counters are saved in the transaction that writes the batch's last outcomes, so a crash replays
 * a batch rather than losing it.
 */
final class Checkpoints {

    private final Jdbc jdbc;

    Checkpoints(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    Optional<String> checkpoint(String pipe) {
        return jdbc.queryOne("SELECT token FROM pipe_checkpoint WHERE pipe = ?", rs -> rs.getString(1), pipe);
    }

    /** The first attempt's position of the pipe's initial load, saving {@code now} as it when none has been. */
    String initialLoadStart(String pipe, java.util.function.Supplier<String> now) {
        Optional<String> started = jdbc.queryOne("SELECT token FROM pipe_initial_load WHERE pipe = ?", rs -> rs.getString(1), pipe);
        if (started.isPresent()) {
            return started.get();
        }
        String token = now.get();
        jdbc.update("INSERT INTO pipe_initial_load (pipe, token, started_at) VALUES (?, ?, ?)", pipe, token, Timestamp.from(Instant.now()));
        return token;
    }

    /**
     * The checkpoint and the counters, in the caller's transaction (with the batch's last outcomes); an initial load's
     * start position goes with its first checkpoint.
     */
    void save(java.sql.Connection c, String pipe, String token, Map<String, Long> counters) throws java.sql.SQLException {
        jdbc.upsert(c, "pipe_checkpoint", new String[]{"pipe"}, new String[]{"token", "updated_at"}, pipe, token, Timestamp.from(Instant.now()));
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM pipe_initial_load WHERE pipe = ?")) {
            Jdbc.bind(ps, pipe);
            ps.executeUpdate();
        }
        saveCounters(c, pipe, counters);
    }

    void saveCounters(String pipe, Map<String, Long> counters) {
        jdbc.inTransaction(c -> saveCounters(c, pipe, counters));
    }

    private void saveCounters(java.sql.Connection c, String pipe, Map<String, Long> counters) throws java.sql.SQLException {
        for (Map.Entry<String, Long> counter : counters.entrySet()) {
            jdbc.upsert(c, "pipe_counter", new String[]{"pipe", "counter_name"}, new String[]{"counter_value"}, pipe, counter.getKey(), counter.getValue());
        }
    }

    void clear(String pipe) {
        jdbc.update("DELETE FROM pipe_checkpoint WHERE pipe = ?", pipe);
    }

    Map<String, Long> counters(String pipe) {
        Map<String, Long> counters = new LinkedHashMap<>();
        jdbc.query("SELECT counter_name, counter_value FROM pipe_counter WHERE pipe = ?", rs -> counters.put(rs.getString(1), rs.getLong(2)), pipe);
        return counters;
    }
}

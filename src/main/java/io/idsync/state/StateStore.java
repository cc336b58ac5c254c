package io.idsync.state;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pipes' durable state in any JDBC database (H2 embedded by default; the schema comes from Flyway
 * migrations in {@code db/migration}): checkpoints, links and per-entry outcomes, counters.
 * <p>
 * A checkpoint and the counters are saved in one transaction, after every change of the batch has been
 * recorded, so a crash replays a batch rather than losing it.
 */
public class StateStore {

    public enum Status {
        SYNCED, FAILED, REMOVED
    }

    /** What the pipe knows of one source entry. */
    public record EntryState(String sourceId, String destinationRef, String destinationId, Status status, String reason, Instant updatedAt) {
    }

    private final DataSource dataSource;
    private final boolean mergeSyntax;

    public StateStore(DataSource dataSource) {
        this.dataSource = dataSource;
        this.mergeSyntax = detectH2(dataSource);
    }

    // --- checkpoints and counters -------------------------------------------------------------------

    public Optional<String> checkpoint(String pipe) {
        return queryOne("SELECT token FROM pipe_checkpoint WHERE pipe = ?", rs -> rs.getString(1), pipe);
    }

    /** Saves the checkpoint and the counters together. */
    public void saveCheckpoint(String pipe, String token, Map<String, Long> counters) {
        inTransaction(c -> {
            upsert(c, "pipe_checkpoint", new String[]{"pipe"}, new String[]{"token", "updated_at"},
                    pipe, token, Timestamp.from(Instant.now()));
            for (Map.Entry<String, Long> counter : counters.entrySet()) {
                upsert(c, "pipe_counter", new String[]{"pipe", "counter_name"}, new String[]{"counter_value"}, pipe, counter.getKey(), counter.getValue());
            }
        });
    }

    /** Saves the counters alone (after a resync, which does not move the checkpoint). */
    public void saveCounters(String pipe, Map<String, Long> counters) {
        inTransaction(c -> {
            for (Map.Entry<String, Long> counter : counters.entrySet()) {
                upsert(c, "pipe_counter", new String[]{"pipe", "counter_name"}, new String[]{"counter_value"}, pipe, counter.getKey(), counter.getValue());
            }
        });
    }

    public void clearCheckpoint(String pipe) {
        update("DELETE FROM pipe_checkpoint WHERE pipe = ?", pipe);
    }

    public Map<String, Long> counters(String pipe) {
        Map<String, Long> counters = new LinkedHashMap<>();
        query("SELECT counter_name, counter_value FROM pipe_counter WHERE pipe = ?", rs -> counters.put(rs.getString(1), rs.getLong(2)), pipe);
        return counters;
    }

    // --- entries -------------------------------------------------------------------------------------

    public Optional<EntryState> entry(String pipe, String sourceId) {
        return queryOne("SELECT source_id, destination_ref, destination_id, status, reason, updated_at FROM entry_state WHERE pipe = ? AND source_id = ?",
                StateStore::entryState, pipe, sourceId);
    }

    public void recordSynced(String pipe, String sourceId, String destinationRef, String destinationId) {
        write(pipe, sourceId, destinationRef, destinationId, Status.SYNCED, null);
    }

    /** Records a failure; the link, if any, is kept so the next attempt finds the same entry. */
    public void recordFailed(String pipe, String sourceId, String reason) {
        String trimmed = reason == null ? "unknown" : reason.length() > 3900 ? reason.substring(0, 3900) + "..." : reason;
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE entry_state SET status = ?, reason = ?, updated_at = ? WHERE pipe = ? AND source_id = ?")) {
                ps.setString(1, Status.FAILED.name());
                ps.setString(2, trimmed);
                ps.setTimestamp(3, Timestamp.from(Instant.now()));
                ps.setString(4, pipe);
                ps.setString(5, sourceId);
                if (ps.executeUpdate() == 0) {
                    upsert(c, "entry_state", new String[]{"pipe", "source_id"},
                            new String[]{"destination_ref", "destination_id", "status", "reason", "updated_at"},
                            pipe, sourceId, null, null, Status.FAILED.name(), trimmed, Timestamp.from(Instant.now()));
                }
            }
        });
    }

    /** The destination entry is gone: the link is dropped, the row remembers that it was removed. */
    public void recordRemoved(String pipe, String sourceId) {
        write(pipe, sourceId, null, null, Status.REMOVED, null);
    }

    public long count(String pipe, Status status) {
        return queryOne("SELECT COUNT(*) FROM entry_state WHERE pipe = ? AND status = ?", rs -> rs.getLong(1), pipe, status.name()).orElse(0L);
    }

    /** The most recent failures, newest first, for the status API. */
    public List<EntryState> failures(String pipe, int limit) {
        List<EntryState> failures = new ArrayList<>();
        query("SELECT source_id, destination_ref, destination_id, status, reason, updated_at FROM entry_state WHERE pipe = ? AND status = ? ORDER BY updated_at DESC",
                rs -> {
                    if (failures.size() < limit) {
                        failures.add(entryState(rs));
                    }
                }, pipe, Status.FAILED.name());
        return failures;
    }

    private void write(String pipe, String sourceId, String ref, String id, Status status, String reason) {
        inTransaction(c -> upsert(c, "entry_state", new String[]{"pipe", "source_id"},
                new String[]{"destination_ref", "destination_id", "status", "reason", "updated_at"},
                pipe, sourceId, ref, id, status.name(), reason, Timestamp.from(Instant.now())));
    }

    private static EntryState entryState(ResultSet rs) throws SQLException {
        return new EntryState(rs.getString(1), rs.getString(2), rs.getString(3), Status.valueOf(rs.getString(4)), rs.getString(5),
                rs.getTimestamp(6).toInstant());
    }

    // --- JDBC plumbing -------------------------------------------------------------------------------

    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private interface RowHandler {
        void handle(ResultSet rs) throws SQLException;
    }

    private interface Work {
        void run(Connection connection) throws SQLException;
    }

    /** Insert-or-update: H2's MERGE ... KEY, or the standard UPDATE-then-INSERT elsewhere. */
    private void upsert(Connection c, String table, String[] keys, String[] columns, Object... values) throws SQLException {
        String[] all = new String[keys.length + columns.length];
        System.arraycopy(keys, 0, all, 0, keys.length);
        System.arraycopy(columns, 0, all, keys.length, columns.length);
        if (mergeSyntax) {
            String sql = "MERGE INTO " + table + " (" + String.join(", ", all) + ") KEY (" + String.join(", ", keys) + ") VALUES ("
                    + "?, ".repeat(all.length - 1) + "?)";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, values);
                ps.executeUpdate();
            }
            return;
        }
        StringBuilder update = new StringBuilder("UPDATE ").append(table).append(" SET ");
        for (int i = 0; i < columns.length; i++) {
            update.append(i == 0 ? "" : ", ").append(columns[i]).append(" = ?");
        }
        update.append(" WHERE ");
        for (int i = 0; i < keys.length; i++) {
            update.append(i == 0 ? "" : " AND ").append(keys[i]).append(" = ?");
        }
        Object[] updateValues = new Object[values.length];
        System.arraycopy(values, keys.length, updateValues, 0, columns.length);
        System.arraycopy(values, 0, updateValues, columns.length, keys.length);
        try (PreparedStatement ps = c.prepareStatement(update.toString())) {
            bind(ps, updateValues);
            if (ps.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + String.join(", ", all) + ") VALUES ("
                + "?, ".repeat(all.length - 1) + "?)")) {
            bind(ps, values);
            ps.executeUpdate();
        }
    }

    private void inTransaction(Work work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new StateStoreException("the state store cannot be written: " + e.getMessage(), e);
        }
    }

    private void update(String sql, Object... values) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, values);
                ps.executeUpdate();
            }
        });
    }

    private <T> Optional<T> queryOne(String sql, RowReader<T> reader, Object... values) {
        List<T> results = new ArrayList<>(1);
        query(sql, rs -> {
            if (results.isEmpty()) {
                results.add(reader.read(rs));
            }
        }, values);
        return results.stream().findFirst();
    }

    private void query(String sql, RowHandler handler, Object... values) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, values);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    handler.handle(rs);
                }
            }
        } catch (SQLException e) {
            throw new StateStoreException("the state store cannot be read: " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement ps, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            ps.setObject(i + 1, values[i]);
        }
    }

    private static boolean detectH2(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName().toLowerCase().contains("h2");
        } catch (SQLException e) {
            throw new StateStoreException("the state store is unreachable: " + e.getMessage(), e);
        }
    }
}

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
 * <p>
 * Entry outcomes are written behind: they are buffered (the newest per entry wins, and reads see the
 * buffer) and written in JDBC batches of {@value #WRITE_BATCH}, always before a checkpoint is saved. A
 * crash can lose buffered outcomes, never a change: the batch replays, and correlation finds the entries
 * that were already written.
 */
public class StateStore {

    public enum Status {
        SYNCED, FAILED, REMOVED
    }

    /** What the pipe knows of one source entry. */
    public record EntryState(String sourceId, String destinationRef, String destinationId, Status status, String reason, Instant updatedAt) {
    }

    static final int WRITE_BATCH = 500;

    private final DataSource dataSource;
    private final boolean mergeSyntax;
    private final java.util.concurrent.ConcurrentHashMap<String, Pending> pending = new java.util.concurrent.ConcurrentHashMap<>();
    private final Object flushLock = new Object();

    private record Pending(String pipe, EntryState state) {
    }

    public StateStore(DataSource dataSource) {
        this.dataSource = dataSource;
        this.mergeSyntax = detectH2(dataSource);
    }

    // --- checkpoints and counters -------------------------------------------------------------------

    public Optional<String> checkpoint(String pipe) {
        return queryOne("SELECT token FROM pipe_checkpoint WHERE pipe = ?", rs -> rs.getString(1), pipe);
    }

    /**
     * Where the feed stood when the pipe's initial load first started, saving {@code now} as that position if no
     * attempt has: a restarted load keeps the first attempt's position, so the changes made while it ran (and
     * while it was down) are replayed from the feed once it finishes.
     */
    public String initialLoadStart(String pipe, java.util.function.Supplier<String> now) {
        Optional<String> started = queryOne("SELECT token FROM pipe_initial_load WHERE pipe = ?", rs -> rs.getString(1), pipe);
        if (started.isPresent()) {
            return started.get();
        }
        String token = now.get();
        update("INSERT INTO pipe_initial_load (pipe, token, started_at) VALUES (?, ?, ?)", pipe, token, Timestamp.from(Instant.now()));
        return token;
    }

    /** Saves the checkpoint and the counters together; an initial load's start position goes with its first checkpoint. */
    public void saveCheckpoint(String pipe, String token, Map<String, Long> counters) {
        flush();
        inTransaction(c -> {
            upsert(c, "pipe_checkpoint", new String[]{"pipe"}, new String[]{"token", "updated_at"},
                    pipe, token, Timestamp.from(Instant.now()));
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM pipe_initial_load WHERE pipe = ?")) {
                bind(ps, pipe);
                ps.executeUpdate();
            }
            for (Map.Entry<String, Long> counter : counters.entrySet()) {
                upsert(c, "pipe_counter", new String[]{"pipe", "counter_name"}, new String[]{"counter_value"}, pipe, counter.getKey(), counter.getValue());
            }
        });
    }

    /** Saves the counters alone (after a resync, which does not move the checkpoint). */
    public void saveCounters(String pipe, Map<String, Long> counters) {
        flush();
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
        Pending buffered = pending.get(key(pipe, sourceId));
        if (buffered != null) {
            return Optional.of(buffered.state());
        }
        return queryOne("SELECT source_id, destination_ref, destination_id, status, reason, updated_at FROM entry_state WHERE pipe = ? AND source_id = ?",
                StateStore::entryState, pipe, sourceId);
    }

    /** Whether the pipe has recorded any entry at all (a pipe that has not needs no link look-ups). */
    public boolean hasEntries(String pipe) {
        String prefix = key(pipe, "");
        return pending.keySet().stream().anyMatch(k -> k.startsWith(prefix))
                || queryOne("SELECT 1 FROM entry_state WHERE pipe = ? FETCH FIRST 1 ROWS ONLY", rs -> rs.getInt(1), pipe).isPresent();
    }

    /** Up to {@code limit} linked source ids after {@code afterId}, in id order: a reconciliation pages through them. */
    public List<String> linkedIds(String pipe, String afterId, int limit) {
        flush();
        List<String> ids = new ArrayList<>(limit);
        query("SELECT source_id FROM entry_state WHERE pipe = ? AND destination_ref IS NOT NULL AND source_id > ? ORDER BY source_id",
                rs -> {
                    if (ids.size() < limit) {
                        ids.add(rs.getString(1));
                    }
                }, pipe, afterId);
        return ids;
    }

    /** The states of several entries in one query (a scan looks up a page of links at once). */
    public Map<String, EntryState> entries(String pipe, java.util.Collection<String> sourceIds) {
        Map<String, EntryState> states = new java.util.HashMap<>();
        if (sourceIds.isEmpty()) {
            return states;
        }
        // one connection and one prepared statement for the page: far cheaper in H2 than an IN list
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT source_id, destination_ref, destination_id, status, reason, updated_at"
                     + " FROM entry_state WHERE pipe = ? AND source_id = ?")) {
            for (String id : sourceIds) {
                bind(ps, pipe, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        states.put(id, entryState(rs));
                    }
                }
            }
        } catch (SQLException e) {
            throw new StateStoreException("the state store cannot be read: " + e.getMessage(), e);
        }
        for (String id : sourceIds) {
            Pending buffered = pending.get(key(pipe, id));
            if (buffered != null) {
                states.put(id, buffered.state());
            }
        }
        return states;
    }

    public void recordSynced(String pipe, String sourceId, String destinationRef, String destinationId) {
        buffer(pipe, new EntryState(sourceId, destinationRef, destinationId, Status.SYNCED, null, Instant.now()));
    }

    /** Records a failure; the link, if any, is kept so the next attempt finds the same entry. */
    public void recordFailed(String pipe, String sourceId, String reason) {
        String trimmed = reason == null ? "unknown" : reason.length() > 3900 ? reason.substring(0, 3900) + "..." : reason;
        EntryState previous = entry(pipe, sourceId).orElse(null);
        buffer(pipe, new EntryState(sourceId, previous == null ? null : previous.destinationRef(),
                previous == null ? null : previous.destinationId(), Status.FAILED, trimmed, Instant.now()));
    }

    /** The destination entry is gone: the link is dropped, the row remembers that it was removed. */
    public void recordRemoved(String pipe, String sourceId) {
        buffer(pipe, new EntryState(sourceId, null, null, Status.REMOVED, null, Instant.now()));
    }

    public long count(String pipe, Status status) {
        flush();
        return queryOne("SELECT COUNT(*) FROM entry_state WHERE pipe = ? AND status = ?", rs -> rs.getLong(1), pipe, status.name()).orElse(0L);
    }

    /** The most recent failures, newest first, for the status API. */
    public List<EntryState> failures(String pipe, int limit) {
        flush();
        List<EntryState> failures = new ArrayList<>();
        query("SELECT source_id, destination_ref, destination_id, status, reason, updated_at FROM entry_state WHERE pipe = ? AND status = ? ORDER BY updated_at DESC",
                rs -> {
                    if (failures.size() < limit) {
                        failures.add(entryState(rs));
                    }
                }, pipe, Status.FAILED.name());
        return failures;
    }

    // --- member refreshes ----------------------------------------------------------------------------

    /** A user newly provisioned by another pipe, for the group pipe {@code pipe} to re-synchronize its groups. */
    public record MemberRefresh(long id, String memberId) {
    }

    /** Asks {@code pipe} (a group pipe) to re-synchronize the groups naming {@code memberId}. */
    public void requestMemberRefresh(String pipe, String memberId) {
        update("INSERT INTO member_refresh (pipe, member_id, requested_at) VALUES (?, ?, ?)", pipe, memberId, Timestamp.from(Instant.now()));
    }

    /** The oldest {@code limit} refreshes waiting for {@code pipe}. */
    public List<MemberRefresh> memberRefreshes(String pipe, int limit) {
        List<MemberRefresh> refreshes = new ArrayList<>();
        query("SELECT id, member_id FROM member_refresh WHERE pipe = ? ORDER BY id FETCH FIRST " + limit + " ROWS ONLY",
                rs -> refreshes.add(new MemberRefresh(rs.getLong(1), rs.getString(2))), pipe);
        return refreshes;
    }

    public long memberRefreshCount(String pipe) {
        return queryOne("SELECT COUNT(*) FROM member_refresh WHERE pipe = ?", rs -> rs.getLong(1), pipe).orElse(0L);
    }

    /**
     * These refreshes were applied by a finished batch. Deleted by id, not as a range: a refresh committed
     * late with a lower id than one already read stays for the next poll.
     */
    public void memberRefreshesDone(String pipe, List<Long> ids) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM member_refresh WHERE pipe = ? AND id = ?")) {
                for (Long id : ids) {
                    bind(ps, pipe, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    private void buffer(String pipe, EntryState state) {
        pending.put(key(pipe, state.sourceId()), new Pending(pipe, state));
        if (pending.size() >= WRITE_BATCH) {
            flush();
        }
    }

    /** Writes every buffered outcome in one transaction. */
    public void flush() {
        synchronized (flushLock) {
            if (pending.isEmpty()) {
                return;
            }
            Map<String, Pending> written = new LinkedHashMap<>(pending);
            List<Pending> batch = new ArrayList<>(written.values());
            inTransaction(c -> {
                if (mergeSyntax) {
                    try (PreparedStatement ps = c.prepareStatement("MERGE INTO entry_state (pipe, source_id, destination_ref, destination_id, status, reason, updated_at)"
                            + " KEY (pipe, source_id) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                        for (Pending p : batch) {
                            EntryState s = p.state();
                            bind(ps, p.pipe(), s.sourceId(), s.destinationRef(), s.destinationId(), s.status().name(), s.reason(), Timestamp.from(s.updatedAt()));
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                } else {
                    for (Pending p : batch) {
                        EntryState s = p.state();
                        upsert(c, "entry_state", new String[]{"pipe", "source_id"},
                                new String[]{"destination_ref", "destination_id", "status", "reason", "updated_at"},
                                p.pipe(), s.sourceId(), s.destinationRef(), s.destinationId(), s.status().name(), s.reason(), Timestamp.from(s.updatedAt()));
                    }
                }
            });
            // only once committed: a reader always finds an outcome in the buffer or in the database; a newer
            // outcome put meanwhile stays for the next flush
            written.forEach(pending::remove);
        }
    }

    private static String key(String pipe, String sourceId) {
        return pipe + '\u0000' + sourceId;
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

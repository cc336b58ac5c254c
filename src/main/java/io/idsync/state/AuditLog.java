package io.idsync.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The audit log ({@code audit_record}): records wait in memory and are written in the transaction of the outcomes
 * they go with ({@link EntryStates#flush}); read a page at a time, newest first; purged after the retention.
 */
final class AuditLog {

    private final Jdbc jdbc;
    private final ConcurrentLinkedQueue<StateStore.AuditRecord> waiting = new ConcurrentLinkedQueue<>();
    /** the queue's size, kept apart: ConcurrentLinkedQueue.size() walks the queue, and every outcome asks it */
    private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Duration retention;
    private volatile Instant lastPurge;

    AuditLog(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    void add(StateStore.AuditRecord record) {
        waiting.add(record);
        count.incrementAndGet();
    }

    int waiting() {
        return count.get();
    }

    /** Takes up to {@code max} waiting records, for a flush to write. */
    List<StateStore.AuditRecord> take(int max) {
        List<StateStore.AuditRecord> taken = new ArrayList<>();
        for (StateStore.AuditRecord record; taken.size() < max && (record = waiting.poll()) != null; ) {
            taken.add(record);
            count.decrementAndGet();
        }
        return taken;
    }

    /** Writes these records in the caller's transaction. */
    static void write(Connection c, List<StateStore.AuditRecord> records) throws SQLException {
        if (records.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_record (recorded_at, pipe, source_id, destination, operation,"
                + " outcome, attributes, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (StateStore.AuditRecord r : records) {
                Jdbc.bind(ps, Timestamp.from(r.at()), r.pipe(), r.sourceId(), Jdbc.trim(r.destination()), r.operation(), r.outcome(),
                        Jdbc.trim(r.attributes()), Jdbc.trim(r.reason()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** A page, newest first, before id {@code beforeId} (0: from the newest), filtered by what is not null. */
    List<StateStore.AuditRecord> page(String pipe, String sourceId, String operation, String outcome, Instant from, Instant to, long beforeId, int limit) {
        StringBuilder where = new StringBuilder("1 = 1");
        List<Object> values = new ArrayList<>();
        Object[][] filters = {{"pipe", pipe}, {"source_id", sourceId}, {"operation", operation}, {"outcome", outcome}};
        for (Object[] filter : filters) {
            if (filter[1] != null) {
                where.append(" AND ").append(filter[0]).append(" = ?");
                values.add(filter[1]);
            }
        }
        if (from != null) {
            where.append(" AND recorded_at >= ?");
            values.add(Timestamp.from(from));
        }
        if (to != null) {
            where.append(" AND recorded_at < ?");
            values.add(Timestamp.from(to));
        }
        if (beforeId > 0) {
            where.append(" AND id < ?");
            values.add(beforeId);
        }
        // the filter's own columns lead the order (constant within the filter): the database then walks the filter's index
        // (V6__audit_pages.sql) in page order instead of sorting every record the filter matches
        String leading = pipe != null ? (sourceId != null ? "pipe, source_id, " : "pipe, ") : outcome != null ? "outcome, " : operation != null ? "operation, " : "";
        List<StateStore.AuditRecord> records = new ArrayList<>();
        jdbc.query("SELECT id, recorded_at, pipe, source_id, destination, operation, outcome, attributes, reason FROM audit_record WHERE " + where
                        + " ORDER BY " + leading + "id DESC FETCH FIRST " + Math.max(1, Math.min(limit, 1000)) + " ROWS ONLY",
                rs -> records.add(new StateStore.AuditRecord(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9))), values.toArray());
        return records;
    }

    void retention(Duration retention) {
        this.retention = retention;
    }

    /** Deletes what is past the retention, at most once an hour. */
    void purgeWhenDue() {
        Instant now = Instant.now();
        Instant last = lastPurge;
        if (retention != null && (last == null || last.plus(Duration.ofHours(1)).isBefore(now))) {
            lastPurge = now;
            purge(now.minus(retention));
        }
    }

    int purge(Instant before) {
        int[] deleted = new int[1];
        jdbc.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM audit_record WHERE recorded_at < ?")) {
                Jdbc.bind(ps, Timestamp.from(before));
                deleted[0] = ps.executeUpdate();
            }
        });
        return deleted[0];
    }
}

package io.idsync.state;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The removals the deletion guard held ({@code held_removal}), each until an operator approves or rejects it. Written
 * in a commit of their own when held, so they are durable before the run's checkpoint moves past them.
 */
final class HeldRemovals {

    private final Jdbc jdbc;

    HeldRemovals(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    void hold(String pipe, Collection<StateStore.HeldRemoval> removals) {
        if (removals.isEmpty()) {
            return;
        }
        jdbc.inTransaction(c -> jdbc.upsertAll(c, "held_removal", new String[]{"pipe", "source_id"},
                new String[]{"destination_ref", "action", "reason", "held_at"}, removals.stream()
                        .map(r -> new Object[]{pipe, r.sourceId(), Jdbc.trim(r.destination()), r.action(), Jdbc.trim(r.reason()), Timestamp.from(r.heldAt())})
                        .toList()));
    }

    List<StateStore.HeldRemoval> page(String pipe, String afterId, int limit) {
        List<StateStore.HeldRemoval> page = new ArrayList<>();
        jdbc.query("SELECT source_id, destination_ref, action, reason, held_at FROM held_removal WHERE pipe = ? AND source_id > ?"
                        + " ORDER BY source_id FETCH FIRST " + limit + " ROWS ONLY",
                rs -> page.add(new StateStore.HeldRemoval(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant())), pipe, afterId == null ? "" : afterId);
        return page;
    }

    boolean isHeld(String pipe, String sourceId) {
        return jdbc.queryOne("SELECT 1 FROM held_removal WHERE pipe = ? AND source_id = ?", rs -> rs.getInt(1), pipe, sourceId).isPresent();
    }

    long count(String pipe) {
        return jdbc.queryOne("SELECT COUNT(*) FROM held_removal WHERE pipe = ?", rs -> rs.getLong(1), pipe).orElse(0L);
    }

    void release(String pipe, Collection<String> sourceIds) {
        jdbc.deleteEntries("held_removal", pipe, sourceIds);
    }
}

package io.idsync.state;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Users newly provisioned by a pipe whose groups a group pipe ({@code members-from}) is to synchronize again. */
final class MemberRefreshes {

    private final Jdbc jdbc;

    MemberRefreshes(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    void request(String pipe, String memberId) {
        jdbc.update("INSERT INTO member_refresh (pipe, member_id, requested_at) VALUES (?, ?, ?)", pipe, memberId, Timestamp.from(Instant.now()));
    }

    List<StateStore.MemberRefresh> oldest(String pipe, int limit) {
        List<StateStore.MemberRefresh> refreshes = new ArrayList<>();
        jdbc.query("SELECT id, member_id FROM member_refresh WHERE pipe = ? ORDER BY id FETCH FIRST " + limit + " ROWS ONLY",
                rs -> refreshes.add(new StateStore.MemberRefresh(rs.getLong(1), rs.getString(2))), pipe);
        return refreshes;
    }

    long count(String pipe) {
        return jdbc.queryOne("SELECT COUNT(*) FROM member_refresh WHERE pipe = ?", rs -> rs.getLong(1), pipe).orElse(0L);
    }

    /** Deleted by id, not as a range: a refresh committed late with a lower id than one already read stays for the next poll. */
    void done(String pipe, List<Long> ids) {
        jdbc.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM member_refresh WHERE pipe = ? AND id = ?")) {
                for (Long id : ids) {
                    Jdbc.bind(ps, pipe, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }
}

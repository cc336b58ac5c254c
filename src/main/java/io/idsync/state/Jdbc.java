package io.idsync.state;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The JDBC the state's stores share: one transaction per unit of work, reads, and insert-or-update in the database's
 * own words (H2's {@code MERGE ... KEY}, elsewhere the standard UPDATE-then-INSERT). Every failure is a
 * {@link StateStoreException} saying whether the store could not be read or written.
 */
final class Jdbc {

    interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    interface RowHandler {
        void handle(ResultSet rs) throws SQLException;
    }

    interface Work {
        void run(Connection connection) throws SQLException;
    }

    private final DataSource dataSource;
    /** H2's MERGE ... KEY: one statement for an insert-or-update, batchable */
    final boolean mergeSyntax;

    Jdbc(DataSource dataSource) {
        this.dataSource = dataSource;
        this.mergeSyntax = detectH2(dataSource);
    }

    /** @throws StateStoreException when the database cannot be reached */
    Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /**
     * Runs {@code work} in one transaction: all of it is committed, or none.
     *
     * @throws StateStoreException when it cannot be written
     */
    void inTransaction(Work work) {
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

    /** One statement in a transaction of its own. */
    /** Deletes the rows of these entries of a pipe from a table keyed by (pipe, source_id), in one transaction. */
    void deleteEntries(String table, String pipe, java.util.Collection<String> sourceIds) {
        if (sourceIds.isEmpty()) {
            return;
        }
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE pipe = ? AND source_id = ?")) {
                for (String sourceId : sourceIds) {
                    bind(ps, pipe, sourceId);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    void update(String sql, Object... values) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, values);
                ps.executeUpdate();
            }
        });
    }

    /** The first row's reading, or empty. */
    <T> Optional<T> queryOne(String sql, RowReader<T> reader, Object... values) {
        List<T> results = new ArrayList<>(1);
        query(sql, rs -> {
            if (results.isEmpty()) {
                results.add(reader.read(rs));
            }
        }, values);
        return results.stream().findFirst();
    }

    /** @throws StateStoreException when it cannot be read */
    void query(String sql, RowHandler handler, Object... values) {
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

    /** Insert-or-update of the row with these key values: {@code values} are the keys' then the columns'. */
    void upsert(Connection c, String table, String[] keys, String[] columns, Object... values) throws SQLException {
        upsertAll(c, table, keys, columns, List.<Object[]>of(values));
    }

    /**
     * Insert-or-update of each row (its keys' values then its columns'), in one JDBC batch: H2's {@code MERGE ... KEY},
     * PostgreSQL's {@code INSERT ... ON CONFLICT} (the keys are the table's primary key).
     */
    void upsertAll(Connection c, String table, String[] keys, String[] columns, List<Object[]> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        String all = String.join(", ", keys) + ", " + String.join(", ", columns);
        String placeholders = "?, ".repeat(keys.length + columns.length - 1) + "?";
        String sql;
        if (mergeSyntax) {
            sql = "MERGE INTO " + table + " (" + all + ") KEY (" + String.join(", ", keys) + ") VALUES (" + placeholders + ")";
        } else {
            StringBuilder set = new StringBuilder();
            for (String column : columns) {
                set.append(set.isEmpty() ? "" : ", ").append(column).append(" = EXCLUDED.").append(column);
            }
            sql = "INSERT INTO " + table + " (" + all + ") VALUES (" + placeholders + ") ON CONFLICT (" + String.join(", ", keys) + ") DO UPDATE SET " + set;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Object[] row : rows) {
                bind(ps, row);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static void bind(PreparedStatement ps, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            ps.setObject(i + 1, values[i]);
        }
    }

    /** A text as a column of 4,000 holds it. */
    static String trim(String text) {
        return text == null || text.length() <= 3900 ? text : text.substring(0, 3900) + "...";
    }

    private static boolean detectH2(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("h2");
        } catch (SQLException e) {
            throw new StateStoreException("the state store is unreachable: " + e.getMessage(), e);
        }
    }
}

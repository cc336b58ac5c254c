package io.idsync.state;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

import java.util.Map;

/**
 * A process that saves checkpoint after checkpoint, as fast as it can, in a file-backed state store and prints each one once its
 * commit returned, until it is killed: what {@link StateStoreDurabilityTest} kills with {@code kill -9}.
 * Arguments: the JDBC URL.
 */
public final class CommitLoop {

    private CommitLoop() {
    }

    public static void main(String[] args) throws Exception {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL(args[0]);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        // the application's connection pool keeps the database open (H2 closes a database, writing everything, when
        // its last connection closes): so does this process
        java.sql.Connection pooled = dataSource.getConnection();
        StateStore state = new StateStore(dataSource);
        for (long n = 1; ; n++) {
            state.recordSynced("durable", "id-" + n, "ref-" + n, "dest-" + n);
            state.saveCheckpoint("durable", Long.toString(n), Map.of("created", n));
            System.out.println(n);
            System.out.flush();
            if (pooled.isClosed()) {
                throw new IllegalStateException("the held connection closed");
            }
        }
    }
}

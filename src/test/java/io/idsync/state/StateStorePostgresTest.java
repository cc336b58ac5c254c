package io.idsync.state;

import io.idsync.testsupport.Postgres;
import org.junit.jupiter.api.AfterEach;

import javax.sql.DataSource;

/**
 * The state store's tests on a real PostgreSQL (Debian's package, started by the test): the product's Flyway scripts
 * and every statement the store sends run there as they run on H2.
 */
class StateStorePostgresTest extends StateStoreTest {

    private Postgres postgres;

    @Override
    protected DataSource database() throws Exception {
        Postgres.assumeAvailable();
        postgres = Postgres.start();
        return postgres.dataSource();
    }

    @AfterEach
    void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }
}

package io.idsync.e2e;

import io.idsync.testsupport.Postgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole application with its state on a real PostgreSQL (the postgresql profile, as a deployment of several
 * instances runs it): the same jar, the same Flyway migrations, the H2 datasource inactive. The initial load of the
 * test profile's employees ends with their rows, and the pipe's checkpoint, in PostgreSQL.
 */
@QuarkusTest
@TestProfile(PostgresStateTest.OnPostgres.class)
class PostgresStateTest {

    private static final String PIPE = "pingone-to-directory";

    public static class OnPostgres implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "test,postgresql";
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PostgresResource.class));
        }
    }

    /** A PostgreSQL of the test's own; where there is none, the state stays on H2 and the test says it is skipped. */
    public static class PostgresResource implements QuarkusTestResourceLifecycleManager {
        static Postgres postgres;

        @Override
        public Map<String, String> start() {
            if (!Postgres.available()) {
                return Map.of("quarkus.datasource.active", "true", "quarkus.datasource.\"postgresql\".active", "false");
            }
            try {
                postgres = Postgres.start();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.of("quarkus.datasource.\"postgresql\".jdbc.url", postgres.url(), "quarkus.datasource.\"postgresql\".username", "idsync");
        }

        @Override
        public void stop() {
            if (postgres != null) {
                try {
                    postgres.close();
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @Test
    void theInitialLoadsStateIsInPostgres() throws Exception {
        Postgres.assumeAvailable();
        int employees = await().atMost(Duration.ofSeconds(60)).until(() -> RestAssured.given()
                .auth().preemptive().basic(ApiUsers.VIEWER, ApiUsers.VIEWER_PASSWORD).get("/api/pipes/" + PIPE)
                .then().statusCode(200).extract().jsonPath().getInt("syncStatus.success"), n -> n >= 200);
        try (Connection c = PostgresResource.postgres.dataSource().getConnection();
             ResultSet rows = c.createStatement().executeQuery("SELECT COUNT(*) FROM entry_state WHERE pipe = '" + PIPE + "' AND status = 'SYNCED'");
             ResultSet checkpoint = c.createStatement().executeQuery("SELECT COUNT(*) FROM pipe_checkpoint WHERE pipe = '" + PIPE + "'")) {
            rows.next();
            checkpoint.next();
            assertEquals(employees, rows.getInt(1), "every synced employee's row is in PostgreSQL");
            assertEquals(1, checkpoint.getInt(1), "and the pipe's checkpoint");
        }
    }
}

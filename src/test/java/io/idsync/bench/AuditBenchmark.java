package io.idsync.bench;

import io.idsync.state.StateStore;
import io.idsync.testsupport.ShippedStateStore;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The audit log's read side under load (issue 23): {@code N} records (default 100,000) in an H2 file state store as
 * shipped (migrated by the product's Flyway scripts), then 10 concurrent readers asking pages of 100 the way
 * {@code GET /api/audit} and the dashboard ask them: the newest page, the next page (keyset: {@code before=<id>}),
 * by pipe, by outcome, by operation, by entry, by time range. Prints the latencies (p50, p99, max) of
 * {@link StateStore#auditRecords} and, measured in the same run on the same database, of the raw system: the same
 * SQL through plain JDBC. Then it starts the packaged application on that database (prod profile, no pipe, one viewer)
 * and asks the same pages of {@code GET /api/audit} over HTTP, 10 clients at once. Not a test: run it by hand, after
 * {@code mvn package},
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) io.idsync.bench.AuditBenchmark 100000
 * </pre>
 */
public final class AuditBenchmark {

    private static final String[] PIPES = {"pingone-to-directory", "directory-to-pingone", "directory-groups-to-pingone", "pingone-to-scim"};
    private static final String[] OPERATIONS = {"create", "modify", "modify", "modify", "disable", "enable", "rename", "delete", "membership"};
    private static final int READERS = 10;
    private static final int QUERIES_PER_READER = 300;

    private AuditBenchmark() {
    }

    /** One kind of page a reader asks for. */
    private record Ask(String name, String pipe, String entry, String operation, String outcome, Instant from, Instant to, boolean nextPage) {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path dir = Files.createTempDirectory("idsync-audit-bench");
        JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("idsync") + ShippedStateStore.h2Options(), "idsync", "");
        pool.setMaxConnections(READERS + 2);
        Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        StateStore state = new StateStore(pool);

        Random random = new Random(42);
        Instant start = Instant.now().minusSeconds(records);
        List<String> sourceIds = new ArrayList<>();
        long loading = System.nanoTime();
        for (int i = 0; i < records; i++) {
            String sourceId = java.util.UUID.nameUUIDFromBytes(("user" + random.nextInt(records / 4 + 1)).getBytes()).toString();
            if (i % 1000 == 0) {
                sourceIds.add(sourceId);
            }
            state.audit(new StateStore.AuditRecord(0, start.plusSeconds(i), PIPES[random.nextInt(PIPES.length)], sourceId,
                    "uid=" + sourceId + ",ou=People,dc=example,dc=com", OPERATIONS[random.nextInt(OPERATIONS.length)],
                    random.nextInt(20) == 0 ? "failed" : "succeeded", "cn, givenName, mail, sn", null));
        }
        state.flush();
        System.out.printf("%,d audit records written in %.1f s%n", records, (System.nanoTime() - loading) / 1e9);

        List<Ask> asks = List.of(
                new Ask("newest page", null, null, null, null, null, null, false),
                new Ask("next page (before=)", null, null, null, null, null, null, true),
                new Ask("pipe=", PIPES[1], null, null, null, null, null, false),
                new Ask("outcome=failed", null, null, null, "failed", null, null, false),
                new Ask("operation=delete", null, null, "delete", null, null, null, false),
                new Ask("pipe= & outcome=failed", PIPES[2], null, null, "failed", null, null, false),
                new Ask("pipe= & entry=", PIPES[0], sourceIds.get(sourceIds.size() / 2), null, null, null, null, false),
                new Ask("from= & to= (an hour, long ago)", null, null, null, null, start.plusSeconds(records / 10), start.plusSeconds(records / 10 + 3600), false));
        long newest = state.auditRecords(null, null, null, null, null, null, 0, 1).get(0).id();

        for (int round = 0; round < 2; round++) { // the first round warms both JVM paths up
            boolean print = round == 1;
            measure("idsync (StateStore.auditRecords)", asks, print, ask -> () -> state.auditRecords(ask.pipe(), ask.entry(), ask.operation(),
                    ask.outcome(), ask.from(), ask.to(), ask.nextPage() ? newest - 5_000 : 0, 100).size());
            measure("raw H2 (the same SQL over JDBC)", asks, print, ask -> () -> raw(pool, ask, ask.nextPage() ? newest - 5_000 : 0));
        }
        pool.dispose();
        overHttp(dir, asks, newest);
    }

    /** The packaged application on the benchmark's database, asked the same pages over HTTP. */
    private static void overHttp(Path dir, List<Ask> asks, long newest) throws Exception {
        Path jar = Path.of(System.getProperty("idsync.jar", "target/quarkus-app/quarkus-run.jar")).toAbsolutePath();
        if (!Files.exists(jar)) {
            System.out.println("\n(no " + jar + ": mvn package first for the HTTP figures)");
            return;
        }
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String password = "audit-bench-password";
        String hash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-512")
                .digest(("bench:idsync:" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dquarkus.http.port=" + port, "-Dquarkus.datasource.jdbc.url=jdbc:h2:file:" + dir.resolve("idsync") + ShippedStateStore.h2Options(),
                // one pipe, so that pipe= names one the API knows; its systems are nowhere (its polls fail at once, quietly)
                "-Didsync.connections.pingone.api-url=http://127.0.0.1:9/v1", "-Didsync.connections.pingone.environment-id=bench",
                "-Didsync.connections.pingone.client-id=bench", "-Didsync.connections.pingone.client-secret=bench",
                "-Didsync.connections.directory.url=ldap://127.0.0.1:9", "-Didsync.connections.directory.bind-dn=cn=bench",
                "-Didsync.connections.directory.bind-password=bench", "-Didsync.connections.directory.base-dn=dc=example,dc=com",
                "-Didsync.pipes.pingone-to-directory.polling-interval-ms=60000", "-Dquarkus.log.level=ERROR",
                "-Dquarkus.security.users.embedded.users.bench=" + hash,
                "-Dquarkus.security.users.embedded.roles.bench=viewer", "-jar", jar.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("app.log").toFile()).start();
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            String authorization = "Basic " + java.util.Base64.getEncoder().encodeToString(("bench:" + password).getBytes());
            String base = "http://127.0.0.1:" + port;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (true) {
                try {
                    if (http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/q/health/live")).build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (java.io.IOException e) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline || !app.isAlive()) {
                    throw new IllegalStateException("the application did not come up: see " + dir.resolve("app.log"));
                }
                Thread.onSpinWait(); // (a benchmark: a few seconds of waiting for start-up)
            }
            for (int round = 0; round < 2; round++) {
                measure("idsync over HTTP (GET /api/audit, basic auth, JSON)", asks, round == 1, ask -> () -> {
                    StringBuilder query = new StringBuilder("limit=100");
                    append(query, "pipe", ask.pipe() == null ? null : PIPES[0]); // the one pipe the application runs
                    append(query, "entry", ask.entry());
                    append(query, "operation", ask.operation());
                    append(query, "outcome", ask.outcome());
                    append(query, "from", ask.from() == null ? null : ask.from().toString());
                    append(query, "to", ask.to() == null ? null : ask.to().toString());
                    append(query, "before", ask.nextPage() ? Long.toString(newest - 5_000) : null);
                    try {
                        java.net.http.HttpResponse<String> answer = http.send(java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create(base + "/api/audit?" + query)).header("Authorization", authorization).build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString());
                        if (answer.statusCode() != 200) {
                            throw new IllegalStateException(answer.statusCode() + " " + answer.body());
                        }
                        return answer.body().split("\"id\":", -1).length - 1;
                    } catch (java.io.IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        } finally {
            app.destroy();
            app.waitFor();
        }
    }

    private static void append(StringBuilder query, String name, String value) {
        if (value != null) {
            query.append('&').append(name).append('=').append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** The statement StateStore sends, built the same way, run over a plain pooled connection. */
    private static int raw(JdbcConnectionPool pool, Ask ask, long before) {
        StringBuilder where = new StringBuilder("1 = 1");
        List<Object> values = new ArrayList<>();
        Object[][] filters = {{"pipe", ask.pipe()}, {"source_id", ask.entry()}, {"operation", ask.operation()}, {"outcome", ask.outcome()}};
        for (Object[] filter : filters) {
            if (filter[1] != null) {
                where.append(" AND ").append(filter[0]).append(" = ?");
                values.add(filter[1]);
            }
        }
        if (ask.from() != null) {
            where.append(" AND recorded_at >= ?");
            values.add(java.sql.Timestamp.from(ask.from()));
        }
        if (ask.to() != null) {
            where.append(" AND recorded_at < ?");
            values.add(java.sql.Timestamp.from(ask.to()));
        }
        if (before > 0) {
            where.append(" AND id < ?");
            values.add(before);
        }
        String leading = ask.pipe() != null ? (ask.entry() != null ? "pipe, source_id, " : "pipe, ") : ask.outcome() != null ? "outcome, "
                : ask.operation() != null ? "operation, " : "";
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, recorded_at, pipe, source_id, destination, operation, outcome, attributes, reason FROM audit_record WHERE " + where
                        + " ORDER BY " + leading + "id DESC FETCH FIRST 100 ROWS ONLY")) {
            for (int i = 0; i < values.size(); i++) {
                ps.setObject(i + 1, values.get(i));
            }
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    n++;
                }
            }
            return n;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void measure(String who, List<Ask> asks, boolean print, java.util.function.Function<Ask, Supplier<Integer>> query) throws Exception {
        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        List<List<long[]>> perAsk = new ArrayList<>();
        for (int i = 0; i < asks.size(); i++) {
            perAsk.add(Collections.synchronizedList(new ArrayList<>()));
        }
        List<Future<?>> done = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
            int reader = r;
            done.add(readers.submit(() -> {
                for (int q = 0; q < QUERIES_PER_READER; q++) {
                    int which = (reader + q) % asks.size();
                    long started = System.nanoTime();
                    int rows = query.apply(asks.get(which)).get();
                    perAsk.get(which).add(new long[]{System.nanoTime() - started, rows});
                }
                return null;
            }));
        }
        for (Future<?> future : done) {
            future.get();
        }
        readers.shutdown();
        if (!print) {
            return;
        }
        System.out.printf("%n%s, %d readers, %d pages of at most 100:%n", who, READERS, READERS * QUERIES_PER_READER);
        List<Long> all = new ArrayList<>();
        for (int i = 0; i < asks.size(); i++) {
            List<Long> times = new ArrayList<>(perAsk.get(i).stream().map(t -> t[0]).toList());
            all.addAll(times);
            System.out.printf("  %-34s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (rows %d)%n", asks.get(i).name(), percentile(times, 50),
                    percentile(times, 99), percentile(times, 100), perAsk.get(i).get(0)[1]);
        }
        System.out.printf("  %-34s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms%n", "all", percentile(all, 50), percentile(all, 99), percentile(all, 100));
    }

    private static double percentile(List<Long> nanos, int p) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int index = Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1e6;
    }
}

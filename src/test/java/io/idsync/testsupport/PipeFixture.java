package io.idsync.testsupport;

import io.idsync.connector.ldap.LdapDirectory;
import io.idsync.connector.ldap.LdapSettings;
import io.idsync.connector.pingone.PingOneActivities;
import io.idsync.connector.pingone.PingOneClient;
import io.idsync.connector.pingone.PingOneSettings;
import io.idsync.connector.pingone.PingOneUserSource;
import io.idsync.mapping.MappingFile;
import io.idsync.pipe.Pipe;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.sandbox.DemoSeed;
import io.idsync.sandbox.PingOneSandbox;
import io.idsync.sandbox.SandboxEnvironment;
import io.idsync.state.StateStore;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Everything the pingone-to-directory pipe needs, without Quarkus: a PingOne sandbox and a demo directory on
 * free ports, an in-memory H2 state store migrated by the product's Flyway scripts, and the pipe built from
 * the shipped mapping file. {@link #restart()} builds a new pipe over the same systems and state, as a
 * process restart would.
 */
public final class PipeFixture extends RoadFixture {

    public static final String PIPE = "pingone-to-directory";
    public static final String WORKER = "idsync-route-test";
    public static final String WORKER_SECRET = "route-test-secret";

    public final PingOneSandbox pingOne;
    public final DemoDirectory directory;
    public final SandboxEnvironment environment;
    public final SandboxAdmin admin;
    /** the deletion guard the next {@link #restart()} gives the pipe */
    public io.idsync.pipe.DeletionGuard deletionGuard = io.idsync.pipe.DeletionGuard.defaults();
    private final java.util.Map<String, LdapDirectory> ldap = new java.util.HashMap<>();

    public PipeFixture(int employees, int contractors) throws IOException {
        pingOne = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 1000, Duration.ZERO)).start();
        // a fixed port, so that a directory stopped by a test comes back where the pipe looks for it
        directory = new DemoDirectory(DemoDirectory.Settings.defaults(freePort())).start();
        environment = DemoSeed.seed(pingOne, WORKER, WORKER_SECRET, employees, contractors);
        admin = SandboxAdmin.demoAdmin(pingOne.baseUrl());
        restart();
    }

    /** A new pipe (new connectors, counters read back from the state store) over the same systems. */
    public Pipe restart() {
        return restart(PIPE, "Employees", "mappings/pingone-to-directory.yaml");
    }

    /** As {@link #restart()}, for pipe {@code name} synchronizing {@code population} with this mapping file (a path or a classpath resource). */
    public Pipe restart(String name, String population, String mapping) {
        return restart(name, population, mapping, java.util.function.UnaryOperator.identity());
    }

    /** As {@link #restart(String, String, String)}, with the directory connection's settings changed by {@code connection}. */
    public Pipe restart(String name, String population, String mapping, java.util.function.UnaryOperator<LdapSettings> connection) {
        return restart(name, population, mapping, connection, Duration.ZERO);
    }

    /** As {@link #restart(String, String, String, java.util.function.UnaryOperator)}, PingOne read {@code pollingOffset} behind now. */
    public Pipe restart(String name, String population, String mapping, java.util.function.UnaryOperator<LdapSettings> connection, Duration pollingOffset) {
        LdapDirectory previous = ldap.remove(name);
        if (previous != null) {
            previous.close();
        }
        PingOneSettings settings = new PingOneSettings("pingone", pingOne.baseUrl() + "/v1", pingOne.baseUrl() + "/" + DemoSeed.ENVIRONMENT + "/as/token",
                DemoSeed.ENVIRONMENT, WORKER, WORKER_SECRET, PingOneSettings.TokenAuthMethod.BASIC, pollingOffset, 0, 50, Duration.ofSeconds(5), Duration.ofSeconds(10), 3);
        PingOneClient client = new PingOneClient(settings);
        PingOneActivities changes = new PingOneActivities(client, io.idsync.connector.EntryType.USER, List.of("idsync-reverse-worker"));
        PingOneUserSource source = new PingOneUserSource(client, List.of(population), List.of());
        LdapDirectory destination = new LdapDirectory(connection.apply(new LdapSettings("directory", directory.url(), "cn=Directory Manager",
                "demo-password", DemoDirectory.BASE_DN, 4, Duration.ofSeconds(2), Duration.ofSeconds(5))));
        ldap.put(name, destination);
        Pipe pipe = new Pipe(name, io.idsync.connector.EntryType.USER, changes, source, destination, MappingFile.load(mapping), state, deletionGuard)
                .writesTo("directory");
        pipes.register(pipe);
        return pipe;
    }

    /** The shipped pingone-to-directory mapping, edited, as a file in {@code dir}: a test's variant of it. */
    public static java.nio.file.Path shippedMapping(java.nio.file.Path dir, String name, java.util.function.UnaryOperator<String> edit) throws IOException {
        try (java.io.InputStream shipped = PipeFixture.class.getClassLoader().getResourceAsStream("mappings/pingone-to-directory.yaml")) {
            java.nio.file.Path file = dir.resolve(name);
            java.nio.file.Files.writeString(file, edit.apply(new String(shipped.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)));
            return file;
        }
    }

    /** A state store of its own in in-memory H2, migrated by the product's Flyway scripts. */
    public static StateStore memoryStateStore() {
        return new StateStore(memoryDatabase());
    }

    /** An in-memory H2 database of its own, migrated by the product's Flyway scripts (a new StateStore on it is a restart). */
    public static javax.sql.DataSource memoryDatabase() {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        return dataSource;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public Pipe pipe() {
        return pipes.get(PIPE);
    }



    @Override
    public void close() {
        ldap.values().forEach(LdapDirectory::close);
        super.close();
        pingOne.close();
        directory.close();
    }
}

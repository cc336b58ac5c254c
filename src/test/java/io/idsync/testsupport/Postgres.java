package io.idsync.testsupport;

import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL from Debian's {@code postgresql} package, started for a test with {@code initdb} and
 * {@code pg_ctl} on a free loopback port in a temporary directory (trust authentication, user {@code idsync},
 * database {@code idsync}), and stopped with it. PostgreSQL refuses to run as root: as root, it runs as the package's
 * {@code postgres} user.
 */
public final class Postgres implements AutoCloseable {

    private static final Path BIN = findBin();

    private final Path home;
    private final int port;

    private static Path findBin() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(bin -> Files.isExecutable(bin.resolve("initdb")))
                    .max(Comparator.naturalOrder()).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    public static boolean available() {
        return BIN != null;
    }

    /**
     * For a test against real PostgreSQL: skipped, with the reason, without Debian's {@code postgresql}; failed where the
     * run requires it ({@code .ci/run} sets {@code IDSYNC_REQUIRE_POSTGRES}, and so does any {@code CI}).
     */
    public static void assumeAvailable() {
        RequiredTool.assumeAvailable(available(), "PostgreSQL is not installed (Debian package postgresql; .ci/run installs it)",
                "IDSYNC_REQUIRE_POSTGRES");
    }

    public static Postgres start() throws IOException {
        return new Postgres();
    }

    private Postgres() throws IOException {
        home = Files.createTempDirectory("idsync-postgres");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path data = home.resolve("data");
        run(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "idsync", "--auth=trust", "-E", "UTF8", "--no-sync");
        run(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", home.resolve("postgres.log").toString(), "-w", "-o",
                "-p " + port + " -k " + home + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        run(BIN.resolve("psql").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "idsync", "-d", "postgres",
                "-c", "CREATE DATABASE idsync");
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/idsync";
    }

    /** A data source on the test's database, as user {@code idsync}. */
    public DataSource dataSource() {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(url());
        source.setUser("idsync");
        return source;
    }

    private static void run(String... command) throws IOException {
        List<String> line = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", line) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            run(BIN.resolve("pg_ctl").toString(), "-D", home.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        } finally {
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}

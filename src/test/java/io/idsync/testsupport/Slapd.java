package io.idsync.testsupport;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real OpenLDAP {@code slapd} from Debian's package, started for a test on a free loopback port with its
 * own configuration (mdb database for {@code dc=example,dc=com}, rootdn {@code cn=Manager}) in a temporary
 * directory, and stopped with it.
 */
public final class Slapd implements AutoCloseable {

    public static final String BINARY = "/usr/sbin/slapd";
    public static final String SUFFIX = "dc=example,dc=com";
    public static final String ROOT_DN = "cn=Manager," + SUFFIX;
    public static final String ROOT_PASSWORD = "slapd-test-secret";

    private final Path home;
    private final Process process;
    private final int port;
    private final int ldapsPort;

    public static boolean available() {
        return Files.isExecutable(Path.of(BINARY)) && Files.isDirectory(Path.of("/etc/ldap/schema"));
    }

    /**
     * For a test against real OpenLDAP: skipped, with the reason, on a machine without Debian's {@code slapd}; failed
     * where the run requires it ({@code .ci/run} sets {@code IDSYNC_REQUIRE_SLAPD}, and so does any {@code CI}), so a
     * CI run never passes by skipping.
     */
    public static void assumeAvailable() {
        RequiredTool.assumeAvailable(available(), "slapd is not installed (Debian package slapd; .ci/run installs it)", "IDSYNC_REQUIRE_SLAPD");
    }

    /**
     * A slapd as replicated OpenLDAP deployments have it: with the syncprov overlay, which keeps the suffix's
     * {@code contextCSN} (the newest change committed), the bound idsync's entryCSN feed reads before each search.
     */
    public static Slapd start() throws IOException {
        return new Slapd(false, true, null);
    }

    /**
     * A slapd that also speaks TLS with this certificate and key ({@code TLSCertificateFile}, {@code TLSCertificateKeyFile}):
     * LDAPS on {@link #ldapsPort()} and StartTLS on {@link #port()}, listening on 127.0.0.1 and 127.0.0.2 (one
     * certificate, two host names to reach it by), logging each operation ({@code stats}) so a test can tell whether a
     * bind reached it ({@link #binds()}).
     */
    public static Slapd startWithTls(Path certificate, Path key) throws IOException {
        return new Slapd(false, true, new Path[]{certificate, key});
    }

    /** A stand-alone slapd without syncprov: no contextCSN, so idsync's entryCSN feed bounds its batches by time. */
    public static Slapd startWithoutSyncprov() throws IOException {
        return new Slapd(false, false, null);
    }

    /** For bulk loads (the benchmark): the database is not synced to disk at each write, uid is indexed, and operations are not logged. */
    public static Slapd startForBulkLoads() throws IOException {
        return new Slapd(true, true, null);
    }

    /** The second suffix of {@link #startForBenchmark}: another mdb database, where a directory → directory pipe writes. */
    public static final String REPLICA_SUFFIX = "o=replica";

    /**
     * For the directory → directory benchmark: {@link #SUFFIX} and {@link #REPLICA_SUFFIX}, each its own mdb database
     * with syncprov, uid indexed, no operation log; {@code fsync} false is {@code dbnosync} (no sync per write).
     */
    public static Slapd startForBenchmark(boolean fsync) throws IOException {
        return new Slapd(true, true, null, true, fsync);
    }

    private Slapd(boolean bulk, boolean syncprov, Path[] tls) throws IOException {
        this(bulk, syncprov, tls, false, !bulk);
    }

    private Slapd(boolean bulk, boolean syncprov, Path[] tls, boolean replica, boolean fsync) throws IOException {
        home = Files.createTempDirectory("idsync-slapd");
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("replica"));
        try (ServerSocket socket = new ServerSocket(0); ServerSocket secure = new ServerSocket(0)) {
            port = socket.getLocalPort();
            ldapsPort = secure.getLocalPort();
        }
        Files.writeString(home.resolve("slapd.conf"), String.join("\n",
                "include /etc/ldap/schema/core.schema",
                "include /etc/ldap/schema/cosine.schema",
                "include /etc/ldap/schema/inetorgperson.schema",
                "include /etc/ldap/schema/nis.schema",
                "pidfile " + home.resolve("slapd.pid"),
                "argsfile " + home.resolve("slapd.args"),
                tls == null ? "" : "TLSCertificateFile " + tls[0] + "\nTLSCertificateKeyFile " + tls[1],
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                syncprov ? "moduleload syncprov" : "",
                "database mdb",
                bulk ? "maxsize 4294967296" : "maxsize 104857600",
                "suffix \"" + SUFFIX + "\"",
                "rootdn \"" + ROOT_DN + "\"",
                "rootpw " + ROOT_PASSWORD,
                "directory " + home.resolve("data"),
                "index objectClass eq",
                "index entryUUID eq",
                "index member eq",
                bulk ? "index uid eq\nloglevel 0" : "",
                fsync ? "" : "dbnosync",
                syncprov ? "overlay syncprov" : "",
                replica ? String.join("\n", "database mdb", "maxsize 4294967296", "suffix \"" + REPLICA_SUFFIX + "\"",
                        "rootdn \"" + ROOT_DN + "\"", "directory " + home.resolve("replica"),
                        "index objectClass eq", "index entryUUID eq", "index uid eq", fsync ? "" : "dbnosync", "overlay syncprov") : "",
                ""));
        String listen = tls == null ? "ldap://127.0.0.1:" + port + "/"
                : String.join(" ", "ldap://127.0.0.1:" + port + "/", "ldap://127.0.0.2:" + port + "/", "ldaps://127.0.0.1:" + ldapsPort + "/",
                "ldaps://127.0.0.2:" + ldapsPort + "/");
        process = new ProcessBuilder(BINARY, "-h", listen, "-f", home.resolve("slapd.conf").toString(), "-d", tls == null ? "0" : "256")
                .redirectErrorStream(true).redirectOutput(home.resolve("slapd.log").toFile()).start();
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("slapd exited: " + Files.readString(home.resolve("slapd.log")));
            }
            try (LDAPConnection connection = connection()) {
                return connection.isConnected();
            }
        });
    }

    /** The CPU time slapd has used so far. */
    public Duration cpu() {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    public int port() {
        return port;
    }

    /** The LDAPS port of a slapd started {@link #startWithTls with TLS}. */
    public int ldapsPort() {
        return ldapsPort;
    }

    /** How many bind operations slapd has logged (a slapd started with TLS logs each operation). */
    public long binds() throws IOException {
        try (Stream<String> lines = Files.lines(home.resolve("slapd.log"))) {
            return lines.filter(line -> line.contains(" BIND dn=")).count();
        }
    }

    public String url() {
        return "ldap://127.0.0.1:" + port;
    }

    /** A connection bound as the rootdn; the caller closes it. */
    public LDAPConnection connection() throws LDAPException {
        return new LDAPConnection("127.0.0.1", port, ROOT_DN, ROOT_PASSWORD);
    }

    public static final String PEOPLE = "ou=People," + SUFFIX;
    public static final String PROVISIONING_GROUP = "cn=Provisioning Users,ou=Groups," + SUFFIX;

    /**
     * The tests' directory: the suffix, {@code ou=People} with {@code uid=ann}, {@code ben} and {@code cat}
     * (inetOrgPerson), and {@code cn=Provisioning Users} (groupOfNames) with ann and ben as members.
     */
    public Slapd withPeople() throws LDAPException {
        try (LDAPConnection admin = connection()) {
            admin.add("dn: " + SUFFIX, "objectClass: dcObject", "objectClass: organization", "dc: example", "o: Example");
            admin.add("dn: " + PEOPLE, "objectClass: organizationalUnit", "ou: People");
            admin.add("dn: ou=Groups," + SUFFIX, "objectClass: organizationalUnit", "ou: Groups");
            for (String uid : new String[]{"ann", "ben", "cat"}) {
                admin.add("dn: uid=" + uid + "," + PEOPLE, "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid, "sn: Original",
                        "givenName: " + uid, "mail: " + uid + "@example.com");
            }
            admin.add("dn: " + PROVISIONING_GROUP, "objectClass: groupOfNames", "cn: Provisioning Users",
                    "member: uid=ann," + PEOPLE, "member: uid=ben," + PEOPLE);
        } catch (com.unboundid.ldif.LDIFException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}

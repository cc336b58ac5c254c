package io.idsync.testsupport;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldif.LDIFException;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real 389 Directory Server ({@code ns-slapd} from Debian's {@code 389-ds-base}), started for a test on a free loopback
 * port with its whole instance (config, schema, database, logs, pid) in a temporary directory, and killed and deleted
 * with it. The suffix {@code dc=example,dc=com} has {@code ou=People} and {@code ou=Groups} (the first three entries of
 * the changelog); the Retro Changelog ({@code cn=changelog}) carries each change's {@code targetUniqueId} (nsUniqueId)
 * and {@code targetEntryUUID} (entryUUID); the MemberOf plugin is on, as in most 389 deployments.
 *
 * <p>{@code dscreate} (lib389) is not used: it needs systemd and keeps instances under {@code /etc/dirsrv}. The instance
 * is written the way lib389 writes it, from the package's {@code template-dse.ldif}, with everything configured before
 * the first start so that one start (under a second) suffices.
 */
public final class Ds389 implements AutoCloseable {

    public static final String BINARY = "/usr/sbin/ns-slapd";
    public static final String SUFFIX = "dc=example,dc=com";
    public static final String ROOT_DN = "cn=Directory Manager";
    public static final String ROOT_PASSWORD = "ds389-test-secret";
    public static final String PEOPLE = "ou=People," + SUFFIX;
    public static final String GROUPS = "ou=Groups," + SUFFIX;
    public static final String CHANGELOG = "cn=changelog";

    private static final Path TEMPLATE = Path.of("/usr/share/dirsrv/data/template-dse.ldif");

    private final Path home;
    private final Path config;
    private final int port;
    private ProcessHandle server;

    public static boolean available() {
        return Files.isExecutable(Path.of(BINARY)) && Files.isReadable(TEMPLATE);
    }

    /**
     * For a test against real 389 DS: skipped, with the reason, without Debian's {@code 389-ds-base}; failed where the run
     * requires it ({@code .ci/run} sets {@code IDSYNC_REQUIRE_389DS}, and so does any {@code CI}).
     */
    public static void assumeAvailable() {
        RequiredTool.assumeAvailable(available(), "389 Directory Server is not installed (Debian package 389-ds-base; .ci/run installs it)",
                "IDSYNC_REQUIRE_389DS");
    }

    public static Ds389 start() throws IOException {
        return new Ds389(true);
    }

    /**
     * A 389 DS whose Retro Changelog is as the plugin ships it: no {@code nsslapd-attribute}, so a delete's changelog
     * entry names only its DN ({@code targetDn}), not the entry's id.
     */
    public static Ds389 startWithPlainRetroChangelog() throws IOException {
        return new Ds389(false);
    }

    private Ds389(boolean targetIds) throws IOException {
        home = Files.createTempDirectory("idsync-ds389");
        // ns-slapd names its instance (stats file, and a POSIX semaphore in /dev/shm) after the text from the config
        // directory's last "slapd-": "slapd-<this directory's name>" keeps concurrent instances apart
        config = home.resolve("slapd-" + home.getFileName());
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try {
            writeInstance(targetIds);
            Process launcher = new ProcessBuilder(BINARY, "-D", config.toString(), "-i", home.resolve("run/slapd.pid").toString())
                    .redirectErrorStream(true).redirectOutput(home.resolve("log/launcher").toFile()).start();
            // ns-slapd detaches, and its launcher fails by itself on a bad config or a taken port (in the foreground,
            // with -d, the server would log nothing at all, not even why it stopped)
            if (!launcher.waitFor(60, TimeUnit.SECONDS) || launcher.exitValue() != 0) {
                launcher.destroyForcibly();
                throw new IOException("ns-slapd failed: " + Files.readString(home.resolve("log/launcher")).strip());
            }
            // the detached server writes its pid file once it is up
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptionsInstanceOf(LDAPException.class).until(() -> {
                server = pid().flatMap(ProcessHandle::of).orElse(null);
                if (pid().isPresent() && exited()) {
                    throw new IllegalStateException("ns-slapd exited");
                }
                try (LDAPConnection connection = connection()) {
                    return connection.isConnected();
                }
            });
            try (LDAPConnection admin = connection()) {
                admin.add("dn: " + SUFFIX, "objectClass: top", "objectClass: domain", "dc: example");
                admin.add("dn: " + PEOPLE, "objectClass: top", "objectClass: organizationalUnit", "ou: People");
                admin.add("dn: " + GROUPS, "objectClass: top", "objectClass: organizationalUnit", "ou: Groups");
            }
        } catch (IOException | RuntimeException | LDAPException | LDIFException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            IOException failure = new IOException("389 DS did not start: " + e.getMessage() + "; its errors log ends:" + errorsLogTail(), e);
            close();
            throw failure;
        }
    }

    /** The instance's dse.ldif: the package's template with its placeholders filled in, edited, and extended. */
    private void writeInstance(boolean targetIds) throws IOException {
        for (String dir : new String[]{"db", "log", "run", "lock", "tmp", "bak", "ldif"}) {
            Files.createDirectories(home.resolve(dir));
        }
        // the server's schema is in /usr/share/dirsrv/schema; the instance's own holds local additions (none)
        Files.createDirectories(config.resolve("schema"));
        Files.writeString(config.resolve("schema/99user.ldif"), "dn: cn=schema\n");
        // the language collations (for sorting by locale) are readable by root and dirsrv only; without them the server
        // logs an error and runs
        Path collations = Path.of("/etc/dirsrv/config/slapd-collations.conf");
        if (Files.isReadable(collations)) {
            Files.copy(collations, config.resolve("slapd-collations.conf"));
        }
        String dse = Files.readString(TEMPLATE)
                // lib389 writes a hashed password; a test server can say it keeps it in clear (it must say so first)
                .replace("nsslapd-rootpw: %ds_passwd%", "nsslapd-rootpwstoragescheme: CLEAR\nnsslapd-rootpw: " + ROOT_PASSWORD);
        Map<String, String> values = Map.ofEntries(
                Map.entry("schema_dir", config.resolve("schema").toString()), Map.entry("lock_dir", home.resolve("lock").toString()),
                Map.entry("tmp_dir", home.resolve("tmp").toString()), Map.entry("cert_dir", config.toString()),
                Map.entry("ldif_dir", home.resolve("ldif").toString()), Map.entry("bak_dir", home.resolve("bak").toString()),
                Map.entry("run_dir", home.resolve("run").toString()), Map.entry("inst_dir", home.toString()),
                Map.entry("log_dir", home.resolve("log").toString()), Map.entry("fqdn", "localhost"),
                Map.entry("ds_port", Integer.toString(port)),
                // as root it stays root (it would otherwise switch to this user); otherwise it runs as whoever starts it
                Map.entry("ds_user", System.getProperty("user.name")), Map.entry("rootdn", ROOT_DN),
                Map.entry("ldapi_enabled", "off"), Map.entry("ldapi", home.resolve("run/slapd.socket").toString()),
                Map.entry("ldapi_autobind", "off"), Map.entry("ds_suffix", SUFFIX), Map.entry("config_dir", config.toString()),
                Map.entry("db_dir", home.resolve("db").toString()),
                // the default, /dev/shm/slapd-<instance>, would live outside the test's directory
                Map.entry("db_home_dir", home.resolve("db").toString()), Map.entry("db_lib", "bdb"));
        for (Map.Entry<String, String> value : values.entrySet()) {
            dse = dse.replace("%" + value.getKey() + "%", value.getValue());
        }
        StringBuilder out = new StringBuilder();
        for (String entry : dse.split("\n\n+")) {
            out.append(switch (entry.substring(0, entry.indexOf('\n')).toLowerCase(Locale.ROOT)) {
                case "dn: cn=config" -> entry + "\nnsslapd-listenhost: 127.0.0.1\nnsslapd-defaultnamingcontext: " + SUFFIX;
                // caches autosize to a quarter of the machine's memory: small and fixed instead, and no fsync
                case "dn: cn=config,cn=ldbm database,cn=plugins,cn=config" ->
                        entry + "\nnsslapd-cache-autosize: 0\nnsslapd-dbcachesize: 16777216\nnsslapd-db-durable-transaction: off";
                case "dn: cn=retro changelog plugin,cn=plugins,cn=config" -> entry.replace("nsslapd-pluginenabled: off", "nsslapd-pluginenabled: on")
                        + (targetIds ? "\nnsslapd-attribute: nsuniqueid:targetUniqueId\nnsslapd-attribute: entryuuid:targetEntryUUID" : "");
                case "dn: cn=memberof plugin,cn=plugins,cn=config" -> entry.replace("nsslapd-pluginenabled: off", "nsslapd-pluginenabled: on");
                default -> entry;
            }).append("\n\n");
        }
        // the entryUUID plugin: ns-slapd adds it to a dse.ldif without it, but only loads it from the next start on
        for (String plugin : new String[]{"entryuuid:betxnpreoperation", "entryuuid_syntax:syntax"}) {
            String name = plugin.substring(0, plugin.indexOf(':'));
            out.append(String.join("\n", "dn: cn=" + name + ",cn=plugins,cn=config", "objectClass: top", "objectClass: nsSlapdPlugin",
                    "cn: " + name, "nsslapd-pluginPath: lib" + name.replace('_', '-') + "-plugin", "nsslapd-pluginInitfunc: " + name + "_plugin_init",
                    "nsslapd-pluginType: " + plugin.substring(plugin.indexOf(':') + 1), "nsslapd-pluginEnabled: on",
                    "nsslapd-pluginId: " + name, "nsslapd-pluginVersion: none", "nsslapd-pluginVendor: 389 Project",
                    "nsslapd-pluginDescription: " + name, "", ""));
        }
        out.append(String.join("\n",
                "dn: cn=entryUUID,cn=default indexes,cn=config,cn=ldbm database,cn=plugins,cn=config",
                "objectClass: top", "objectClass: nsIndex", "cn: entryUUID", "nsSystemIndex: false", "nsIndexType: eq", "nsIndexType: pres",
                "",
                "dn: cn=userRoot,cn=ldbm database,cn=plugins,cn=config",
                "objectClass: top", "objectClass: extensibleObject", "objectClass: nsBackendInstance", "cn: userRoot",
                "nsslapd-suffix: " + SUFFIX, "nsslapd-directory: " + home.resolve("db/userRoot"), "nsslapd-cachememsize: 16777216",
                "",
                "dn: cn=\"" + SUFFIX + "\",cn=mapping tree,cn=config",
                "objectClass: top", "objectClass: extensibleObject", "objectClass: nsMappingTree", "cn: " + SUFFIX, "cn: \"" + SUFFIX + "\"",
                "nsslapd-state: backend", "nsslapd-backend: userRoot",
                "", ""));
        Files.writeString(config.resolve("dse.ldif"), out);
    }

    private Optional<Long> pid() {
        try {
            return Optional.of(Long.parseLong(Files.readString(home.resolve("run/slapd.pid")).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether the server has exited, as a zombie too: the detached server is not this JVM's child, and whoever adopts it
     * reaps it late (a second later here), or, in a container without an init, never.
     */
    private boolean exited() {
        if (server == null) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + server.pid() + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    private String errorsLogTail() {
        try (Stream<String> lines = Files.lines(home.resolve("log/errors"))) {
            List<String> all = new ArrayList<>(lines.toList());
            return "\n" + String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        } catch (IOException | RuntimeException e) {
            return " (no errors log: " + e + ")";
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "ldap://127.0.0.1:" + port;
    }

    /** A connection bound as the Directory Manager; the caller closes it. */
    public LDAPConnection connection() throws LDAPException {
        return new LDAPConnection("127.0.0.1", port, ROOT_DN, ROOT_PASSWORD);
    }

    /**
     * Kills the server (a clean stop takes ns-slapd four seconds, and its database goes with the directory anyway) and
     * deletes the directory, and the semaphore that only a clean stop would have removed.
     */
    @Override
    public void close() throws IOException {
        if (server == null) {
            server = pid().flatMap(ProcessHandle::of).orElse(null);
        }
        if (server != null) {
            server.destroyForcibly();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(this::exited);
        }
        Files.deleteIfExists(Path.of("/dev/shm/sem." + config.getFileName() + ".stats"));
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}

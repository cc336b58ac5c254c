package io.idsync.bench;

import com.unboundid.ldap.sdk.AddRequest;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchScope;
import io.idsync.connector.EntryType;
import io.idsync.connector.ldap.LdapDirectory;
import io.idsync.connector.ldap.LdapEntrySource;
import io.idsync.connector.ldap.LdapSettings;
import io.idsync.connector.ldap.LdapSourceSettings;
import io.idsync.mapping.MappingFile;
import io.idsync.pipe.Pipe;
import io.idsync.pipe.Pipes;
import io.idsync.pipe.Retry;
import io.idsync.pipe.Road;
import io.idsync.state.StateStore;
import io.idsync.testsupport.ShippedStateStore;
import io.idsync.testsupport.Slapd;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.impl.DefaultCamelContext;
import org.flywaydb.core.Flyway;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * idsync against the raw directory, in one run on a private slapd holding both suffixes ({@code dc=example,dc=com}
 * and {@code o=replica}, each its own mdb database): the raw add rate of N entries through the LDAP SDK with the
 * connections idsync's destination gets, then the shipped directory-to-directory pipe (its route file and mapping,
 * less what OpenLDAP assigns itself: entryUUID and ds-pwp-account-disabled) loading the same N into {@code o=replica},
 * and their ratio; then 10,000 modifies in one burst (the raw modify rate, and the time until idsync has applied
 * them all), then 1,000 deletes found by the reconciliation. In {@code dbnosync} and in fsync mode. Not a test:
 * <pre>java -Xmx256m -cp ... io.idsync.bench.DirectoryToDirectoryBenchmark 100000 [workers] [nosync|fsync|both]</pre>
 * Then a first run over the full destination (a new state store: every entry found by correlation). Properties:
 * {@code bench.loadOnly=true} stops after the load (for a profiler); {@code bench.state=postgresql} keeps the state in a
 * PostgreSQL of the benchmark's; {@code bench.h2Options} and {@code bench.sql} (statements run after the migration, such
 * as a {@code DROP INDEX}) measure what a change to H2 would buy.
 */
public final class DirectoryToDirectoryBenchmark {

    private static final String SOURCE = "ou=People," + Slapd.SUFFIX;
    private static final String REPLICA = "ou=People," + Slapd.REPLICA_SUFFIX;
    private static final String RAW = "ou=Raw," + Slapd.REPLICA_SUFFIX;
    /** {@code -Dbench.state=postgresql}: the state store in a PostgreSQL 15 of the benchmark's (fsync off), else H2 as shipped */
    private static io.idsync.testsupport.Postgres POSTGRES;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        org.jboss.logmanager.LogContext.getSystemLogContext().getLogger("").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING); // as a service logs: no line per entry
        // the shipped application.properties (on the class path) switches this pipe off until a deployment wires it
        System.setProperty("idsync.pipes.directory-to-directory.enabled", "true");
        int entries = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        String modes = args.length > 2 ? args[2] : "both";
        if ("postgresql".equals(System.getProperty("bench.state"))) {
            POSTGRES = io.idsync.testsupport.Postgres.start();
        }
        for (boolean fsync : modes.equals("both") ? List.of(false, true) : List.of(modes.equals("fsync"))) {
            run(entries, workers, fsync);
        }
        if (POSTGRES != null) {
            POSTGRES.close();
        }
    }

    private static void run(int entries, int workers, boolean fsync) throws Exception {
        String mode = fsync ? "fsync" : "dbnosync";
        try (Slapd slapd = Slapd.startForBenchmark(fsync)) {
            LDAPConnectionPool admin = new LDAPConnectionPool(new LDAPConnection("localhost", slapd.port(), Slapd.ROOT_DN, Slapd.ROOT_PASSWORD), workers);
            admin.add("dn: " + Slapd.SUFFIX, "objectClass: top", "objectClass: domain", "dc: example");
            admin.add("dn: " + SOURCE, "objectClass: organizationalUnit", "ou: People");
            admin.add("dn: " + Slapd.REPLICA_SUFFIX, "objectClass: organization", "o: replica");
            admin.add("dn: " + REPLICA, "objectClass: organizationalUnit", "ou: People");
            admin.add("dn: " + RAW, "objectClass: organizationalUnit", "ou: Raw");
            parallel(workers, entries, i -> admin.add(new AddRequest(person("u", i, SOURCE))));
            System.out.printf(Locale.ROOT, "%s: %,d entries in %s%n", mode, entries, SOURCE);

            // the raw system: the same entries, as the pipe writes them, added through the SDK with as many connections
            // (their uid another, so that the pipe's correlation by uid does not find them)
            long rawStart = System.nanoTime();
            parallel(workers, entries, i -> admin.add(new AddRequest(person("r", i, RAW))));
            double rawRate = entries / ((System.nanoTime() - rawStart) / 1e9);

            try (Idsync idsync = new Idsync(slapd, workers)) {
                com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                ResyncBenchmark.HeapSampler heap = new ResyncBenchmark.HeapSampler();
                heap.start();
                Progress progress = new Progress(idsync.pipe, entries, heap);
                progress.start();
                long cpuStart = os.getProcessCpuTime();
                Duration slapdStart = slapd.cpu();
                Duration postgresStart = postgresCpu();
                long start = System.nanoTime();
                idsync.poll();
                double seconds = (System.nanoTime() - start) / 1e9;
                long cpu = os.getProcessCpuTime() - cpuStart;
                progress.stop();
                heap.stop();
                long created = idsync.pipe.counters().get("created");
                if (idsync.pipe.lastError() != null || created != entries) {
                    throw new IllegalStateException("the load did not finish: " + created + " created; " + idsync.pipe.lastError());
                }
                double rate = created / seconds;
                System.out.printf(Locale.ROOT, "%s load: raw %.0f/s, idsync %.0f/s, ratio %.2f; idsync CPU %.0f µs per entry, slapd %.0f µs;"
                                + " heap after GC %s, peak %d MB of %d MB%n", mode, rawRate, rate, rate / rawRate, cpu / 1e3 / created,
                        slapd.cpu().minus(slapdStart).toNanos() / 1e3 / created, progress.report(), heap.peakBytes >> 20, Runtime.getRuntime().maxMemory() >> 20);
                System.out.printf(Locale.ROOT, "%s load, %s (ratio %.2f)%n", mode, progress.warm(), progress.warmRate() / rawRate);
                if (POSTGRES != null) {
                    System.out.printf(Locale.ROOT, "%s load: the state store's PostgreSQL %.0f µs of CPU per entry%n", mode,
                            postgresCpu().minus(postgresStart).toNanos() / 1e3 / created);
                }

                if (Boolean.getBoolean("bench.loadOnly")) {
                    return; // profiling the load alone
                }

                // 10,000 modifies in one burst at the source; the time until idsync has applied every one
                int modifies = Math.min(10_000, entries);
                long burst = System.nanoTime();
                parallel(workers, modifies, i -> admin.modify(dn(i, SOURCE), new Modification(ModificationType.REPLACE, "title", "Burst")));
                double rawModifyRate = modifies / ((System.nanoTime() - burst) / 1e9);
                while (count(admin, "(title=Burst)") < modifies) {
                    idsync.poll();
                }
                double applied = (System.nanoTime() - burst) / 1e9;
                System.out.printf(Locale.ROOT, "%s modifies: %,d in one burst, raw %.0f/s; all applied by idsync %.1f s after the burst began (%.0f/s)%n",
                        mode, modifies, rawModifyRate, applied, modifies / applied);

                // 1,000 deletes the entryCSN feed cannot show: found by the reconciliation
                int deletes = Math.min(1_000, entries / 10);
                parallel(workers, deletes, i -> admin.delete(dn(entries - 1 - i, SOURCE)));
                long reconcile = System.nanoTime();
                idsync.reconcile();
                double reconciled = (System.nanoTime() - reconcile) / 1e9;
                int left = count(admin, "(objectClass=inetOrgPerson)", REPLICA);
                System.out.printf(Locale.ROOT, "%s deletes: %,d deleted at the source, reconciliation %.1f s, %,d entries left in %s (%s)%n",
                        mode, deletes, reconciled, left, REPLICA, left == entries - deletes ? "all found" : "NOT all found");

                // a first run against a destination that already holds every entry (a new state store: no links): each
                // entry is found by correlation, checked for another owner, and linked; nothing is written to it
                try (Idsync fresh = new Idsync(slapd, workers)) {
                    long relinkStart = System.nanoTime();
                    fresh.poll();
                    double relinked = (System.nanoTime() - relinkStart) / 1e9;
                    System.out.printf(Locale.ROOT, "%s first run over a full destination: %,d entries found by correlation in %.1f s (%.0f/s), %,d written%n",
                            mode, left, relinked, left / relinked, fresh.pipe.counters().get("created") + fresh.pipe.counters().get("modified"));
                }
            }
            admin.close();
        }
    }

    /** The shipped directory-to-directory road, wired as PipeWiring wires it, over the benchmark's slapd. */
    private static final class Idsync implements AutoCloseable {
        final Pipe pipe;
        private final DefaultCamelContext context = new DefaultCamelContext();
        private final ThreadPoolExecutor pool;
        private final LdapDirectory source;
        private final LdapDirectory destination;
        private final javax.sql.DataSource state;
        private final AutoCloseable closeState;

        Idsync(Slapd slapd, int workers) throws Exception {
            Path dir = Files.createTempDirectory("idsync-d2d-bench");
            Path mapping = dir.resolve("directory-to-openldap.yaml");
            // OpenLDAP assigns entryUUID itself and has no ds-pwp-account-disabled: the shipped mapping less those
            Files.writeString(mapping, Files.readString(Path.of("config/mappings/directory-to-directory.yaml"))
                    .replace("  - {to-attribute: ds-pwp-account-disabled, type: direct, from-attribute: ds-pwp-account-disabled}\n", "")
                    .replace("  - {to-attribute: entryUUID, type: direct, from-attribute: entryUUID, create-only: true}\n", "")
                    .replace("  - [entryUUID]\n", ""));
            if (POSTGRES != null) {
                // a database of its own in the benchmark's PostgreSQL, pooled as Quarkus pools it (Agroal)
                String database = "idsync_" + DATABASES.incrementAndGet();
                try (var c = POSTGRES.dataSource().getConnection(); var st = c.createStatement()) {
                    st.execute("CREATE DATABASE " + database);
                }
                io.agroal.api.AgroalDataSource pooled = io.agroal.api.AgroalDataSource.from(new io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier()
                        .connectionPoolConfiguration(pool -> pool.maxSize(workers + 2).connectionFactoryConfiguration(factory -> factory
                                .jdbcUrl(POSTGRES.url().replace("/idsync", "/" + database)).principal(new io.agroal.api.security.NamePrincipal("idsync")))));
                state = pooled;
                closeState = pooled;
            } else {
                org.h2.jdbcx.JdbcConnectionPool h2 = org.h2.jdbcx.JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve("state")
                        + System.getProperty("bench.h2Options", ShippedStateStore.h2Options()), "idsync", "");
                h2.setMaxConnections(workers + 2);
                state = h2;
                closeState = h2::dispose;
            }
            Flyway.configure().dataSource(state).locations("classpath:db/migration").load().migrate();
            for (String sql : System.getProperty("bench.sql", "").split(";")) {
                if (!sql.isBlank()) {
                    try (var c = state.getConnection(); var st = c.createStatement()) {
                        st.execute(sql);
                    }
                }
            }
            source = new LdapDirectory(new LdapSettings("source", slapd.url(), Slapd.ROOT_DN, Slapd.ROOT_PASSWORD, Slapd.SUFFIX, 2,
                    Duration.ofSeconds(5), Duration.ofSeconds(60)));
            destination = new LdapDirectory(new LdapSettings("destination", slapd.url(), Slapd.ROOT_DN, Slapd.ROOT_PASSWORD, Slapd.REPLICA_SUFFIX,
                    workers, Duration.ofSeconds(5), Duration.ofSeconds(60)));
            LdapEntrySource entries = new LdapEntrySource(source, new LdapSourceSettings(EntryType.USER, null, SOURCE, "(objectClass=inetOrgPerson)",
                    "entryUUID", "ds-pwp-account-disabled", "entry-csn"));
            Pipes pipes = new Pipes();
            pipe = new Pipe("directory-to-directory", EntryType.USER, entries, entries, destination, MappingFile.load(mapping.toString()),
                    new StateStore(state), new io.idsync.pipe.DeletionGuard(100, Integer.MAX_VALUE)); // its 1,000 deletes are wanted
            pipes.register(pipe);
            pool = new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(workers * 4),
                    new ThreadPoolExecutor.CallerRunsPolicy());
            context.getRegistry().bind("road", new Road(pipes, new Retry(5, 500)));
            context.getRegistry().bind("idsyncWorkers", pool);
            io.idsync.testsupport.RoadRouteTest.loadPipeRoutes(context, "file:config/routes/directory-to-directory.yaml");
            AdviceWith.adviceWith(context, "directory-to-directory-poll", a -> a.replaceFromWith("direct:poll"));
            AdviceWith.adviceWith(context, "directory-to-directory-reconcile", a -> a.replaceFromWith("direct:reconcile"));
            context.start();
        }

        void poll() {
            context.createProducerTemplate().sendBody("direct:poll", null);
        }

        void reconcile() {
            context.createProducerTemplate().sendBody("direct:reconcile", null);
        }

        @Override
        public void close() {
            context.stop();
            pool.shutdownNow();
            source.close();
            destination.close();
            try {
                closeState.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The heap after GC when the load passes 10 %, 50 % and 100 % of its entries: flat, or growing with them. */
    private static final class Progress {
        private final Pipe pipe;
        private final int entries;
        private final ResyncBenchmark.HeapSampler heap;
        private final List<String> marks = new ArrayList<>();
        private final java.util.concurrent.ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

        Progress(Pipe pipe, int entries, ResyncBenchmark.HeapSampler heap) {
            this.pipe = pipe;
            this.entries = entries;
            this.heap = heap;
        }

        void start() {
            timer.scheduleAtFixedRate(() -> {
                long done = pipe.counters().get("created");
                int next = marks.size() == 0 ? 10 : marks.size() == 1 ? 50 : 101;
                if (done * 100 >= (long) entries * next) {
                    marks.add(next + " %: " + (afterGc() >> 20) + " MB");
                    if (next == 50) {
                        halfway = new long[]{done, System.nanoTime(), cpu()};
                    }
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
        }

        void stop() {
            timer.shutdownNow();
            long[] mark = halfway;
            if (mark != null) {
                long done = pipe.counters().get("created") - mark[0];
                warmRate = done / ((System.nanoTime() - mark[1]) / 1e9);
                warm = String.format(Locale.ROOT, "warm (the second half): idsync %.0f/s, CPU %.0f µs per entry",
                        done / ((System.nanoTime() - mark[1]) / 1e9), (cpu() - mark[2]) / 1e3 / done);
            }
            marks.add("100 %: " + (afterGc() >> 20) + " MB");
        }

        /** the JIT compiles most of the road in the load's first seconds: the second half is the warm cost */
        private volatile long[] halfway;
        private volatile String warm = "warm: not measured";
        private volatile double warmRate;

        String warm() {
            return warm;
        }

        double warmRate() {
            return warmRate;
        }

        private static long cpu() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        }

        private static long afterGc() {
            return ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP && p.getCollectionUsage() != null)
                    .mapToLong(p -> p.getCollectionUsage().getUsed()).sum();
        }

        String report() {
            return String.join(", ", marks);
        }
    }

    /** The CPU PostgreSQL's processes have used (its backends live as long as the pool's connections: the whole load). */
    private static Duration postgresCpu() {
        return POSTGRES == null ? Duration.ZERO : ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO)).reduce(Duration.ZERO, Duration::plus);
    }

    private interface Step {
        void run(int i) throws Exception;
    }

    private static void parallel(int threads, int count, Step step) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            running.add(executor.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    step.run(i);
                }
                return null;
            }));
        }
        for (Future<?> future : running) {
            future.get();
        }
        executor.shutdown();
    }

    private static String dn(int i, String parent) {
        return "uid=" + String.format(Locale.ROOT, "u%07d", i) + "," + parent;
    }

    private static Entry person(String prefix, int i, String parent) {
        String uid = prefix + String.format(Locale.ROOT, "%07d", i);
        return new Entry("uid=" + uid + "," + parent, List.of(
                new Attribute("objectClass", "top", "person", "organizationalPerson", "inetOrgPerson"),
                new Attribute("uid", uid), new Attribute("cn", "User " + i), new Attribute("sn", "User"), new Attribute("givenName", "Number" + i),
                new Attribute("displayName", "Number" + i + " User"), new Attribute("mail", uid + "@example.com"), new Attribute("title", "Engineer"),
                new Attribute("telephoneNumber", "+1 555 " + (1_000_000 + i)), new Attribute("l", "Austin")));
    }

    private static int count(LDAPConnectionPool ldap, String filter) throws Exception {
        return count(ldap, filter, REPLICA);
    }

    /** Counted as they come, not held: a count of 100,000 would otherwise take the heap being measured. */
    private static int count(LDAPConnectionPool ldap, String filter, String base) throws Exception {
        AtomicInteger found = new AtomicInteger();
        ldap.search(new com.unboundid.ldap.sdk.SearchRequest(new com.unboundid.ldap.sdk.SearchResultListener() {
            @Override
            public void searchEntryReturned(com.unboundid.ldap.sdk.SearchResultEntry entry) {
                found.incrementAndGet();
            }

            @Override
            public void searchReferenceReturned(com.unboundid.ldap.sdk.SearchResultReference reference) {
            }
        }, base, SearchScope.ONE, filter, "1.1"));
        return found.get();
    }
}

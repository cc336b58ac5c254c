package io.idsync.bench;

import io.idsync.testsupport.ShippedStateStore;
import io.idsync.testsupport.SystemsProcess;
import io.idsync.connector.ldap.LdapDirectory;
import io.idsync.connector.ldap.LdapSettings;
import io.idsync.connector.pingone.PingOneClient;
import io.idsync.connector.pingone.PingOneSettings;
import io.idsync.connector.pingone.PingOneUserSource;
import io.idsync.mapping.MappingFile;
import io.idsync.pipe.Pipe;
import io.idsync.pipe.Pipes;
import io.idsync.pipe.Retry;
import io.idsync.pipe.Road;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.sandbox.DemoSeed;
import io.idsync.state.StateStore;
import io.idsync.testsupport.Slapd;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.impl.DefaultCamelContext;
import org.flywaydb.core.Flyway;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Times a full resync (the initial load: a paged scan of PingOne down the road into the directory) of N
 * users, and reports users/second and the peak heap of the pipe's JVM. The PingOne sandbox and the demo
 * directory run in a child JVM, so the heap measured is idsync's alone. With a warm-up of W users (the
 * Contractors population, loaded first), the timed load runs in warm JVMs, as in a service that has been
 * up a while; without, it includes both JVMs' JIT compilation. {@code -Dbench.destination=openldap} loads
 * into a real OpenLDAP {@code slapd} (mdb, no sync per write, no operation log) instead of the demo directory, with the
 * shipped mapping less what OpenLDAP's schema lacks ({@code bench/pingone-to-openldap.yaml}). Not a test:
 * <pre>java -Xmx512m -cp ... io.idsync.bench.ResyncBenchmark 10000 [workers] [warm-up users]</pre>
 */
public final class ResyncBenchmark {

    public static void main(String[] args) throws Exception {
        // log as the application does (INFO); outside Quarkus the log manager would format every debug message
        org.jboss.logmanager.LogContext.getSystemLogContext().getLogger("").setLevel(java.util.logging.Level.INFO);
        if (!Boolean.parseBoolean(System.getProperty("bench.auditLines", "true"))) {
            // the audit log's JSON lines off (io.idsync.audit at WARN): the audit log in the state store is kept either way
            org.jboss.logmanager.LogContext.getSystemLogContext().getLogger("io.idsync.audit").setLevel(java.util.logging.Level.WARNING);
        }
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        try (SystemsProcess systems = SystemsProcess.start(SystemsProcess.Seed.pingOneOnly(users, warmUp));
             Load load = new Load(workers, systems)) {
            if (warmUp > 0) {
                // the Contractors first, into the same directory: both JVMs compile their hot code before the timed load
                System.out.println("warm-up:");
                load.run("Contractors", warmUp);
                System.out.println("timed, warm:");
            }
            load.run("Employees", users);
        }
    }

    /** Full loads of one population at a time down the shipped route, each with a fresh state store. */
    private static final class Load implements AutoCloseable {
        private final int workers;
        private final SystemsProcess systems;
        private final Pipes pipes = new Pipes();
        private final LdapDirectory directory;
        /** the destination when it is OpenLDAP (else the demo directory in the systems' JVM) */
        private final Slapd slapd;
        private final String mapping;
        private final ThreadPoolExecutor pool;
        private final DefaultCamelContext context = new DefaultCamelContext();

        Load(int workers, SystemsProcess systems) throws Exception {
            this.workers = workers;
            this.systems = systems;
            if (System.getProperty("bench.destination", "demo").equals("openldap")) {
                slapd = Slapd.startForBulkLoads().withPeople();
                mapping = "bench/pingone-to-openldap.yaml";
                directory = new LdapDirectory(new LdapSettings("directory", slapd.url(), Slapd.ROOT_DN, Slapd.ROOT_PASSWORD,
                        Slapd.SUFFIX, workers, Duration.ofSeconds(5), Duration.ofSeconds(30)));
            } else {
                slapd = null;
                mapping = "mappings/pingone-to-directory.yaml";
                directory = new LdapDirectory(new LdapSettings("directory", "ldap://localhost:" + systems.directoryPort, "cn=Directory Manager",
                        "demo-password", DemoDirectory.BASE_DN, workers, Duration.ofSeconds(5), Duration.ofSeconds(30)));
            }
            pool = new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(workers * 4),
                    new ThreadPoolExecutor.CallerRunsPolicy());
            context.getRegistry().bind("road", new Road(pipes, new Retry(5, 500)));
            context.getRegistry().bind("idsyncWorkers", pool);
            io.idsync.testsupport.RoadRouteTest.loadPipeRoutes(context, "classpath:routes/pingone-to-directory.yaml");
            AdviceWith.adviceWith(context, "pingone-to-directory-poll", a -> a.replaceFromWith("direct:poll"));
            AdviceWith.adviceWith(context, "pingone-to-directory-reconcile", a -> a.replaceFromWith("direct:reconcile"));
            context.start();
        }

        void run(String population, int users) throws Exception {
            Path stateDir = Files.createTempDirectory("idsync-bench");
            // pooled, as Agroal pools it in the application
            org.h2.jdbcx.JdbcConnectionPool dataSource = org.h2.jdbcx.JdbcConnectionPool.create(
                    "jdbc:h2:file:" + stateDir.resolve("state") + System.getProperty("bench.h2Options", ShippedStateStore.h2Options()), "idsync", "");
            dataSource.setMaxConnections(workers + 2);
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            StateStore state = new StateStore(dataSource);
            String base = "http://localhost:" + systems.pingOnePort;
            PingOneSettings settings = new PingOneSettings("pingone", base + "/v1", base + "/" + DemoSeed.ENVIRONMENT + "/as/token",
                    DemoSeed.ENVIRONMENT, SystemsProcess.WORKER, SystemsProcess.WORKER_SECRET, PingOneSettings.TokenAuthMethod.BASIC,
                    Duration.ZERO, 0, 1000, Duration.ofSeconds(5), Duration.ofSeconds(30), 6);
            PingOneClient client = new PingOneClient(settings);
            PingOneUserSource source = new PingOneUserSource(client, List.of(population), List.of());
            Pipe pipe = new Pipe("pingone-to-directory", io.idsync.connector.EntryType.USER,
                    new io.idsync.connector.pingone.PingOneActivities(client, io.idsync.connector.EntryType.USER, List.of()), source, directory,
                    MappingFile.load(mapping), state);
            pipes.register(pipe);

            HeapSampler heap = new HeapSampler();
            heap.start();
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuStart = os.getProcessCpuTime();
            systems.markCpu();
            Duration slapdCpuStart = slapd == null ? Duration.ZERO : slapd.cpu();
            long start = System.nanoTime();
            context.createProducerTemplate().sendBody("direct:poll", null);
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpu = os.getProcessCpuTime() - cpuStart;
            long systemsJvmCpu = systems.cpuSinceMark().toNanos();
            long slapdCpu = slapd == null ? 0 : slapd.cpu().minus(slapdCpuStart).toNanos();
            long systemsCpu = systemsJvmCpu + slapdCpu;
            heap.stop();
            long created = pipe.counters().get("created");
            if (pipe.lastError() != null || state.checkpoint(pipe.name()).isEmpty()) {
                throw new IllegalStateException("the load did not finish: " + pipe.lastError());
            }
            dataSource.dispose();
            System.out.printf("users=%d created=%d failed=%d seconds=%.2f usersPerSecond=%.0f peakHeapUsedMB=%d peakHeapAfterGcMB=%d maxHeapMB=%d workers=%d%n",
                    users, created, pipe.counters().get("failed"), seconds, created / seconds, heap.peakBytes / (1024 * 1024),
                    heap.peakAfterGcBytes / (1024 * 1024), Runtime.getRuntime().maxMemory() / (1024 * 1024), workers);
            System.out.printf("correlation=%s%n", pipe.correlationFigures());
            // each side's own cost: how many users per second one core of it can carry
            System.out.printf("idsyncCpuMicrosPerUser=%.0f (users per second per idsync core: %.0f)%n",
                    cpu / 1e3 / Math.max(1, created), created / (cpu / 1e9));
            System.out.printf("systemsCpuMicrosPerUser=%.0f (%s)%n", systemsCpu / 1e3 / Math.max(1, created),
                    slapd == null ? "the sandbox and the demo directory, in their own JVM"
                            : String.format("the sandbox's JVM %.0f, slapd %.0f", systemsJvmCpu / 1e3 / Math.max(1, created), slapdCpu / 1e3 / Math.max(1, created)));
        }

        @Override
        public void close() {
            context.stop();
            pool.shutdownNow();
            directory.close();
            if (slapd != null) {
                try {
                    slapd.close();
                } catch (java.io.IOException e) {
                    System.err.println("slapd's files were not all removed: " + e.getMessage());
                }
            }
        }
    }

    /**
     * Samples the heap every 50 ms: the peak of used bytes (garbage included, so it tends to -Xmx), and the
     * peak of what each collection left behind, which is the memory the run really holds.
     */
    static final class HeapSampler {
        volatile long peakBytes;
        volatile long peakAfterGcBytes;
        private final java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "heap-sampler");
            thread.setDaemon(true);
            return thread;
        });

        void start() {
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            timer.scheduleAtFixedRate(this::sample, 0, 50, TimeUnit.MILLISECONDS);
        }

        void stop() {
            timer.shutdownNow();
            sample();
        }

        private synchronized void sample() {
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long pools = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                    .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            peakBytes = Math.max(peakBytes, Math.max(used, Math.min(pools, Runtime.getRuntime().maxMemory())));
            long afterGc = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP && p.getCollectionUsage() != null)
                    .mapToLong(p -> p.getCollectionUsage().getUsed()).sum();
            peakAfterGcBytes = Math.max(peakAfterGcBytes, afterGc);
        }
    }
}

package io.idsync.bench;

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
import io.idsync.sandbox.PingOneSandbox;
import io.idsync.state.StateStore;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.flywaydb.core.Flyway;

import java.io.BufferedReader;
import java.io.InputStreamReader;
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
 * directory run in a child JVM, so the heap measured is idsync's alone. Not a test:
 * <pre>java -Xmx512m -cp ... io.idsync.bench.ResyncBenchmark 10000 [workers]</pre>
 */
public final class ResyncBenchmark {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("systems")) {
            runSystems(Integer.parseInt(args[1]));
            return;
        }
        // log as the application does (INFO); outside Quarkus the log manager would format every debug message
        org.jboss.logmanager.LogContext.getSystemLogContext().getLogger("").setLevel(java.util.logging.Level.INFO);
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 8;

        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx6g"));
        // e.g. -Dbench.systemsJvmArgs=-XX:StartFlightRecording=filename=systems.jfr to profile the systems' side
        String systemsJvmArgs = System.getProperty("bench.systemsJvmArgs", "").trim();
        if (!systemsJvmArgs.isEmpty()) {
            command.addAll(List.of(systemsJvmArgs.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ResyncBenchmark.class.getName(), "systems", Integer.toString(users)));
        Process systems = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(systems.getInputStream()));
            String line;
            int pingOnePort = 0;
            int directoryPort = 0;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("READY ")) {
                    String[] parts = line.split(" ");
                    pingOnePort = Integer.parseInt(parts[1]);
                    directoryPort = Integer.parseInt(parts[2]);
                    break;
                }
            }
            if (pingOnePort == 0) {
                throw new IllegalStateException("the systems JVM did not start");
            }
            java.time.Duration systemsCpuBefore = systems.info().totalCpuDuration().orElse(java.time.Duration.ZERO);
            long created = run(users, workers, pingOnePort, directoryPort);
            java.time.Duration systemsCpu = systems.info().totalCpuDuration().orElse(java.time.Duration.ZERO).minus(systemsCpuBefore);
            System.out.printf("systemsCpuMicrosPerUser=%.0f (the sandbox and the directory, in their own JVM)%n",
                    systemsCpu.toNanos() / 1e3 / Math.max(1, created));
        } finally {
            systems.destroy();
        }
    }

    /** The child JVM: sandbox and directory with {@code users} employees, until its parent ends it. */
    private static void runSystems(int users) throws Exception {
        org.jboss.logmanager.LogContext.getSystemLogContext().getLogger("").setLevel(java.util.logging.Level.INFO);
        PingOneSandbox pingOne = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 1000, Duration.ZERO)).start();
        DemoDirectory directory = new DemoDirectory(new DemoDirectory.Settings(0, "cn=Directory Manager", "demo-password", 1000)).start();
        DemoSeed.seed(pingOne, "bench-worker", "bench-secret", users, 0);
        System.out.println("READY " + pingOne.port() + " " + directory.port());
        System.out.flush();
        Thread.currentThread().join();
    }

    private static long run(int users, int workers, int pingOnePort, int directoryPort) throws Exception {
        String base = "http://localhost:" + pingOnePort;
        Path stateDir = Files.createTempDirectory("idsync-bench");
        // pooled, as Agroal pools it in the application
        org.h2.jdbcx.JdbcConnectionPool dataSource = org.h2.jdbcx.JdbcConnectionPool.create(
                "jdbc:h2:file:" + stateDir.resolve("state") + ";DB_CLOSE_ON_EXIT=FALSE", "idsync", "");
        dataSource.setMaxConnections(workers + 2);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        StateStore state = new StateStore(dataSource);

        PingOneSettings settings = new PingOneSettings("pingone", base + "/v1", base + "/" + DemoSeed.ENVIRONMENT + "/as/token",
                DemoSeed.ENVIRONMENT, "bench-worker", "bench-secret", PingOneSettings.TokenAuthMethod.BASIC, List.of("Employees"), List.of(),
                Duration.ZERO, 0, 1000, Duration.ofSeconds(5), Duration.ofSeconds(30), 6);
        PingOneUserSource source = new PingOneUserSource(new PingOneClient(settings));
        LdapDirectory directory = new LdapDirectory(new LdapSettings("directory", "ldap://localhost:" + directoryPort, "cn=Directory Manager",
                "demo-password", DemoDirectory.BASE_DN, workers, Duration.ofSeconds(5), Duration.ofSeconds(30)));
        Pipes pipes = new Pipes().register(new Pipe("pingone-to-directory", "USER", source, source, directory,
                MappingFile.load("mappings/pingone-to-directory.yaml"), state));
        ThreadPoolExecutor pool = new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(workers * 4),
                new ThreadPoolExecutor.CallerRunsPolicy());

        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getRegistry().bind("road", new Road(pipes, new Retry(5, 500)));
            context.getRegistry().bind("idsyncWorkers", pool);
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    PluginHelper.getResourceLoader(context).resolveResource("classpath:routes/pingone-to-directory.yaml"));
            AdviceWith.adviceWith(context, "pingone-to-directory-poll", a -> a.replaceFromWith("direct:poll"));
            AdviceWith.adviceWith(context, "pingone-to-directory-reconcile", a -> a.replaceFromWith("direct:reconcile"));
            context.start();

            HeapSampler heap = new HeapSampler();
            heap.start();
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpuStart = os.getProcessCpuTime();
            long start = System.nanoTime();
            context.createProducerTemplate().sendBody("direct:poll", null);
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpu = os.getProcessCpuTime() - cpuStart;
            heap.stop();
            Pipe pipe = pipes.get("pingone-to-directory");
            long created = pipe.counters().get("created");
            if (pipe.lastError() != null || state.checkpoint(pipe.name()).isEmpty()) {
                throw new IllegalStateException("the load did not finish: " + pipe.lastError());
            }
            System.out.printf("users=%d created=%d failed=%d seconds=%.2f usersPerSecond=%.0f peakHeapUsedMB=%d peakHeapAfterGcMB=%d maxHeapMB=%d workers=%d%n",
                    users, created, pipe.counters().get("failed"), seconds, created / seconds, heap.peakBytes / (1024 * 1024),
                    heap.peakAfterGcBytes / (1024 * 1024), Runtime.getRuntime().maxMemory() / (1024 * 1024), workers);
            // the engine's own cost: how many users per second one core of idsync can carry
            System.out.printf("idsyncCpuMicrosPerUser=%.0f (users per second per idsync core: %.0f)%n",
                    cpu / 1e3 / Math.max(1, created), created / (cpu / 1e9));
            return created;
        } finally {
            pool.shutdownNow();
            directory.close();
        }
    }

    /**
     * Samples the heap every 50 ms: the peak of used bytes (garbage included, so it tends to -Xmx), and the
     * peak of what each collection left behind, which is the memory the run really holds.
     */
    private static final class HeapSampler {
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

package io.idsync.testsupport;

import io.idsync.sandbox.DemoDirectory;
import io.idsync.sandbox.DemoSeed;
import io.idsync.sandbox.PingOneSandbox;
import io.idsync.sandbox.SandboxEnvironment;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The systems idsync talks to, the PingOne sandbox and the demo directory, in a JVM of their own: a
 * benchmark measures idsync's heap and CPU apart from theirs, and a crash test kills idsync while they go on.
 * {@code -Dsystems.jvmArgs=...} passes options to the child (a profiler, say).
 */
public final class SystemsProcess implements AutoCloseable {

    /** What the child seeds: PingOne's Employees and Contractors, the directory's AD-style ou=Corp, extra worker apps. */
    public record Seed(int employees, int contractors, int corpUsers, int corpProvisioned, int changelogSize, List<String> workerApps) {
        /** PingOne users only, and one worker app. */
        public static Seed pingOneOnly(int employees, int contractors) {
            return new Seed(employees, contractors, 0, 0, 1000, List.of());
        }

        List<String> args() {
            List<String> args = new ArrayList<>(List.of(Integer.toString(employees), Integer.toString(contractors), Integer.toString(corpUsers),
                    Integer.toString(corpProvisioned), Integer.toString(changelogSize)));
            args.addAll(workerApps);
            return args;
        }
    }

    /** The worker app every seed has (client id and secret); {@link Seed#workerApps} adds others as {@code id=secret}. */
    public static final String WORKER = "systems-worker";
    public static final String WORKER_SECRET = "systems-worker-secret";

    private final Process process;
    public final int pingOnePort;
    public final int directoryPort;
    private Duration cpuMark = Duration.ZERO;

    public static SystemsProcess start(Seed seed) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx6g"));
        String jvmArgs = System.getProperty("systems.jvmArgs", "").trim();
        if (!jvmArgs.isEmpty()) {
            command.addAll(List.of(jvmArgs.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SystemsProcess.class.getName()));
        command.addAll(seed.args());
        return new SystemsProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    private SystemsProcess(Process process) throws Exception {
        this.process = process;
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream()));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY ")) {
            // the child's start-up log
        }
        if (line == null) {
            process.destroy();
            throw new IllegalStateException("the systems JVM did not start");
        }
        String[] parts = line.split(" ");
        pingOnePort = Integer.parseInt(parts[1]);
        directoryPort = Integer.parseInt(parts[2]);
        // the child logs on; its output is drained so it never blocks on a full pipe
        Thread drain = new Thread(() -> out.lines().forEach(ignored -> { }), "systems-output");
        drain.setDaemon(true);
        drain.start();
    }

    public String pingOneUrl() {
        return "http://localhost:" + pingOnePort;
    }

    public String directoryUrl() {
        return "ldap://localhost:" + directoryPort;
    }

    /** From now on {@link #cpuSinceMark()} counts: seeding and start-up are left out. */
    public void markCpu() {
        cpuMark = cpu();
    }

    public Duration cpuSinceMark() {
        return cpu().minus(cpuMark);
    }

    private Duration cpu() {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    @Override
    public void close() {
        process.destroy();
    }

    /** The child JVM: sandbox and directory seeded as {@link Seed#args} says, until the parent ends it. */
    public static void main(String[] args) throws Exception {
        org.jboss.logmanager.LogContext.getSystemLogContext().getLogger("").setLevel(java.util.logging.Level.INFO);
        PingOneSandbox pingOne = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 1000, Duration.ZERO)).start();
        DemoDirectory directory = new DemoDirectory(new DemoDirectory.Settings(0, "cn=Directory Manager", "demo-password", Integer.parseInt(args[4]))).start();
        SandboxEnvironment environment = DemoSeed.seed(pingOne, WORKER, WORKER_SECRET, Integer.parseInt(args[0]), Integer.parseInt(args[1]));
        for (int i = 5; i < args.length; i++) {
            String[] app = args[i].split("=", 2);
            environment.addApplication(app[0], "idsync " + app[0], app[1], SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_BASIC);
        }
        int corpUsers = Integer.parseInt(args[2]);
        if (corpUsers > 0) {
            try (com.unboundid.ldap.sdk.LDAPConnection ldap = directory.connection()) {
                DemoSeed.seedCorp(ldap, corpUsers, Integer.parseInt(args[3]));
            }
        }
        System.out.println("READY " + pingOne.port() + " " + directory.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}

package io.idsync.bench;

import io.idsync.sandbox.DemoDirectory;
import io.idsync.sandbox.DemoSeed;
import io.idsync.sandbox.PingOneSandbox;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The systems a benchmark runs against, the PingOne sandbox and the demo directory, in a child JVM of
 * their own: the parent's heap and CPU are then idsync's alone, and the child's CPU is measured apart.
 * {@code -Dbench.systemsJvmArgs=...} passes options to the child (a profiler, say).
 */
final class BenchSystems implements AutoCloseable {

    private final Process process;
    final int pingOnePort;
    final int directoryPort;
    private Duration cpuMark = Duration.ZERO;

    /** Starts the child with {@code employees} and {@code contractors} seeded in the sandbox. */
    static BenchSystems start(int employees, int contractors) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx6g"));
        String systemsJvmArgs = System.getProperty("bench.systemsJvmArgs", "").trim();
        if (!systemsJvmArgs.isEmpty()) {
            command.addAll(List.of(systemsJvmArgs.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchSystems.class.getName(),
                Integer.toString(employees), Integer.toString(contractors)));
        return new BenchSystems(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    private BenchSystems(Process process) throws Exception {
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
    }

    /** From now on {@link #cpuSinceMark()} counts: seeding and start-up are left out. */
    void markCpu() {
        cpuMark = cpu();
    }

    Duration cpuSinceMark() {
        return cpu().minus(cpuMark);
    }

    private Duration cpu() {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    @Override
    public void close() {
        process.destroy();
    }

    /** The child JVM: sandbox and directory, {@code args[0]} employees and {@code args[1]} contractors, until the parent ends it. */
    public static void main(String[] args) throws Exception {
        org.jboss.logmanager.LogContext.getSystemLogContext().getLogger("").setLevel(java.util.logging.Level.INFO);
        PingOneSandbox pingOne = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 1000, Duration.ZERO)).start();
        DemoDirectory directory = new DemoDirectory(new DemoDirectory.Settings(0, "cn=Directory Manager", "demo-password", 1000)).start();
        DemoSeed.seed(pingOne, "bench-worker", "bench-secret", Integer.parseInt(args[0]), Integer.parseInt(args[1]));
        System.out.println("READY " + pingOne.port() + " " + directory.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}

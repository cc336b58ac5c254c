package io.idsync.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * The packaged application ({@code target/quarkus-app}, or {@code -Didsync.jar}) in a process of its own, configured
 * through system properties, in a working directory of the test's (its embedded state store, if it uses it), logging
 * to a file kept for a look after a failure.
 */
final class PackagedIdsync implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:]+:(\\d+)");

    private final Process process;
    private final Path log;
    private boolean gone;

    private PackagedIdsync(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts it and waits until Quarkus says it listens (the pipes' first polls follow 2 s later).
     *
     * @throws IllegalStateException with its log when it stops during its start
     */
    static PackagedIdsync start(Path workDir, Path log, Map<String, String> settings) throws Exception {
        String jar = System.getProperty("idsync.jar", "target/quarkus-app/quarkus-run.jar");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", Path.of(jar).toAbsolutePath().toString()));
        Files.createDirectories(workDir);
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PackagedIdsync idsync = new PackagedIdsync(process, log);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("idsync stopped at start (exit " + process.exitValue() + "): " + Files.readString(log));
            }
            return LISTENING.matcher(Files.readString(log)).find(); // Quarkus' last start line (Camel's "started in" comes before)
        });
        return idsync;
    }

    /** The HTTP port it listens on (it was told port 0). */
    int port() throws Exception {
        Matcher matcher = LISTENING.matcher(Files.readString(log));
        if (!matcher.find()) {
            throw new IllegalStateException("no 'Listening on' in " + log);
        }
        return Integer.parseInt(matcher.group(1));
    }

    String logText() throws Exception {
        return Files.readString(log);
    }

    /** How many outcomes (created, modified, deleted, failed) of {@code pipe} this start has logged. */
    long outcomesLogged(String pipe) throws java.io.IOException {
        try (java.util.stream.Stream<String> lines = Files.lines(log)) {
            return lines.filter(line -> line.contains("[io.idsync.sync]") && line.contains(") " + pipe + " ")).count();
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or closed. */
    void kill() throws Exception {
        signal("-9");
        process.waitFor();
        gone = true;
    }

    /** SIGSTOP: frozen as by a long GC pause or a host that stopped answering, its sockets open. */
    void pause() throws Exception {
        signal("-STOP");
    }

    /** SIGCONT: it wakes up, unaware of the time gone by. */
    void wake() throws Exception {
        signal("-CONT");
    }

    private void signal(String signal) throws Exception {
        new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    @Override
    public void close() throws Exception {
        if (!gone) {
            wake(); // a paused process does not act on SIGTERM
            process.destroy();
            process.waitFor();
            gone = true;
        }
    }
}

package io.idsync.testsupport.scim;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The npm packages scimmy 1.3.5 and scimmy-routers 1.3.2 on express 4, as {@code src/test/scim-servers/scimmy/server.js}
 * puts them together with an in-memory store: a {@code node} process on a free loopback port, with a random bearer
 * token, stopped by {@link #close()}. {@link #start()} first runs {@code npm ci} there when its {@code node_modules}
 * lacks the pinned packages. What the process prints (the listening line, then a line per request and any error) goes
 * to {@code target/scimmy-<port>.log}.
 */
public final class ScimmyServer implements ScimServerUnderTest {

    public static final String SCIMMY_VERSION = "1.3.5";
    public static final String ROUTERS_VERSION = "1.3.2";

    private static final Path BASEDIR = Path.of(System.getProperty("user.dir"));
    /** The server's npm project: package.json, package-lock.json, server.js. */
    public static final Path DIRECTORY = BASEDIR.resolve("src/test/scim-servers/scimmy");
    private static final Path TARGET = BASEDIR.resolve("target");

    private static final List<String> INSTALL = List.of("ci", "--no-audit", "--no-fund");
    private static final long START_TIMEOUT_SECONDS = 30;
    private static final long INSTALL_TIMEOUT_MINUTES = 10;
    private static final long STOP_TIMEOUT_SECONDS = 10;
    private static final int HEAD_LINES = 15;
    private static final int TAIL_LINES = 25;
    private static final Pattern LISTENING = Pattern.compile("scimmy listening on (http://127\\.0\\.0\\.1:(\\d+)/scim/v2)");
    private static final Pattern NODE_VERSION = Pattern.compile("v(\\d+)\\.\\d+\\.\\d+.*");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Object INSTALL_LOCK = new Object();

    private final Process process;
    private final Output output;
    private final String baseUrl;
    private final String token;
    private final Path log;

    private ScimmyServer(Process process, Output output, String baseUrl, String token, Path log) {
        this.process = process;
        this.output = output;
        this.baseUrl = baseUrl;
        this.token = token;
        this.log = log;
    }

    /** Whether {@code node} (18 or later, as server.js needs) runs here. */
    public static boolean nodeAvailable() {
        try {
            Process node = new ProcessBuilder(executable("node"), "--version").redirectErrorStream(true).start();
            node.getOutputStream().close();
            String version;
            try (InputStream in = node.getInputStream()) {
                version = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            if (!node.waitFor(10, TimeUnit.SECONDS)) {
                node.destroyForcibly();
                return false;
            }
            Matcher matcher = NODE_VERSION.matcher(version);
            return node.exitValue() == 0 && matcher.matches() && Integer.parseInt(matcher.group(1)) >= 18;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A new scimmy server with an empty store, listening when this returns. */
    public static ScimmyServer start() {
        installIfMissing();
        String token = randomToken();
        List<String> command = List.of(executable("node"), "server.js", "0");
        ProcessBuilder builder = new ProcessBuilder(command).directory(DIRECTORY.toFile()).redirectErrorStream(true);
        builder.environment().put("SCIMMY_TOKEN", token);
        // the server ends when its standard input does: a JVM that dies without close() does not leave it running
        builder.environment().put("SCIMMY_EXIT_ON_STDIN_EOF", "1");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("`" + String.join(" ", command) + "` in " + DIRECTORY + " could not start (" + e.getMessage()
                    + "): is Node.js 18 or later installed and on PATH?", e);
        }
        Output output = new Output(process.getInputStream());
        Thread drainer = new Thread(output, "scimmy-output-" + process.pid());
        drainer.setDaemon(true);
        drainer.start();
        output.thread = drainer;
        try {
            Matcher listening = output.listening.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return new ScimmyServer(process, output, listening.group(1), token, output.log);
        } catch (TimeoutException e) {
            stop(process, output);
            throw new IllegalStateException("`" + String.join(" ", command) + "` in " + DIRECTORY + " did not print 'scimmy listening on ...' within "
                    + START_TIMEOUT_SECONDS + " s; its output:\n" + output.tail());
        } catch (ExecutionException e) {
            stop(process, output);
            throw new IllegalStateException("`" + String.join(" ", command) + "` in " + DIRECTORY + " ended before listening"
                    + exitCode(process) + "; its output:\n" + output.tail(), e.getCause());
        } catch (InterruptedException e) {
            stop(process, output);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for scimmy to listen", e);
        }
    }

    @Override
    public String name() {
        return "scimmy " + SCIMMY_VERSION;
    }

    @Override
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public Map<String, String> connectionSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("base-url", baseUrl);
        settings.put("auth", "bearer");
        settings.put("bearer-token", token);
        return java.util.Collections.unmodifiableMap(settings);
    }

    /** The bearer token it accepts (and no other). */
    public String token() {
        return token;
    }

    /** Where its output goes: {@code target/scimmy-<port>.log}. */
    public Path log() {
        return log;
    }

    @Override
    public void close() {
        stop(process, output);
    }

    @Override
    public String toString() {
        return name() + " at " + baseUrl + " (log " + log + ")";
    }

    /**
     * SIGTERM (server.js closes its listener and exits), then a kill if it has not ended within 10 s; its output is
     * written out to the end. (Through its ProcessHandle: Process#destroy would also close the pipe being drained.)
     */
    private static void stop(Process process, Output output) {
        try {
            if (process.isAlive()) {
                process.toHandle().destroy();
                if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
            }
            Thread drainer = output.thread;
            if (drainer != null) {
                drainer.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // npm ci
    // ---------------------------------------------------------------------------------------------------------------

    /** {@code npm ci --no-audit --no-fund} in the server's directory, unless node_modules has the pinned packages already. */
    @SuppressWarnings("try") // the lock is held for the try's body
    static void installIfMissing() {
        synchronized (INSTALL_LOCK) {
            if (installed()) {
                return;
            }
            try {
                Files.createDirectories(TARGET);
                // one npm ci at a time, also across JVMs (surefire forks) building in this directory
                try (FileChannel channel = FileChannel.open(TARGET.resolve("scimmy-npm-ci.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = channel.lock()) {
                    if (!installed()) {
                        npmCi();
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not lock " + TARGET.resolve("scimmy-npm-ci.lock") + " for npm ci", e);
            }
        }
    }

    private static boolean installed() {
        return hasPackage("scimmy", SCIMMY_VERSION) && hasPackage("scimmy-routers", ROUTERS_VERSION) && hasPackage("express", null);
    }

    private static boolean hasPackage(String name, String version) {
        Path manifest = DIRECTORY.resolve("node_modules").resolve(name).resolve("package.json");
        if (!Files.isRegularFile(manifest)) {
            return false;
        }
        try {
            return version == null || Pattern.compile("\"version\"\\s*:\\s*\"" + Pattern.quote(version) + "\"").matcher(Files.readString(manifest)).find();
        } catch (IOException e) {
            return false;
        }
    }

    private static void npmCi() {
        List<String> command = new ArrayList<>();
        command.add(executable("npm"));
        command.addAll(INSTALL);
        String shown = "`" + String.join(" ", command) + "` in " + DIRECTORY;
        Process npm;
        try {
            npm = new ProcessBuilder(command).directory(DIRECTORY.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException(shown + " could not start (" + e.getMessage() + "): are Node.js and npm installed and on PATH?", e);
        }
        try {
            npm.getOutputStream().close();
        } catch (IOException ignored) {
            // npm reads nothing
        }
        Tail tail = new Tail();
        Thread reader = new Thread(() -> tail.readAll(npm.getInputStream()), "scimmy-npm-ci");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!npm.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
                reader.join(5_000);
                throw new IllegalStateException(shown + " did not finish within " + INSTALL_TIMEOUT_MINUTES + " minutes; its output:\n" + tail);
            }
            reader.join(10_000);
        } catch (InterruptedException e) {
            npm.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(shown + " was interrupted", e);
        }
        if (npm.exitValue() != 0) {
            throw new IllegalStateException(shown + " failed with exit code " + npm.exitValue() + "; its output:\n" + tail);
        }
        if (!installed()) {
            throw new IllegalStateException(shown + " succeeded, but node_modules still lacks scimmy " + SCIMMY_VERSION + ", scimmy-routers "
                    + ROUTERS_VERSION + " or express; its output:\n" + tail);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static String executable(String name) {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows") && name.equals("npm") ? "npm.cmd" : name;
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String exitCode(Process process) {
        try {
            return process.waitFor(1, TimeUnit.SECONDS) ? " (exit code " + process.exitValue() + ")" : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The first and the last lines a process printed (npm says what failed first, then its usage), for a failure's message. */
    private static final class Tail {
        private final List<String> head = new ArrayList<>();
        private final Deque<String> lines = new ArrayDeque<>();
        private long skipped;

        synchronized void add(String line) {
            if (head.size() < HEAD_LINES) {
                head.add(line);
                return;
            }
            lines.addLast(line);
            if (lines.size() > TAIL_LINES) {
                lines.removeFirst();
                skipped++;
            }
        }

        void readAll(InputStream in) {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    add(line);
                }
            } catch (IOException e) {
                add("(reading its output failed: " + e.getMessage() + ")");
            }
        }

        @Override
        public synchronized String toString() {
            if (head.isEmpty()) {
                return "(nothing)";
            }
            List<String> shown = new ArrayList<>(head);
            if (skipped > 0) {
                shown.add("[... " + skipped + " lines ...]");
            }
            shown.addAll(lines);
            return String.join("\n", shown);
        }
    }

    /**
     * Reads the server's output line by line until it ends, so the pipe never fills: completes {@link #listening} at
     * the listening line, and writes every line to {@code target/scimmy-<port>.log} from then on (what came before the
     * port was known first).
     */
    private static final class Output implements Runnable {
        final CompletableFuture<Matcher> listening = new CompletableFuture<>();
        private final InputStream in;
        private final Tail tail = new Tail();
        private final List<String> early = new ArrayList<>();
        volatile Path log;
        volatile Thread thread;

        Output(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            Writer writer = null;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    tail.add(line);
                    if (writer == null) {
                        early.add(line);
                        Matcher matcher = LISTENING.matcher(line);
                        if (matcher.matches()) {
                            writer = open(matcher.group(2));
                            listening.complete(matcher);
                        }
                    } else {
                        try {
                            writer.write(line);
                            writer.write('\n');
                            writer.flush();
                        } catch (IOException e) {
                            // the log is best effort: go on draining
                            writer = Writer.nullWriter();
                        }
                    }
                }
            } catch (IOException e) {
                tail.add("(reading its output failed: " + e.getMessage() + ")");
            } finally {
                listening.completeExceptionally(new IOException("its output ended"));
                if (writer != null) {
                    try {
                        writer.close();
                    } catch (IOException ignored) {
                        // the log is best effort
                    }
                }
            }
        }

        /** The log, with what came before; a writer to nowhere if it cannot be written (the output is drained all the same). */
        private Writer open(String port) {
            Path file = TARGET.resolve("scimmy-" + port + ".log");
            try {
                Files.createDirectories(TARGET);
                Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                writer.write("--- " + Instant.now() + " node server.js 0 in " + DIRECTORY + "\n");
                for (String line : early) {
                    writer.write(line);
                    writer.write('\n');
                }
                writer.flush();
                log = file;
                return writer;
            } catch (IOException e) {
                tail.add("(could not write " + file + ": " + e.getMessage() + ")");
                return Writer.nullWriter();
            } finally {
                early.clear();
            }
        }

        String tail() {
            return tail.toString();
        }
    }
}

package io.idsync.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.idsync.testsupport.RequiredTool;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container image is what gets deployed, so it is tested as built: {@code deploy/build-image} makes it from the
 * packaged application (mmdebstrap and buildah, no Docker daemon; {@code -Didsync.image=FILE} takes an OCI archive
 * already built instead), then the archive itself is run in the demo profile (which needs nothing outside the image):
 * with {@code podman run} where podman can start containers, otherwise unpacked and started with chroot by
 * {@code deploy/run-image-unpacked} (this machine's sandbox forbids what crun and runc do by default). It must run as
 * uid 185, never root, answer {@code /q/health/ready} UP and synchronize the demo's 900 Employees
 * ({@code pingone-to-directory}). {@code -Didsync.image.runner=podman|unpacked} forces one way.
 * <p>
 * Needs root, Debian's mmdebstrap, buildah and podman (and jq for the unpacked way; runc lets podman run here):
 * skipped without them, failed instead where {@code IDSYNC_REQUIRE_IMAGE} or {@code CI} is set. The demo listens on the host's
 * ports 8080, 8181 and 10389 (the host's network, as {@code --network=host}): they must be free.
 */
class ContainerImageIT {

    private static final String PIPE = "pingone-to-directory";
    private static final int EMPLOYEES = 900;
    private static final List<Integer> DEMO_PORTS = List.of(8080, 8181, 10389);
    /** lowered, never raised: this sandbox refuses to raise a hard limit, which podman's defaults do */
    private static final List<String> PODMAN_LIMITS = List.of("--ulimit", "nofile=8192:8192", "--ulimit", "nproc=4096:4096");

    private final Path project = Path.of("").toAbsolutePath();
    /** build and run logs, and the unpacked root filesystem while it runs */
    private final Path dir = project.resolve("target/container-image");
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void theBuiltImageRunsTheDemoAsUid185() throws Exception {
        String given = System.getProperty("idsync.image", "");
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("root (mmdebstrap --mode=root, buildah, chroot)");
        }
        if (given.isEmpty()) {
            for (String tool : List.of("mmdebstrap", "buildah", "podman")) {
                if (!onPath(tool)) {
                    missing.add(tool + " (apt-get install mmdebstrap buildah podman)");
                }
            }
        }
        require(missing);
        deleteRecursively(dir);
        Files.createDirectories(dir);

        Path archive;
        String sizes = "";
        if (given.isEmpty()) {
            archive = project.resolve("target/idsync-image.tar");
            Path log = dir.resolve("build.log");
            long started = System.nanoTime();
            int exit = run(List.of("bash", "deploy/build-image", "--output", archive.toString()), log, Duration.ofMinutes(20));
            assertEquals(0, exit, "deploy/build-image failed (exit " + exit + ", 2: no packaged application); its log " + log
                    + ":\n" + tail(log, 40));
            System.out.printf(Locale.ROOT, "container image: built in %.0f s%n", (System.nanoTime() - started) / 1e9);
            sizes = Files.readAllLines(log).stream().filter(line -> line.startsWith("build-image: image size"))
                    .map(line -> line.substring("build-image: ".length())).collect(Collectors.joining("; "));
        } else {
            archive = Path.of(given).toAbsolutePath();
            assertTrue(Files.isRegularFile(archive), "-Didsync.image=" + given + ": no such file");
        }
        System.out.println("container image: " + (sizes.isEmpty()
                ? String.format(Locale.ROOT, "OCI archive %s %.1f MiB", archive, Files.size(archive) / 1048576.0) : sizes));

        for (int port : DEMO_PORTS) {
            assertTrue(free(port), "port " + port + " is in use: the demo in the image listens on " + DEMO_PORTS
                    + " on the host's network, stop what holds it");
        }

        String runner = System.getProperty("idsync.image.runner", "auto");
        if (runner.equals("auto")) {
            runner = podmanRuns(archive) ? "podman" : "unpacked";
        }
        if (runner.equals("unpacked")) {
            List<String> cannot = new ArrayList<>();
            for (String tool : List.of("jq", "unshare", "chroot", "tar", "mount")) {
                if (!onPath(tool)) {
                    cannot.add(tool + " (apt-get install jq util-linux coreutils tar mount)");
                }
            }
            require(cannot);
        }
        try (Running app = runner.equals("podman") ? Running.podman(this, archive) : Running.unpacked(this, archive)) {
            long started = app.started;
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> {
                app.checkAlive();
                JsonNode health = get("/q/health/ready", false);
                return health != null && "UP".equals(health.path("status").asText());
            });
            double ready = (System.nanoTime() - started) / 1e9;

            long pid = app.applicationPid();
            String uids = statusLine(pid, "Uid:");
            String[] ids = uids.trim().split("\\s+");
            assertTrue(ids.length >= 4, "/proc/" + pid + "/status: " + uids);
            for (String id : ids) {
                assertEquals("185", id, "the application (pid " + pid + ") must run as uid 185, not root: Uid " + uids);
            }

            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                app.checkAlive();
                return synchronizedEmployees() == EMPLOYEES;
            });
            double synced = (System.nanoTime() - started) / 1e9;
            System.out.printf(Locale.ROOT, "container image (%s): pid %d runs as uid %s gid %s; ready UP %.1f s after start, "
                            + "%s synchronized %d in %.1f s (log %s)%n", runner, pid, ids[0], statusLine(pid, "Gid:").trim().split("\\s+")[0],
                    ready, PIPE, EMPLOYEES, synced, app.log);
        }
    }

    /** -1 while the pipe is not listed yet */
    private int synchronizedEmployees() throws Exception {
        JsonNode pipes = get("/api/pipes", true);
        if (pipes == null) {
            return -1;
        }
        for (JsonNode pipe : pipes) {
            if (PIPE.equals(pipe.path("pipe").asText())) {
                return pipe.path("syncStatus").path("success").asInt(-1);
            }
        }
        return -1;
    }

    /** The JSON at {@code path} on the demo's API, or null while nothing answers there yet. */
    private JsonNode get(String path, boolean viewer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080" + path)).timeout(Duration.ofSeconds(10));
        if (viewer) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString("viewer:idsync-demo-viewer".getBytes(StandardCharsets.UTF_8)));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (viewer) {
                assertEquals(200, response.statusCode(), "GET " + path + " as viewer: " + response.body());
            }
            return response.body().isBlank() ? null : json.readTree(response.body());
        } catch (ConnectException | java.net.http.HttpTimeoutException e) {
            return null;
        } catch (IOException e) {
            // the connection was accepted and dropped while the server starts
            return null;
        }
    }

    /** Whether podman can run a container of the image here (it loads the archive into the local storage). */
    private boolean podmanRuns(Path archive) throws Exception {
        if (!onPath("podman")) {
            System.out.println("container image: no podman; running it unpacked");
            return false;
        }
        Path log = dir.resolve("podman-probe.log");
        List<String> probe = new ArrayList<>(List.of("podman", "run", "--rm"));
        probe.addAll(podmanRuntime());
        probe.addAll(List.of("--network=host", "--entrypoint", "/bin/true", "oci-archive:" + archive));
        int exit = run(probe, log, Duration.ofMinutes(5));
        if (exit != 0) {
            System.out.println("container image: podman cannot run containers here (" + String.join(" ", probe) + ": exit " + exit
                    + ", " + tail(log, 3).trim() + "); running it unpacked");
        }
        return exit == 0;
    }

    /** runc where installed: crun refuses this machine's cgroups (hybrid, with a controller in cgroup v2) */
    private static List<String> podmanRuntime() {
        List<String> options = new ArrayList<>();
        if (onPath("runc")) {
            options.addAll(List.of("--runtime", "runc"));
        }
        options.addAll(PODMAN_LIMITS);
        return options;
    }

    /** The image running, in the demo profile, with the project's config/ at /deployments/config. */
    private static final class Running implements AutoCloseable {

        private final ContainerImageIT test;
        private final Process process;
        private final Path log;
        private final long started;
        private final String container;
        private final Path rootfs;

        private Running(ContainerImageIT test, Process process, Path log, long started, String container, Path rootfs) {
            this.test = test;
            this.process = process;
            this.log = log;
            this.started = started;
            this.container = container;
            this.rootfs = rootfs;
        }

        static Running podman(ContainerImageIT test, Path archive) throws IOException {
            String name = "idsync-it-" + ProcessHandle.current().pid();
            List<String> command = new ArrayList<>(List.of("podman", "run", "--rm", "--name", name));
            command.addAll(podmanRuntime());
            command.addAll(List.of("--network=host", "-e", "QUARKUS_PROFILE=demo"));
            Path config = test.project.resolve("config");
            if (Files.isDirectory(config)) {
                command.addAll(List.of("-v", config + ":/deployments/config:ro"));
            }
            command.add("oci-archive:" + archive);
            Path log = test.dir.resolve("run-podman.log");
            long started = System.nanoTime();
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new Running(test, process, log, started, name, null);
        }

        static Running unpacked(ContainerImageIT test, Path archive) throws IOException {
            Path rootfs = test.dir.resolve("rootfs");
            List<String> command = new ArrayList<>(List.of("bash", "deploy/run-image-unpacked", "--archive", archive.toString(),
                    "--rootfs", rootfs.toString(), "-e", "QUARKUS_PROFILE=demo"));
            Path config = test.project.resolve("config");
            if (Files.isDirectory(config)) {
                command.addAll(List.of("--config", config.toString()));
            }
            Path log = test.dir.resolve("run-unpacked.log");
            long started = System.nanoTime();
            Process process = new ProcessBuilder(command).directory(test.project.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return new Running(test, process, log, started, null, rootfs);
        }

        void checkAlive() throws IOException {
            if (!process.isAlive()) {
                throw new IllegalStateException("the image stopped (exit " + process.exitValue() + "); " + log + ":\n" + tail(log, 40));
            }
        }

        /** The application's process (java) as the host sees it. */
        long applicationPid() throws Exception {
            if (container != null) {
                List<String> inspect = List.of("podman", "inspect", "--format", "{{.State.Pid}}", container);
                Process process = new ProcessBuilder(inspect).redirectErrorStream(true).start();
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                assertEquals(0, process.waitFor(), String.join(" ", inspect) + ": " + out);
                return Long.parseLong(out);
            }
            // the entrypoint's sh has exec'd java by the time the application is ready
            Optional<ProcessHandle> java = this.process.descendants().filter(handle -> commandLine(handle.pid()).startsWith("java ")
                    && commandLine(handle.pid()).contains("quarkus-run.jar")).findFirst();
            if (java.isEmpty()) {
                throw new IllegalStateException("no java process under deploy/run-image-unpacked; " + log + ":\n" + tail(log, 20));
            }
            return java.get().pid();
        }

        /** Stops the application (SIGTERM, then SIGKILL to what is left) and removes what the run left. */
        @Override
        public void close() throws Exception {
            List<ProcessHandle> tree = Stream.concat(Stream.of(process.toHandle()), process.descendants()).collect(Collectors.toList());
            if (container != null) {
                run(List.of("podman", "stop", "--time", "20", container), test.dir.resolve("podman-stop.log"), Duration.ofSeconds(60));
            } else {
                // deploy/run-image-unpacked passes SIGTERM on to the application
                process.destroy();
            }
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                System.out.println("container image: still running 40 s after SIGTERM, killed");
            }
            tree.forEach(ProcessHandle::destroyForcibly);
            process.waitFor(10, TimeUnit.SECONDS);
            if (container != null) {
                run(List.of("podman", "rm", "--force", "--ignore", container), test.dir.resolve("podman-rm.log"), Duration.ofSeconds(60));
            }
            if (rootfs != null) {
                // the mounts (/proc, /dev, config/) were in the runner's namespace, gone with it; never delete through one
                String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
                assertTrue(!mounts.contains(" " + rootfs + "/") && !mounts.contains(" " + rootfs + " "),
                        "still mounted under " + rootfs + ": not deleted");
                deleteRecursively(rootfs);
            }
        }
    }

    // --- the machine -------------------------------------------------------------------------------------------------

    private static void require(List<String> missing) {
        RequiredTool.assumeAvailable(missing.isEmpty(), "the container image test needs " + String.join(", ", missing), "IDSYNC_REQUIRE_IMAGE");
    }

    private static boolean isRoot() {
        try {
            return statusLine(ProcessHandle.current().pid(), "Uid:").trim().split("\\s+")[0].equals("0");
        } catch (IOException | RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static String statusLine(long pid, String key) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream().filter(line -> line.startsWith(key))
                .map(line -> line.substring(key.length())).findFirst()
                .orElseThrow(() -> new IOException("no " + key + " in /proc/" + pid + "/status"));
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean onPath(String tool) {
        for (String entry : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, tool))) {
                return true;
            }
        }
        return false;
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs {@code command} to its end (killed after {@code timeout}), its output in {@code log}; the exit code. */
    private static int run(List<String> command, Path log, Duration timeout) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
            org.junit.jupiter.api.Assertions.fail(String.join(" ", command) + " took more than " + timeout + "; " + log + ":\n" + tail(log, 20));
        }
        return process.exitValue();
    }

    private static String tail(Path log, int lines) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** rm -rf, staying on this file system and not following links (an unpacked root filesystem has absolute ones). */
    private static void deleteRecursively(Path path) throws IOException, InterruptedException {
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            int exit = run(List.of("rm", "-rf", "--one-file-system", path.toString()), Path.of("/dev/null"), Duration.ofMinutes(2));
            assertEquals(0, exit, "rm -rf " + path);
        }
    }
}

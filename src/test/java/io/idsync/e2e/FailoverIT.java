package io.idsync.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.idsync.testsupport.Postgres;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Active / standby on one PostgreSQL: two packaged instances (processes of their own, {@code a} and {@code b}) share
 * the test's PostgreSQL, the systems run in a third process ({@link SyncWorld}). Each pipe runs on one instance; when
 * that instance dies the other takes it over from the checkpoint:
 * <ol>
 *   <li>{@code kill -9} of the holder during the initial loads;</li>
 *   <li>{@code kill -9} of the holder during a stream of mixed changes;</li>
 *   <li>{@code SIGSTOP} of the holder for longer than the lease (its sockets stay open, as with a GC pause or a host cut
 *       off), then {@code SIGCONT}: it must find it lost its pipes, and its writes are refused (fencing).</li>
 * </ol>
 * A killed instance is started again as the standby. At the end both destinations equal their sources: 0 missing,
 * extra, wrong, duplicate. The takeover times (from the kill or the pause to the survivor's first poll of each pipe)
 * are printed. {@code -Dfailover.seed=N} replays a run's random choices.
 */
class FailoverIT {

    private static final List<String> PIPES = List.of("directory-to-pingone", "pingone-to-directory");
    private static final String API_USER = "failover-viewer";
    private static final String API_PASSWORD = "failover-viewer-password";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long seed = Long.getLong("failover.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final Path dir = Path.of("target", "failover-test").toAbsolutePath();
    private final HttpClient http = HttpClient.newHttpClient();
    private SyncWorld world;
    private Postgres postgres;
    private final java.util.concurrent.atomic.AtomicInteger starts = new java.util.concurrent.atomic.AtomicInteger();

    /** The settings that put the packaged application on PostgreSQL (the postgresql profile), as a deployment does. */
    static Map<String, String> postgresSettings(Postgres postgres) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("quarkus.profile", "prod,postgresql");
        settings.put("quarkus.datasource.\"postgresql\".jdbc.url", postgres.url());
        settings.put("quarkus.datasource.\"postgresql\".username", "idsync");
        return settings;
    }

    @Test
    void whenTheHolderDiesOrFreezesTheStandbyTakesItsPipesAndNothingIsLostOrDoubled() throws Exception {
        Postgres.assumeAvailable();
        System.out.println("failover test seed " + seed + " (-Dfailover.seed=" + seed + " replays it)");
        if (Files.exists(dir)) {
            try (java.util.stream.Stream<Path> old = Files.walk(dir)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        List<String> takeovers = new ArrayList<>();
        try (SyncWorld running = SyncWorld.start(2000, 500, 400, random); Postgres database = Postgres.start()) {
            world = running;
            postgres = database;
            Map<String, PackagedIdsync> instances = new LinkedHashMap<>();
            try {
                // both start together: the pipes go to whichever takes their lease first (one instance, or one each)
                java.util.concurrent.CompletableFuture<PackagedIdsync> b = java.util.concurrent.CompletableFuture.supplyAsync(() -> startUnchecked("b"));
                instances.put("a", start("a"));
                instances.put("b", b.join());

                // 1. kill -9 of the holder during the initial loads
                long writes = world.directoryWrites();
                world.makeChanges(10, 5);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                        .until(() -> world.directoryWrites() >= writes + 50 + random.nextInt(400));
                takeovers.add("kill -9 during the initial load: " + killAndTakeOver(instances) + " ms");

                // 2. kill -9 of the holder during a stream of mixed changes
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> world.differences().none());
                world.makeChanges(50, 25);
                PackagedIdsync streaming = instances.get(holderOf(instances, "pingone-to-directory"));
                int outcomes = 1 + random.nextInt(20);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                        .until(() -> streaming.outcomesLogged("pingone-to-directory") >= outcomes);
                world.makeChanges(50, 25);
                takeovers.add("kill -9 during a change stream: " + killAndTakeOver(instances) + " ms");

                // 3. SIGSTOP of the holder past its lease, changes flowing, then SIGCONT
                String frozenName = holderOf(instances, "pingone-to-directory");
                String survivor = frozenName.equals("a") ? "b" : "a";
                PackagedIdsync frozen = instances.get(frozenName);
                long before = frozen.outcomesLogged("pingone-to-directory");
                world.makeChanges(50, 25);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                        .until(() -> frozen.outcomesLogged("pingone-to-directory") > before);
                long paused = System.nanoTime();
                frozen.pause();
                world.makeChanges(50, 25);
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> runsEveryPipe(instances.get(survivor), survivor));
                takeovers.add("SIGSTOP past the lease: " + (System.nanoTime() - paused) / 1_000_000 + " ms");
                world.makeChanges(50, 25);
                frozen.wake();
                // it finds its session gone and stands by; the API of each says where the pipes run
                await().atMost(Duration.ofSeconds(15)).until(() -> frozen.logText().contains("instance " + frozenName + " lost pipes"));
                for (String pipe : PIPES) {
                    JsonNode status = get(frozen, "/api/pipes/" + pipe);
                    assertEquals(survivor, status.path("heldBy").path("instance").asText(), status.toString());
                    assertFalse(status.path("heldBy").path("here").asBoolean(), status.toString());
                    assertTrue(get(instances.get(survivor), "/api/pipes/" + pipe).path("heldBy").path("here").asBoolean());
                }
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + frozen.port() + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ready.statusCode(), "a standby is ready (it serves the API): " + ready.body());
                String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + frozen.port() + "/q/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(metrics.contains("idsync_instance=\"" + frozenName + "\""), "the metrics name the instance");

                // the end: the destinations equal the sources
                SyncWorld.Differences last = null;
                try {
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> world.differences().none());
                } catch (ConditionTimeoutException e) {
                    last = world.differences();
                }
                SyncWorld.Differences result = last != null ? last : world.differences();
                long refused = countInLogs("its write is refused");
                System.out.printf(Locale.ROOT, "failover test: takeovers: %s; %d writes refused by fencing; %d PingOne changes, %d directory changes;"
                                + " directory: %d entries for %d Employees; PingOne Corp: %d users for %d group members; %s%n",
                        String.join(", ", takeovers), refused, world.pingOneChanges, world.directoryChanges, result.directoryEntries(), result.employees(),
                        result.corpUsers(), result.groupMembers(), result);
                assertTrue(result.none(), result + " (seed " + seed + "; logs in " + dir + ")");
            } finally {
                for (PackagedIdsync instance : instances.values()) {
                    instance.close();
                }
            }
        }
    }

    /**
     * Kills the holder of {@code pingone-to-directory}, and measures until the survivor runs every pipe (its first poll
     * of each); then starts the killed instance again, as the standby.
     */
    private long killAndTakeOver(Map<String, PackagedIdsync> instances) throws Exception {
        String holder = holderOf(instances, "pingone-to-directory");
        String survivor = holder.equals("a") ? "b" : "a";
        long killed = System.nanoTime();
        instances.get(holder).kill();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> runsEveryPipe(instances.get(survivor), survivor));
        long took = (System.nanoTime() - killed) / 1_000_000;
        instances.put(holder, start(holder));
        return took;
    }

    /** The instance that runs {@code pipe}, as the API of an instance says. */
    private String holderOf(Map<String, PackagedIdsync> instances, String pipe) {
        String[] holder = new String[1];
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode heldBy = get(instances.values().iterator().next(), "/api/pipes/" + pipe).path("heldBy");
            holder[0] = heldBy.path("instance").asText(null);
            return holder[0] != null;
        });
        return holder[0];
    }

    /**
     * Whether {@code instance}'s log (this start's) says it runs every pipe: it took each first (token 1), or took it
     * over from another instance at its first poll after the lease.
     */
    private static boolean runsEveryPipe(PackagedIdsync idsync, String instance) throws Exception {
        String log = idsync.logText();
        return PIPES.stream().allMatch(pipe -> log.contains(pipe + ": taken over by instance " + instance)
                || log.contains("instance " + instance + " holds pipe '" + pipe + "' (lease token 1)"));
    }

    private PackagedIdsync startUnchecked(String instance) {
        try {
            return start(instance);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private PackagedIdsync start(String instance) throws Exception {
        int start = starts.incrementAndGet();
        Map<String, String> settings = world.idsyncSettings();
        settings.putAll(postgresSettings(postgres));
        settings.put("idsync.instance.name", instance);
        settings.put("quarkus.security.users.embedded.users." + API_USER, hash(API_USER + ":idsync:" + API_PASSWORD));
        settings.put("quarkus.security.users.embedded.roles." + API_USER, "viewer");
        return PackagedIdsync.start(dir.resolve(instance), dir.resolve("idsync-" + start + "-" + instance + ".log"), settings);
    }

    private JsonNode get(PackagedIdsync idsync, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + idsync.port() + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((API_USER + ":" + API_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return JSON.readTree(response.body());
    }

    /** How many lines of every start's log say {@code text}. */
    private long countInLogs(String text) throws java.io.IOException {
        long count = 0;
        try (java.util.stream.Stream<Path> logs = Files.list(dir)) {
            for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                count += Files.readString(log).lines().filter(line -> line.contains(text)).count();
            }
        }
        return count;
    }

    private static String hash(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}

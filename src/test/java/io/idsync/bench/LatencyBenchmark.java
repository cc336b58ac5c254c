package io.idsync.bench;

import io.idsync.testsupport.PipeFixture;
import io.idsync.testsupport.RoadRouteTest;
import io.idsync.testsupport.SandboxAdmin;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.impl.DefaultCamelContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How long a change takes from its source to its destination (issue 20's latency), polled every second while entries
 * are modified at a steady rate; each change's latency is what the pipe hands its metrics (from the source's time of
 * the change to the destination's answer). Two roads: PingOne sandbox → directory (the shipped pingone-to-directory
 * route; from the activity's {@code recordedAt}), with PingOne's polling offset at 0 and at the given offset; then
 * OpenLDAP (slapd, entryCSN) → SCIM (scim-sdk-server), a pipe a deployment adds with a route file and a mapping (from
 * the entry's entryCSN time). Printed as p50/p99. Not a test:
 * <pre>java -cp ... io.idsync.bench.LatencyBenchmark [changes/s] [seconds] [offset seconds]</pre>
 */
public final class LatencyBenchmark {

    public static void main(String[] args) throws Exception {
        org.jboss.logmanager.LogContext.getSystemLogContext().getLogger("").setLevel(java.util.logging.Level.WARNING);
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int offset = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        for (int pollingOffset : new int[]{0, offset}) {
            run(rate, seconds, Duration.ofSeconds(pollingOffset));
        }
        if (io.idsync.testsupport.Slapd.available()) {
            directoryToScim(rate, seconds);
        } else {
            System.out.println("directory → SCIM: skipped, no slapd (" + io.idsync.testsupport.Slapd.BINARY + ")");
        }
    }

    private static final String SCIM_PIPE = "directory-to-scim";
    private static final String SCIM_MAPPING = """
            sync-class:
              synchronize-creates: true
              synchronize-modifies: true
              synchronize-deletes: true
              delete-action: disable
              scope-exit-action: disable
              disable-attribute: active
              disable-value: "false"
              creates-as-modifies: true
              modifies-as-creates: false
              provision-disabled-users: true
            attribute-map:
              - {to-attribute: userName, type: direct, from-attribute: uid}
              - {to-attribute: name.givenName, type: direct, from-attribute: givenName}
              - {to-attribute: name.familyName, type: direct, from-attribute: sn}
              - {to-attribute: 'emails[type eq "work"].value', type: direct, from-attribute: mail}
              - {to-attribute: title, type: direct, from-attribute: title}
              - {to-attribute: active, type: direct, from-attribute: accountEnabledInDirectory}
            correlation:
              - [userName]
            """;

    /** OpenLDAP → SCIM: 200 users in slapd, modified at {@code rate}; the pipe polls entryCSN every second. */
    private static void directoryToScim(int rate, int seconds) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("idsync-latency");
        try (io.idsync.testsupport.Slapd slapd = io.idsync.testsupport.Slapd.start().withPeople();
             io.idsync.testsupport.scim.ScimSdkServer scim = io.idsync.testsupport.scim.ScimSdkServer.start();
             io.idsync.testsupport.WiredPipes systems = new io.idsync.testsupport.WiredPipes();
             DefaultCamelContext context = new DefaultCamelContext();
             com.unboundid.ldap.sdk.LDAPConnection admin = slapd.connection()) {
            int users = 200;
            for (int i = 0; i < users; i++) {
                admin.add("dn: uid=lat." + i + "," + io.idsync.testsupport.Slapd.PEOPLE, "objectClass: inetOrgPerson", "uid: lat." + i,
                        "cn: Latency " + i, "sn: " + i, "givenName: Latency", "mail: lat." + i + "@example.com");
            }
            java.nio.file.Path mapping = dir.resolve("mapping.yaml");
            java.nio.file.Files.writeString(mapping, SCIM_MAPPING);
            java.nio.file.Path routes = dir.resolve(SCIM_PIPE + ".yaml");
            StringBuilder yaml = new StringBuilder();
            for (String[] route : new String[][]{{"idsync-poll", "-poll"}, {"idsync-reconcile", "-reconcile"}, {"idsync-road", ""}}) {
                yaml.append("- templatedRoute:\n    routeTemplateRef: ").append(route[0]).append("\n    routeId: ").append(SCIM_PIPE).append(route[1])
                        .append("\n    prefixId: ").append(SCIM_PIPE).append(".\n    parameters:\n      - {name: pipe, value: ").append(SCIM_PIPE).append("}\n");
            }
            java.nio.file.Files.writeString(routes, yaml);
            java.util.Map<String, String> properties = new java.util.LinkedHashMap<>();
            String pipe = "idsync.pipes." + SCIM_PIPE + ".";
            properties.put(pipe + "source", "directory");
            properties.put(pipe + "destination", "scim");
            properties.put(pipe + "mapping", mapping.toString());
            properties.put(pipe + "source-base-dn", io.idsync.testsupport.Slapd.PEOPLE);
            properties.put(pipe + "source-filter", "(objectClass=inetOrgPerson)");
            io.idsync.testsupport.WiredPipes.connection(properties, "directory", java.util.Map.of("type", "ldap", "url", slapd.url(),
                    "bind-dn", io.idsync.testsupport.Slapd.ROOT_DN, "bind-password", io.idsync.testsupport.Slapd.ROOT_PASSWORD,
                    "base-dn", io.idsync.testsupport.Slapd.SUFFIX));
            java.util.Map<String, String> connection = new java.util.HashMap<>(scim.connectionSettings());
            connection.put("type", "scim");
            io.idsync.testsupport.WiredPipes.connection(properties, "scim", connection);
            context.getRegistry().bind("road", systems.road());
            context.getRegistry().bind("idsyncWorkers", systems.workers());
            RoadRouteTest.loadPipeRoutes(context, "file:" + routes);
            systems.wire(context, properties);
            context.start();
            org.apache.camel.ProducerTemplate template = context.createProducerTemplate();
            template.sendBody("direct:poll-" + SCIM_PIPE, null); // the initial load
            List<Duration> latencies = Collections.synchronizedList(new ArrayList<>());
            systems.pipes.get(SCIM_PIPE).onChangeLatency(latencies::add);

            ScheduledExecutorService clock = Executors.newScheduledThreadPool(1);
            clock.scheduleWithFixedDelay(() -> template.sendBody("direct:poll-" + SCIM_PIPE, null), 0, 1, TimeUnit.SECONDS);
            int total = rate * seconds;
            long started = System.nanoTime();
            for (int i = 0; i < total; i++) {
                pace(started, i, rate);
                admin.modify("uid=lat." + (i % users) + "," + io.idsync.testsupport.Slapd.PEOPLE,
                        new com.unboundid.ldap.sdk.Modification(com.unboundid.ldap.sdk.ModificationType.REPLACE, "title", "latency " + i));
            }
            long drove = System.nanoTime() - started;
            List<Duration> sorted = settled(latencies);
            clock.shutdownNow();
            String last = scim.get("/Users?filter=" + java.net.URLEncoder.encode("userName eq \"lat." + ((total - 1) % users) + "\"",
                    java.nio.charset.StandardCharsets.UTF_8)).path("Resources").path(0).path("title").asText();
            System.out.printf("directory → SCIM (slapd entryCSN → scim-sdk-server): %d changes at %.0f/s for %d s, %d latencies: p50 %d ms, p99 %d ms,"
                            + " max %d ms; the last change at the provider: %s%n", total, total / (drove / 1e9), seconds, sorted.size(),
                    at(sorted, 0.5), at(sorted, 0.99), sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1).toMillis(),
                    ("latency " + (total - 1)).equals(last) ? "yes" : "NO (" + last + ")");
        }
    }

    /** Waits until change {@code i} is due at {@code rate} per second from {@code started}. */
    private static void pace(long started, int i, int rate) throws InterruptedException {
        long wait = started + i * 1_000_000_000L / rate - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    /** The latencies once every change is applied (none new for 3 s; 30 s at most), sorted. */
    private static List<Duration> settled(List<Duration> latencies) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int seen = -1;
        while (System.nanoTime() < deadline && latencies.size() != seen) {
            seen = latencies.size();
            TimeUnit.SECONDS.sleep(3);
        }
        List<Duration> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return sorted;
    }

    private static void run(int rate, int seconds, Duration pollingOffset) throws Exception {
        try (PipeFixture systems = new PipeFixture(200, 0); DefaultCamelContext context = new DefaultCamelContext()) {
            systems.restart(PipeFixture.PIPE, "Employees", "mappings/pingone-to-directory.yaml", java.util.function.UnaryOperator.identity(), pollingOffset);
            List<Duration> latencies = Collections.synchronizedList(new ArrayList<>());
            systems.pipe().onChangeLatency(latencies::add);
            context.getRegistry().bind("road", systems.road());
            context.getRegistry().bind("idsyncWorkers", systems.workers());
            RoadRouteTest.loadPipeRoutes(context, "classpath:routes/pingone-to-directory.yaml");
            AdviceWith.adviceWith(context, "pingone-to-directory-poll", a -> a.replaceFromWith("direct:poll"));
            AdviceWith.adviceWith(context, "pingone-to-directory-reconcile", a -> a.replaceFromWith("direct:reconcile"));
            context.start();
            context.createProducerTemplate().sendBody("direct:poll", null); // the initial load
            List<String> ids = List.copyOf(systems.environment.userIdsInPopulation(systems.environment.populationIdsByName().get("Employees")));

            ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
            clock.scheduleWithFixedDelay(() -> context.createProducerTemplate().sendBody("direct:poll", null), 0, 1, TimeUnit.SECONDS);
            int total = rate * seconds;
            long started = System.nanoTime();
            for (int i = 0; i < total; i++) {
                pace(started, i, rate);
                systems.admin.patchUser(ids.get(i % ids.size()), SandboxAdmin.JSON.createObjectNode().put("title", "latency " + i));
            }
            long drove = System.nanoTime() - started;
            // every change applied (changes to one user within a poll coalesce: one latency for them)
            List<Duration> sorted = settled(latencies);
            clock.shutdownNow();
            System.out.printf("polling offset %d s: %d changes at %.0f/s for %d s, %d latencies: p50 %d ms, p99 %d ms, max %d ms%n",
                    pollingOffset.toSeconds(), total, total / (drove / 1e9), seconds, sorted.size(), at(sorted, 0.5), at(sorted, 0.99),
                    sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1).toMillis());
        }
    }

    private static long at(List<Duration> sorted, double percentile) {
        return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(percentile * sorted.size()) - 1)).toMillis();
    }
}

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
 * How long a change takes from PingOne to the directory (issue 20's latency): the shipped pingone-to-directory route
 * polled every second, while users are modified in the PingOne sandbox at a steady rate; each change's latency is
 * what the pipe hands its metrics (from the activity's {@code recordedAt} to the directory's answer). Printed as
 * p50/p99 with PingOne's polling offset at 0 and at the given offset. Not a test:
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
                long due = started + i * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                systems.admin.patchUser(ids.get(i % ids.size()), SandboxAdmin.JSON.createObjectNode().put("title", "latency " + i));
            }
            long drove = System.nanoTime() - started;
            // every change applied (changes to one user within a poll coalesce: one latency for them)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int seen = -1;
            while (System.nanoTime() < deadline && latencies.size() != seen) {
                seen = latencies.size();
                TimeUnit.SECONDS.sleep(3);
            }
            clock.shutdownNow();
            List<Duration> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            System.out.printf("polling offset %d s: %d changes at %.0f/s for %d s, %d latencies: p50 %d ms, p99 %d ms, max %d ms%n",
                    pollingOffset.toSeconds(), total, total / (drove / 1e9), seconds, sorted.size(), at(sorted, 0.5), at(sorted, 0.99),
                    sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1).toMillis());
        }
    }

    private static long at(List<Duration> sorted, double percentile) {
        return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(percentile * sorted.size()) - 1)).toMillis();
    }
}

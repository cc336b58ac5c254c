package io.idsync.status;

import io.idsync.connector.EntryType;
import io.idsync.pipe.Outcome;
import io.idsync.pipe.Pipe;
import io.idsync.pipe.Pipes;
import io.idsync.state.StateStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.ToDoubleFunction;

/**
 * The pipes' meters, at {@code /q/metrics} (Prometheus): per pipe the outcome counters
 * ({@code idsync_pipe_outcomes_total{pipe,outcome}}), the sync status figures ({@code idsync_pipe_entries{pipe,status}}),
 * whether it is failing, the last poll's duration, the newest change's lag and every change's latency
 * ({@code idsync_change_latency_seconds{pipe}}, a histogram); the workers' queue. A scrape reads the
 * figures from the state store at most every 5 s per pipe. Connections' requests are metered by their clients
 * ({@code idsync_connection_requests_seconds}).
 */
@ApplicationScoped
public class PipeMetrics {

    private static final Duration FIGURES_KEPT = Duration.ofSeconds(5);
    /** {@code idsync_change_latency_seconds{pipe}} */
    static final String LATENCY = "idsync.change.latency";

    @Inject
    Pipes pipes;

    @Inject
    MeterRegistry registry;

    @Inject
    @Named("idsyncWorkers")
    ExecutorService workers;

    private record Kept(Instant at, StateStore.Figures figures) {
    }

    private final ConcurrentHashMap<String, Kept> figures = new ConcurrentHashMap<>();

    void register(@Observes StartupEvent event) {
        for (Pipe pipe : pipes.all()) {
            for (Outcome outcome : Outcome.values()) {
                FunctionCounter.builder("idsync.pipe.outcomes", pipe, p -> p.counters().snapshot().getOrDefault(outcome.counter(), 0L))
                        .tags("pipe", pipe.name(), "outcome", outcome.counter()).description("entries by outcome, since the pipe's first run")
                        .register(registry);
            }
            figure(pipe, "impacted", StateStore.Figures::impacted);
            figure(pipe, "success", StateStore.Figures::success);
            figure(pipe, "unsynced", StateStore.Figures::unsynced);
            figure(pipe, "partial", StateStore.Figures::partial);
            figure(pipe, "failed", StateStore.Figures::failed);
            Gauge.builder("idsync.pipe.failing", pipe, p -> p.lastError() == null ? 0 : 1).tag("pipe", pipe.name())
                    .description("1 while a system the pipe needs is failing").register(registry);
            Gauge.builder("idsync.pipe.poll.duration", pipe, p -> seconds(p.pollDuration())).tag("pipe", pipe.name()).baseUnit("seconds")
                    .description("how long the last poll took").register(registry);
            Gauge.builder("idsync.pipe.change.lag", pipe, p -> seconds(p.changeLag())).tag("pipe", pipe.name()).baseUnit("seconds")
                    .description("from the newest change's time at the source to its outcome").register(registry);
            // every change's latency (source change → destination acknowledged) as a histogram: p50 and p99 of the last
            // minutes in the pipe's status, buckets for the platform's own quantiles; the objective is a bucket bound
            Timer.Builder latency = Timer.builder(LATENCY).tag("pipe", pipe.name()).publishPercentiles(0.5, 0.99).publishPercentileHistogram()
                    .description("from a change's time at the source to the destination's answer");
            if (pipe.latencyObjective() != null) {
                latency.serviceLevelObjectives(pipe.latencyObjective());
            }
            pipe.onChangeLatency(latency.register(registry)::record);
        }
        if (workers instanceof ThreadPoolExecutor pool) {
            Gauge.builder("idsync.workers.queue", pool, p -> p.getQueue().size()).description("entries waiting for a worker").register(registry);
            Gauge.builder("idsync.workers.active", pool, ThreadPoolExecutor::getActiveCount).description("workers busy").register(registry);
        }
    }

    private void figure(Pipe pipe, String status, ToDoubleFunction<StateStore.Figures> value) {
        Gauge.builder("idsync.pipe.entries", pipe, p -> value.applyAsDouble(figures(p))).tags("pipe", pipe.name(), "status", status)
                .description("the pipe's sync status over its whole scope (seed 003)").register(registry);
    }

    private StateStore.Figures figures(Pipe pipe) {
        return figures.compute(pipe.name(), (name, kept) -> kept != null && kept.at().plus(FIGURES_KEPT).isAfter(Instant.now()) ? kept
                : new Kept(Instant.now(), pipe.state().figures(name, pipe.entryType() == EntryType.GROUP))).figures();
    }

    private static double seconds(Duration duration) {
        return duration == null ? Double.NaN : duration.toMillis() / 1000.0;
    }
}

package io.idsync.status;

import io.idsync.pipe.Pipe;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A pipe's change latency as its status says it: p50 and p99 of the last minutes (from the histogram
 * {@link PipeMetrics} keeps), how many changes since start, and whether p99 is past the pipe's
 * {@code latency-objective} (a warning, not a failure).
 */
@ApplicationScoped
public class ChangeLatency {

    @Inject
    MeterRegistry registry;

    /** {@code p50Seconds}, {@code p99Seconds}, {@code changes}, {@code objectiveSeconds}, {@code objectiveBreached}. */
    Map<String, Object> of(Pipe pipe) {
        Map<String, Object> latency = new LinkedHashMap<>();
        Timer timer = registry.find(PipeMetrics.LATENCY).tag("pipe", pipe.name()).timer();
        Double p50 = null;
        Double p99 = null;
        long changes = 0;
        if (timer != null) {
            HistogramSnapshot snapshot = timer.takeSnapshot();
            changes = snapshot.count();
            for (ValueAtPercentile value : snapshot.percentileValues()) {
                double seconds = Math.round(value.value(TimeUnit.MILLISECONDS)) / 1000.0;
                if (value.percentile() == 0.5) {
                    p50 = seconds;
                } else if (value.percentile() == 0.99) {
                    p99 = seconds;
                }
            }
        }
        latency.put("p50Seconds", changes == 0 ? null : p50);
        latency.put("p99Seconds", changes == 0 ? null : p99);
        latency.put("changes", changes);
        Duration objective = pipe.latencyObjective();
        latency.put("objectiveSeconds", objective == null ? null : objective.toMillis() / 1000.0);
        latency.put("objectiveBreached", objective != null && changes > 0 && p99 != null && p99 * 1000 > objective.toMillis());
        return latency;
    }

    /** Why the pipe is past its objective ("p99 3.2 s, objective 2 s"), or null when it is within it or has none. */
    String breach(Pipe pipe) {
        Map<String, Object> latency = of(pipe);
        return Boolean.TRUE.equals(latency.get("objectiveBreached"))
                ? "p99 " + latency.get("p99Seconds") + " s, objective " + latency.get("objectiveSeconds") + " s" : null;
    }
}

package io.idsync.status;

import io.idsync.pipe.Pipe;
import io.idsync.pipe.Pipes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /q/health}'s check {@code idsync latency objectives}: each pipe with a {@code latency-objective}, within it or
 * past it with its p99. Always up: a slow pipe is a warning for the operator, not a reason to take the instance out
 * of service (which would only make it slower).
 */
@Readiness
@ApplicationScoped
public class LatencyObjectives implements HealthCheck {

    @Inject
    Pipes pipes;

    @Inject
    ChangeLatency latency;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("idsync latency objectives").up();
        for (Pipe pipe : pipes.all()) {
            if (pipe.latencyObjective() != null) {
                String breach = latency.breach(pipe);
                response.withData(pipe.name(), breach == null ? "within its objective" : "warning: past its objective: " + breach);
            }
        }
        return response.build();
    }
}

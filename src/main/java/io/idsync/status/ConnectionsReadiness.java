package io.idsync.status;

import io.idsync.config.Connections;
import io.idsync.connector.ConnectionCheck;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /q/health/ready}: one check per connection the pipes use, up when it can authenticate or bind (its
 * connection test). A probe every few seconds must not hammer PingOne: each connection's answer is kept 15 s.
 */
@Readiness
@ApplicationScoped
public class ConnectionsReadiness implements HealthCheck {

    private static final Duration KEEP = Duration.ofSeconds(15);

    @Inject
    Connections connections;

    private record Answer(Instant at, List<ConnectionCheck> checks) {
    }

    private final ConcurrentHashMap<String, Answer> answers = new ConcurrentHashMap<>();

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("idsync connections").up();
        for (String name : connections.opened()) {
            Answer answer = answers.compute(name, (key, old) -> old != null && old.at().plus(KEEP).isAfter(Instant.now()) ? old
                    : new Answer(Instant.now(), connections.test(key)));
            ConnectionCheck failed = answer.checks().stream().filter(check -> !check.passed()).findFirst().orElse(null);
            response.withData(name, failed == null ? "up" : "down: " + failed.check() + ": " + failed.detail());
            if (failed != null) {
                response.down();
            }
        }
        return response.build();
    }
}

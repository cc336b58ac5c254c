package io.idsync.status;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * In the demo profile only ({@code idsync.api.print-demo-users}), says at start where the API is and which users
 * reach it, with their passwords: the demo's own, made for trying it out. No other profile prints a password.
 */
@ApplicationScoped
public class DemoUsers {

    private static final Logger LOG = Logger.getLogger(DemoUsers.class);

    void announce(@Observes StartupEvent event, Config config) {
        List<String> users = config.getOptionalValues("idsync.api.print-demo-users", String.class).orElse(List.of());
        if (users.isEmpty()) {
            return;
        }
        String root = "http://" + config.getOptionalValue("quarkus.http.host", String.class).orElse("localhost") + ":"
                + config.getOptionalValue("quarkus.http.port", Integer.class).orElse(8080);
        StringBuilder line = new StringBuilder("Demo dashboard on ").append(root).append("/ and HTTP API on ").append(root)
                .append("/api/pipes, HTTP basic:");
        for (String user : users) {
            line.append(" ").append(user).append(" / ")
                    .append(config.getOptionalValue("quarkus.security.users.embedded.users." + user, String.class).orElse("?"))
                    .append(" (").append(config.getOptionalValue("quarkus.security.users.embedded.roles." + user, String.class).orElse("no role"))
                    .append(")");
        }
        LOG.info(line);
    }
}

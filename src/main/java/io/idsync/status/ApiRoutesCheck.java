package io.idsync.status;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;

import java.util.List;
import java.util.Optional;

/**
 * The HTTP API lives in {@code api/http-api.yaml} (Camel's Rest DSL), apart from the pipes' route files
 * ({@code routes/*.yaml}), loaded by its own entry of {@code camel.main.routes-include-pattern},
 * {@code classpath:api/*.yaml}: a deployment that narrows the pipes' entry to its own pipes keeps it. One that sets the
 * pattern without that entry would lose the whole API (the dashboard, health's companions, the operator's runs)
 * without a word: start-up refuses that, naming the entry to keep.
 */
@ApplicationScoped
public class ApiRoutesCheck {

    /** The routes the API cannot do without: its status, its entries, its runs. */
    static final List<String> REQUIRED = List.of("api-pipes", "api-pipe", "api-pipe-entries", "api-pipe-runs");

    void started(@Observes CamelEvent.CamelContextStartedEvent event) {
        problem(event.getContext()).ifPresent(problem -> {
            throw new IllegalStateException(problem);
        });
    }

    /** Why the API is missing, if it is. */
    static Optional<String> problem(CamelContext camel) {
        List<String> missing = REQUIRED.stream().filter(id -> camel.getRoute(id) == null).toList();
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the HTTP API's routes " + missing + " are not loaded: camel.main.routes-include-pattern must keep"
                + " classpath:api/*.yaml beside the pipes' own route files");
    }
}

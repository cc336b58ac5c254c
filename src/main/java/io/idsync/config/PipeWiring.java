package io.idsync.config;

import io.idsync.cluster.Leases;
import io.idsync.cluster.StateDatabase;
import io.idsync.connector.Connector;
import io.idsync.connector.ConnectorKind;
import io.idsync.connector.Settings;
import io.idsync.mapping.MappingFile;
import io.idsync.mapping.PipeMapping;
import io.idsync.pipe.DeletionGuard;
import io.idsync.pipe.Pipe;
import io.idsync.pipe.Pipes;
import io.idsync.pipe.Retry;
import io.idsync.pipe.Road;
import io.idsync.state.StateStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.eclipse.microprofile.config.Config;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the configured pipes at start-up and hands the routes their beans ({@code road}, {@code idsyncWorkers}).
 * Everything wrong (a pipe's or a connection's settings, a mapping file, a route file without its pipe or a
 * pipe without its routes) stops start-up, every problem named.
 */
@ApplicationScoped
public class PipeWiring {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(PipeWiring.class);

    private Connections connections;

    /** Every key under {@code idsync.}, from the application's configuration (files, environment, system properties). */
    static Settings idsync(Config config) {
        return new Settings("idsync.", key -> config.getOptionalValue(key, String.class));
    }

    @Produces
    @Singleton
    StateStore stateStore(StateDatabase database, Leases leases, Config config) {
        // the embedded H2 or, with the postgresql profile, PostgreSQL; its writes fenced by the pipes' leases
        return new StateStore(database.dataSource()).fence(leases).auditRetention(idsync(config).duration("audit.retention", "30d"));
    }

    @Produces
    @Singleton
    Pipes pipes(Config config, @Any Instance<ConnectorKind> kinds, StateStore state, CamelContext camel) {
        LocalUsers.refusePlainText(config);
        Built built = build(idsync(config), config.getPropertyNames(), kinds, state,
                camel.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinitions());
        connections = built.connections();
        return built.pipes();
    }

    /** The connections the pipes were built with (the pipes first: building them opens the connections). */
    @Produces
    @Singleton
    Connections connections(Pipes pipes) {
        return connections;
    }

    /** The pipes built, and the connections they share (closed at shutdown). */
    public record Built(Pipes pipes, Connections connections) implements AutoCloseable {
        @Override
        public void close() {
            connections.close();
        }
    }

    /**
     * Checks everything, then builds the enabled pipes: what start-up does, also for a route-level test that
     * wires a pipe from its shipped settings alone.
     *
     * @param propertyNames every configuration key known (pipes are found by their keys)
     * @param routes        the route definitions loaded (pipe files are checked against the pipes)
     * @throws ConfigurationException naming every problem found
     */
    public static Built build(Settings idsync, Iterable<String> propertyNames, Iterable<ConnectorKind> kinds, StateStore state,
                              java.util.Collection<org.apache.camel.model.RouteDefinition> routes) {
        Connections connections = new Connections(kinds, idsync);
        try {
            List<PipeSettings> declared = PipeSettings.declared(propertyNames, idsync);
            java.util.Set<String> problems = new java.util.LinkedHashSet<>(PipeRoutes.problems(routes, declared));
            List<PipeSettings> enabled = declared.stream().filter(PipeSettings::built).toList();
            for (PipeSettings pipe : enabled) {
                List<String> own = pipe.problems(declared); // only a pipe that names its connections has them checked
                problems.addAll(own);
                if (own.isEmpty()) {
                    problems.addAll(connections.problems(pipe));
                }
            }
            if (!problems.isEmpty()) {
                throw new ConfigurationException("idsync cannot start, its configuration is incomplete:\n  - " + String.join("\n  - ", problems)
                        + "\nSet these in config/application.properties or in the environment.");
            }
            Pipes pipes = new Pipes();
            for (PipeSettings settings : enabled) {
                PipeMapping mapping = MappingFile.load(settings.mapping());
                Connector.Source source = connections.source(settings);
                io.idsync.connector.Destination destination = connections.destination(settings);
                // a to-attribute the destination has no room for would fail every entry, one by one: say it now
                String where = "pipe '" + settings.name() + "', mapping " + mapping.origin() + ": ";
                java.util.function.Supplier<java.util.Optional<List<String>>> fit = () -> destination.schemaProblems(
                                mapping.attributes().stream().map(a -> a.toAttribute()).toList(), mapping.objectClasses())
                        .map(found -> found.stream().map(where::concat).toList());
                java.util.Optional<List<String>> misfits = fit.get();
                misfits.ifPresent(problems::addAll);
                // a source attribute no entry can have is a warning: one mapping may serve several kinds of directory
                // (ds-pwp-account-disabled is PingDirectory's, sAMAccountName Active Directory's)
                source.reader().schemaProblems(mapping.attributes().stream().flatMap(a -> a.patterns().stream()).flatMap(p -> p.paths().stream())
                                .filter(path -> !path.equals(Road.PROVISIONED_MEMBERS)).toList())
                        .forEach(problem -> LOG.warnf("%s%s", where, problem));
                pipes.register(new Pipe(settings.name(), settings.entryType(), source.changes(), source.reader(),
                        destination, mapping, state,
                        new DeletionGuard(settings.deletionGuardPercent(), settings.deletionGuardCount()))
                        .membersFrom(settings.membersFrom().orElse(null))
                        .retired(!settings.enabled())
                        .retryFailedAttempts(settings.retryFailedAttempts())
                        .failurePolicies(settings.failurePolicies())
                        .retryFailedInterval(settings.retryFailedInterval())
                        .latencyObjective(settings.latencyObjective().orElse(null))
                        .writesTo(settings.destination().orElseThrow())
                        // a destination down at start is checked before the pipe's first poll instead
                        .fitsItsDestination(misfits.isPresent() ? null : fit));
            }
            if (!problems.isEmpty()) {
                throw new ConfigurationException("idsync cannot start, its mappings do not fit their systems:\n  - " + String.join("\n  - ", problems));
            }
            return new Built(pipes, connections);
        } catch (Settings.Invalid e) {
            connections.close();
            throw new ConfigurationException("idsync cannot start: " + e.getMessage());
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
    }

    @Produces
    @Singleton
    @Named("road")
    Road road(Pipes pipes, Leases leases, Config config) {
        Settings retry = idsync(config).under("idsync.retry.");
        return new Road(pipes, new Retry(retry.integer("max-redeliveries", 5), retry.integer("initial-delay-ms", 500)), leases);
    }

    /**
     * The workers of a batch ({@code idsync.workers}, 8). The queue is short and a full queue makes the reading
     * thread do the work itself, so a scan never reads far ahead of what is written: memory stays flat.
     */
    @Produces
    @Singleton
    @Named("idsyncWorkers")
    ExecutorService workers(Config config) {
        int workers = idsync(config).integer("workers", 8);
        AtomicInteger number = new AtomicInteger();
        return new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(workers * 4), r -> {
            Thread thread = new Thread(r, "idsync-worker-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
    }

    void closeWorkers(@Disposes @Named("idsyncWorkers") ExecutorService workers) {
        workers.shutdownNow();
    }

    /** Builds (and so validates) the pipes when the application starts, not at the first poll. */
    void validate(@Observes StartupEvent event, Pipes pipes) {
        pipes.all().forEach(Pipe::name);
    }

    void close(@Observes ShutdownEvent event) {
        if (connections != null) {
            connections.close();
        }
    }
}

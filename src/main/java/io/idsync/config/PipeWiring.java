package io.idsync.config;

import io.agroal.api.AgroalDataSource;
import io.idsync.mapping.MappingFile;
import io.idsync.mapping.PipeMapping;
import io.idsync.pipe.DeletionGuard;
import io.idsync.pipe.Pipe;
import io.idsync.pipe.Pipes;
import io.idsync.pipe.Retry;
import io.idsync.pipe.Road;
import io.idsync.sandbox.SandboxLauncher;
import io.idsync.state.StateStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the configured pipes at start-up and hands the routes their beans ({@code road}, {@code idsyncWorkers}).
 * A pipe whose connections lack settings, or whose mapping file is wrong, stops start-up with every problem named.
 */
@ApplicationScoped
public class PipeWiring {

    private ConnectorFactory connectors;

    @Produces
    @Singleton
    StateStore stateStore(AgroalDataSource dataSource) {
        return new StateStore(dataSource);
    }

    @Produces
    @Singleton
    Pipes pipes(IdsyncConfig config, StateStore state, SandboxLauncher sandbox) {
        sandbox.ensureStarted(config); // demo and test profiles: the embedded systems are up before any poll
        connectors = new ConnectorFactory(config.connections());
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, IdsyncConfig.PipeSettings> entry : config.pipes().entrySet()) {
            if (entry.getValue().enabled()) {
                problems.addAll(connectors.problems(entry.getKey(), entry.getValue().source(), entry.getValue().destination()));
                problems.addAll(pipeProblems(config.pipes(), entry.getKey()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("idsync cannot start, its configuration is incomplete:\n  - " + String.join("\n  - ", problems)
                    + "\nSet these in config/application.properties or in the environment.");
        }
        Pipes pipes = new Pipes();
        for (Map.Entry<String, IdsyncConfig.PipeSettings> entry : config.pipes().entrySet()) {
            String name = entry.getKey();
            IdsyncConfig.PipeSettings settings = entry.getValue();
            if (!settings.enabled()) {
                continue;
            }
            PipeMapping mapping = MappingFile.load(settings.mapping().orElse("mappings/" + name + ".yaml"));
            ConnectorFactory.Source source = connectors.source(settings.source(), settings.entryType());
            pipes.register(new Pipe(name, source.entryType(), source.changes(), source.reader(),
                    connectors.destination(settings.destination(), settings.entryType()), mapping, state,
                    new DeletionGuard(settings.deletionGuardPercent(), settings.deletionGuardCount()))
                    .membersFrom(settings.membersFrom().orElse(null)));
        }
        return pipes;
    }

    /** What is wrong with an enabled pipe's own settings (its connections are checked by {@link ConnectorFactory}). */
    static List<String> pipeProblems(Map<String, IdsyncConfig.PipeSettings> pipes, String name) {
        IdsyncConfig.PipeSettings settings = pipes.get(name);
        List<String> problems = new ArrayList<>();
        if (settings.entryType().equalsIgnoreCase("group") && settings.membersFrom().isEmpty()) {
            // without it a group's members would be mapped as none, and every membership removed
            problems.add("pipe '" + name + "' synchronizes groups and needs idsync.pipes." + name + ".members-from, the user pipe whose"
                    + " provisioned users are the members (environment variable IDSYNC_PIPES_"
                    + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_MEMBERS_FROM)");
        }
        settings.membersFrom().ifPresent(userPipe -> {
            IdsyncConfig.PipeSettings users = pipes.get(userPipe);
            if (users == null || !users.enabled()) {
                problems.add("pipe '" + name + "': members-from names '" + userPipe + "', which is not an enabled pipe");
            }
        });
        return problems;
    }

    @Produces
    @Singleton
    @Named("road")
    Road road(Pipes pipes, IdsyncConfig config) {
        return new Road(pipes, new Retry(config.retry().maxRedeliveries(), config.retry().initialDelayMs()));
    }

    /**
     * The workers of a batch. The queue is short and a full queue makes the reading thread do the work
     * itself, so a scan never reads far ahead of what is written: memory stays flat.
     */
    @Produces
    @Singleton
    @Named("idsyncWorkers")
    ExecutorService workers(IdsyncConfig config) {
        AtomicInteger number = new AtomicInteger();
        return new ThreadPoolExecutor(config.workers(), config.workers(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.workers() * 4), r -> {
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
        if (connectors != null) {
            connectors.close();
        }
    }
}

package io.idsync.cluster;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionFactoryConfiguration;
import io.agroal.api.security.SimplePassword;
import io.idsync.pipe.Pipe;
import io.idsync.pipe.Pipes;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * Chooses how pipes are held: on PostgreSQL, shared by any number of instances, by {@link PostgresLeases}
 * ({@code idsync.cluster.lease}, 10 s; {@code idsync.cluster.tick}, 1 s); on the embedded H2, one instance holds them
 * all ({@link SoloLeases}). Names this instance ({@code idsync.instance.name}, else the host's name) in the metrics.
 */
@ApplicationScoped
public class ClusterWiring {

    private static final Logger LOG = Logger.getLogger(ClusterWiring.class);

    /** The one active state database: the embedded H2 by default, PostgreSQL with the postgresql profile. */
    @Produces
    @Singleton
    StateDatabase stateDatabase(@Any InjectableInstance<AgroalDataSource> dataSources) {
        List<AgroalDataSource> active = dataSources.listActive();
        if (active.size() != 1) {
            throw new ConfigurationException("idsync cannot start: it needs exactly one active state database, and " + active.size()
                    + " are active (the embedded H2 by default, or PostgreSQL with the postgresql profile)");
        }
        return new StateDatabase(active.get(0));
    }

    @Produces
    @Singleton
    Leases leases(StateDatabase database, Config config) {
        String instance = config.getOptionalValue("idsync.instance.name", String.class).orElseGet(ClusterWiring::hostName);
        AgroalConnectionFactoryConfiguration factory = database.dataSource().getConfiguration().connectionPoolConfiguration().connectionFactoryConfiguration();
        if (!factory.jdbcUrl().startsWith("jdbc:postgresql:")) {
            return new SoloLeases(instance);
        }
        Duration lease = config.getOptionalValue("idsync.cluster.lease", Duration.class).orElse(Duration.ofSeconds(10));
        Duration tick = config.getOptionalValue("idsync.cluster.tick", Duration.class).orElse(Duration.ofSeconds(1));
        try {
            return new PostgresLeases(database.dataSource(), () -> DriverManager.getConnection(factory.jdbcUrl(), credentials(factory)), instance, lease, tick);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("idsync cannot start: " + e.getMessage());
        }
    }

    void close(@Disposes Leases leases) {
        if (leases instanceof PostgresLeases shared) {
            shared.close();
        }
    }

    /** The leases are taken once the pipes are built; a pipe's first poll comes 2 s after the start. */
    void start(@Observes StartupEvent event, Leases leases, Pipes pipes) {
        if (leases instanceof PostgresLeases shared) {
            shared.start(pipes.all().stream().map(Pipe::name).toList());
            LOG.infof("instance %s shares its pipes with the other instances on this PostgreSQL: each pipe runs where its lease is", leases.instance());
        }
    }

    /** Every meter says which instance it is from. */
    @Produces
    @Singleton
    MeterFilter instanceTag(Leases leases) {
        return MeterFilter.commonTags(Tags.of("idsync_instance", leases.instance()));
    }

    private static Properties credentials(AgroalConnectionFactoryConfiguration factory) {
        Properties properties = new Properties();
        properties.putAll(factory.jdbcProperties());
        if (factory.principal() != null) {
            properties.setProperty("user", factory.principal().getName());
        }
        for (Object credential : factory.credentials()) {
            if (credential instanceof SimplePassword password) {
                properties.setProperty("password", password.getWord());
            }
        }
        return properties;
    }

    private static String hostName() {
        String host = System.getenv("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "idsync-" + ProcessHandle.current().pid();
        }
    }
}

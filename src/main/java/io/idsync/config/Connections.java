package io.idsync.config;

import io.idsync.connector.ConnectionCheck;
import io.idsync.connector.Connector;
import io.idsync.connector.ConnectorKind;
import io.idsync.connector.Settings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The named connections, {@code idsync.connections.<name>.*}: each opened once by the kind its {@code type}
 * names, and shared by every pipe that names it (one LDAP pool, one PingOne token per connection). Knows no
 * kind's keys: each kind checks and reads its own.
 */
public final class Connections implements AutoCloseable {

    static final String PREFIX = "idsync.connections.";

    private final Map<String, ConnectorKind> kinds = new LinkedHashMap<>();
    private final Settings lookup;
    private final Map<String, Connector> open = new LinkedHashMap<>();

    Connections(Iterable<ConnectorKind> kinds, Settings lookup) {
        kinds.forEach(kind -> this.kinds.put(kind.type(), kind));
        this.lookup = lookup;
    }

    /** What stops the pipe's source and destination from being built, one sentence each. */
    List<String> problems(PipeSettings pipe) {
        List<String> problems = new ArrayList<>();
        pipe.source().ifPresent(name -> problems.addAll(problems(pipe, "source", name)));
        pipe.destination().ifPresent(name -> problems.addAll(problems(pipe, "destination", name)));
        return problems;
    }

    private List<String> problems(PipeSettings pipe, String role, String name) {
        Settings connection = settings(name);
        String type = connection.optional("type").map(t -> t.toLowerCase(Locale.ROOT)).orElse(null);
        if (type == null) {
            return List.of("pipe '" + pipe.name() + "' reads its " + role + " from connection '" + name + "', but " + connection.prefix()
                    + "type is not set (environment variable " + connection.environmentVariable("type") + ")");
        }
        ConnectorKind kind = kinds.get(type);
        if (kind == null) {
            return List.of(connection.prefix() + "type is '" + type + "'; use " + String.join(" or ", kinds.keySet()));
        }
        List<String> problems = kind.problems(connection);
        if (problems.isEmpty()) {
            Connector connector = connector(name);
            problems = role.equals("source") ? connector.sourceProblems(pipe.entryType(), pipe.settings())
                    : connector.destinationProblems(pipe.entryType(), pipe.settings());
        }
        return problems;
    }

    Connector.Source source(PipeSettings pipe) {
        return connector(pipe.source().orElseThrow()).source(pipe.entryType(), pipe.settings());
    }

    io.idsync.connector.Destination destination(PipeSettings pipe) {
        return connector(pipe.destination().orElseThrow()).destination(pipe.entryType(), pipe.settings());
    }

    /**
     * Tests a configured connection, whether a pipe uses it or not: its settings first, then the kind's own steps.
     *
     * @throws IllegalArgumentException when no connection of that name has a type
     */
    public synchronized List<ConnectionCheck> test(String name) {
        Settings connection = settings(name);
        String type = connection.optional("type").map(t -> t.toLowerCase(Locale.ROOT))
                .orElseThrow(() -> new IllegalArgumentException("no connection '" + name + "' is configured (" + connection.prefix() + "type is not set)"));
        ConnectorKind kind = kinds.get(type);
        if (kind == null) {
            return List.of(ConnectionCheck.failed("settings", connection.prefix() + "type is '" + type + "'; use " + String.join(" or ", kinds.keySet())));
        }
        List<String> problems = kind.problems(connection);
        if (!problems.isEmpty()) {
            return List.of(ConnectionCheck.failed("settings", String.join("; ", problems)));
        }
        List<ConnectionCheck> checks = new ArrayList<>();
        checks.add(ConnectionCheck.passed("settings", type + " connection, every required key set"));
        Connector used = open.get(name);
        if (used != null) {
            checks.addAll(used.test());
            return checks;
        }
        // a connection no pipe uses is opened for its test alone, and closed after it: it stays out of readiness
        Connector alone = kind.open(name, connection);
        try {
            checks.addAll(alone.test());
        } finally {
            alone.close();
        }
        return checks;
    }

    /** The names of the connections the pipes opened (a connection tested alone is not one). */
    public synchronized List<String> opened() {
        return List.copyOf(open.keySet());
    }

    /** One connector per connection name, opened on first use. */
    private Connector connector(String name) {
        Connector connector = open.get(name);
        if (connector == null) {
            Settings connection = settings(name);
            connector = kinds.get(connection.optional("type").orElseThrow().toLowerCase(Locale.ROOT)).open(name, connection);
            open.put(name, connector);
        }
        return connector;
    }

    private Settings settings(String name) {
        return lookup.under(PREFIX + name + ".");
    }

    @Override
    public void close() {
        for (Connector connector : open.values()) {
            try {
                connector.close();
            } catch (RuntimeException ignored) {
                // closing on shutdown: nothing left to do with a failure
            }
        }
    }
}

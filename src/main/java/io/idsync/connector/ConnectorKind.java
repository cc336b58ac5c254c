package io.idsync.connector;

import java.util.List;

/**
 * A kind of system idsync connects to ({@code ldap}, {@code pingone}): it reads and checks its own settings
 * and opens connections. A kind is a CDI bean in its own package ({@code connector/<kind>/}); the
 * configuration finds it by {@link #type()}, the value of {@code idsync.connections.<name>.type}, and knows
 * nothing else about it. Adding a kind of system touches no file outside its package.
 */
public interface ConnectorKind {

    /** The {@code type} that names this kind, lower case. */
    String type();

    /**
     * What is missing or wrong in a connection's settings, one sentence each naming the key (and, for a
     * missing key, its environment variable); never a value. Empty when the connection can be opened.
     */
    List<String> problems(Settings connection);

    /**
     * Opens the connection named {@code name}, whose settings {@link #problems} found complete. Opening does
     * not reach the system yet (a system down at start-up only delays the pipes); one connector serves every
     * pipe that names the connection, sharing its pool or token.
     */
    Connector open(String name, Settings connection);
}

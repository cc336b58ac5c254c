package io.idsync.config;

import io.idsync.connector.ChangeSource;
import io.idsync.connector.Destination;
import io.idsync.connector.SourceReader;
import io.idsync.connector.ldap.LdapDirectory;
import io.idsync.connector.ldap.LdapSettings;
import io.idsync.connector.pingone.PingOneClient;
import io.idsync.connector.pingone.PingOneSettings;
import io.idsync.connector.pingone.PingOneGroupDestination;
import io.idsync.connector.pingone.PingOneUserDestination;
import io.idsync.connector.pingone.PingOneUserSource;
import io.idsync.connector.ldap.LdapSourceSettings;
import io.idsync.connector.ldap.LdapEntrySource;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds connectors from {@code idsync.connections.<name>.*}, one instance per connection (pipes that share
 * a connection share its token cache or LDAP pool), and lists every setting that is missing.
 */
final class ConnectorFactory {

    /** A source is both halves of the SPI a pipe reads through. */
    record Source(ChangeSource changes, SourceReader reader, String entryType) {
    }

    private final Map<String, IdsyncConfig.Connection> connections;
    private final Map<String, Object> built = new HashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    ConnectorFactory(Map<String, IdsyncConfig.Connection> connections) {
        this.connections = connections;
    }

    /** The settings that a pipe's source and destination still lack, as sentences naming each key. */
    List<String> problems(String pipe, String source, String destination) {
        List<String> problems = new ArrayList<>();
        check(problems, pipe, "source", source);
        check(problems, pipe, "destination", destination);
        return problems;
    }

    private void check(List<String> problems, String pipe, String role, String name) {
        IdsyncConfig.Connection c = connections.get(name);
        String prefix = "idsync.connections." + name + ".";
        if (c == null || c.type().isEmpty()) {
            problems.add("pipe '" + pipe + "' reads its " + role + " from connection '" + name + "', but " + prefix + "type is not set");
            return;
        }
        String type = c.type().get().toLowerCase(Locale.ROOT);
        if (!List.of("pingone", "ldap").contains(type)) {
            problems.add(prefix + "type is '" + type + "'; use pingone or ldap");
            return;
        }
        List<String> missing = new ArrayList<>();
        if (type.equals("pingone")) {
            if (c.environmentId().isEmpty()) missing.add("environment-id");
            if (c.clientId().isEmpty()) missing.add("client-id");
            if (c.clientSecret().isEmpty()) missing.add("client-secret");
            if (!List.of("basic", "post").contains(c.tokenAuthMethod().toLowerCase(Locale.ROOT))) {
                problems.add(prefix + "token-auth-method is '" + c.tokenAuthMethod() + "'; use basic or post");
            }
        } else {
            if (c.url().isEmpty()) missing.add("url");
            if (c.bindDn().isEmpty()) missing.add("bind-dn");
            if (c.bindPassword().isEmpty()) missing.add("bind-password");
            if (c.baseDn().isEmpty()) missing.add("base-dn");
            if (role.equals("source")) {
                try {
                    com.unboundid.ldap.sdk.Filter.create(c.sourceFilter());
                } catch (com.unboundid.ldap.sdk.LDAPException e) {
                    problems.add(prefix + "source-filter '" + c.sourceFilter() + "' is not an LDAP filter: " + e.getExceptionMessage());
                }
            }
        }
        for (String key : missing) {
            problems.add("pipe '" + pipe + "' needs " + prefix + key + " (environment variable "
                    + (prefix + key).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + ")");
        }
    }

    /** The source for a pipe that synchronizes {@code entryType} entries ({@code user} or {@code group}). */
    Source source(String name, String entryType) {
        return cached("source:" + name + ":" + entryType, () -> {
            IdsyncConfig.Connection c = connections.get(name);
            if (isPingOne(c)) {
                PingOneUserSource users = new PingOneUserSource(new PingOneClient(pingOne(name, c)));
                return new Source(users, users, "USER");
            }
            String type = entryType.toUpperCase(Locale.ROOT);
            LdapSourceSettings source = new LdapSourceSettings(type, type.equals("GROUP") ? null : c.sourceGroupDn().orElse(null),
                    c.sourceBaseDn().orElse(c.baseDn().get()), c.sourceFilter(), c.idAttribute(), c.disabledAttribute(),
                    c.changeDetection());
            LdapEntrySource entries = new LdapEntrySource(ldap(name, c), source);
            return new Source(entries, entries, type);
        });
    }

    Destination destination(String name, String entryType) {
        return cached("destination:" + name + ":" + entryType, () -> {
            IdsyncConfig.Connection c = connections.get(name);
            if (isPingOne(c)) {
                PingOneClient client = cached("client:" + name, () -> new PingOneClient(pingOne(name, c)));
                return entryType.equalsIgnoreCase("group") ? new PingOneGroupDestination(client)
                        : new PingOneUserDestination(client, c.provisioningPopulation().orElse(null));
            }
            return ldap(name, c);
        });
    }

    /** One pool per LDAP connection, shared by the pipes that read or write through it. */
    private LdapDirectory ldap(String name, IdsyncConfig.Connection c) {
        return cached("ldap:" + name, () -> {
            LdapDirectory directory = new LdapDirectory(new LdapSettings(name, c.url().get(), c.bindDn().get(), c.bindPassword().get(),
                    c.baseDn().get(), c.poolSize(), c.connectTimeout(), c.responseTimeout()));
            closeables.add(directory);
            return directory;
        });
    }

    /** Get-or-build without computeIfAbsent: a builder may itself ask for another connector. */
    @SuppressWarnings("unchecked")
    private <T> T cached(String key, java.util.function.Supplier<T> builder) {
        Object existing = built.get(key);
        if (existing == null) {
            existing = builder.get();
            built.put(key, existing);
        }
        return (T) existing;
    }

    private static boolean isPingOne(IdsyncConfig.Connection c) {
        return c.type().orElse("").equalsIgnoreCase("pingone");
    }

    static PingOneSettings pingOne(String name, IdsyncConfig.Connection c) {
        String environmentId = c.environmentId().get();
        String authUrl = c.authUrl().orElseGet(() -> defaultAuthUrl(c.apiUrl(), environmentId));
        PingOneSettings.TokenAuthMethod method = c.tokenAuthMethod().equalsIgnoreCase("post")
                ? PingOneSettings.TokenAuthMethod.POST : PingOneSettings.TokenAuthMethod.BASIC;
        return new PingOneSettings(name, c.apiUrl(), authUrl, environmentId, c.clientId().get(), c.clientSecret().get(), method,
                nonBlank(c.populationToSynchronize().orElse(List.of())), nonBlank(c.actorIdToIgnore().orElse(List.of())),
                c.pollingOffset(), c.requestsPerSecond(), c.pageSize(), c.connectTimeout(), c.responseTimeout(), c.maxAttempts());
    }

    /** {@code https://api.pingone.eu/v1} → {@code https://auth.pingone.eu/<env>/as/token}. */
    static String defaultAuthUrl(String apiUrl, String environmentId) {
        URI api = URI.create(apiUrl);
        String host = api.getHost().startsWith("api.") ? "auth." + api.getHost().substring(4) : api.getHost();
        return api.getScheme() + "://" + host + (api.getPort() > 0 ? ":" + api.getPort() : "") + "/" + environmentId + "/as/token";
    }

    private static List<String> nonBlank(List<String> values) {
        return values.stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    void close() {
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // closing on shutdown: nothing left to do with a failure
            }
        }
    }
}

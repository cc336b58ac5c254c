package io.idsync.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;
import io.idsync.connector.ConnectionCheck;
import io.idsync.connector.Connector;
import io.idsync.connector.Destination;
import io.idsync.connector.EntryType;
import io.idsync.connector.Settings;

import java.util.ArrayList;
import java.util.List;

/**
 * One SCIM service provider connection: a destination for users over {@code /Users} and groups over {@code /Groups}
 * (SCIM connectors in this field provision into SCIM; they do not read from it). Whether the provider has Groups,
 * and the schemas a mapping writes into, are asked when a pipe starts ({@link ScimSchemas}).
 */
final class ScimConnector implements Connector {

    private final ScimClient client;
    private final ScimSchemas schemas;

    ScimConnector(ScimClient client) {
        this.client = client;
        this.schemas = new ScimSchemas(client);
    }

    @Override
    public List<String> sourceProblems(EntryType type, Settings pipe) {
        return List.of("connection '" + client.settings().name() + "' is SCIM, which idsync provisions into; it is not a source");
    }

    @Override
    public Source source(EntryType type, Settings pipe) {
        throw new IllegalStateException("SCIM is not a source");
    }

    @Override
    public List<String> destinationProblems(EntryType type, Settings pipe) {
        return List.of();
    }

    @Override
    public Destination destination(EntryType type, Settings pipe) {
        return type == EntryType.GROUP ? new ScimGroupDestination(client, schemas) : new ScimUserDestination(client, schemas);
    }

    /**
     * Authenticates and reads {@code /ServiceProviderConfig} (what the pipe adapts to), {@code /Schemas} and
     * {@code /ResourceTypes} where served, and one user of the users resource.
     */
    @Override
    public List<ConnectionCheck> test() {
        return io.idsync.connector.http.OperationLimits.asTest(this::checks);
    }

    private List<ConnectionCheck> checks() {
        ScimClient once = client.once();
        List<ConnectionCheck> checks = new ArrayList<>();
        ScimClient.Response config;
        try {
            config = once.send("GET", "/ServiceProviderConfig", null);
        } catch (RuntimeException e) {
            checks.add(ConnectionCheck.failed("authenticate and read /ServiceProviderConfig", e.getMessage()));
            return checks;
        }
        if (config.status() == 404 || config.body() == null) {
            checks.add(ConnectionCheck.failed("read /ServiceProviderConfig", client.settings().baseUrl()
                    + "/ServiceProviderConfig answers 404: base-url is not a SCIM 2.0 root (it ends with the version, as .../v2),"
                    + " or this provider serves no configuration (then idsync updates by PUT)"));
        } else {
            ScimClient.ServiceProvider provider = once.provider();
            checks.add(ConnectionCheck.passed("authenticate and read /ServiceProviderConfig", "updates by " + (provider.patch() ? "PATCH" : "PUT")
                    + "; filter " + (provider.filter() ? "supported, at most " + provider.maxResults() + " results" : "not supported")
                    + "; ETags " + (provider.etag() ? "supported (If-Match on every update)" : "not supported")));
        }
        for (String endpoint : List.of("/Schemas", "/ResourceTypes")) {
            try {
                ScimClient.Response served = once.send("GET", endpoint, null);
                JsonNode resources = served.body() == null ? null : served.body().isArray() ? served.body() : served.body().path("Resources");
                checks.add(served.status() == 404 || resources == null
                        ? ConnectionCheck.passed("read " + endpoint, "not served (404): nothing is checked against it")
                        : ConnectionCheck.passed("read " + endpoint, ids(resources, endpoint.equals("/Schemas") ? "id" : "name")));
            } catch (RuntimeException e) {
                checks.add(ConnectionCheck.failed("read " + endpoint, e.getMessage()));
            }
        }
        String users = client.settings().usersResource();
        try {
            ScimClient.Response page = once.send("GET", users + "?count=1", null);
            checks.add(page.status() == 404
                    ? ConnectionCheck.failed("read " + users, users + " answers 404: users-resource is not where this provider keeps its users")
                    : ConnectionCheck.passed("read " + users, page.body().path("totalResults").asText("?") + " users"));
        } catch (RuntimeException e) {
            checks.add(ConnectionCheck.failed("read " + users, e.getMessage()));
        }
        return checks;
    }

    private static String ids(JsonNode resources, String field) {
        List<String> ids = new ArrayList<>();
        resources.forEach(resource -> ids.add(resource.path(field).asText()));
        return ids.size() + ": " + String.join(", ", ids);
    }

    @Override
    public void close() {
    }
}

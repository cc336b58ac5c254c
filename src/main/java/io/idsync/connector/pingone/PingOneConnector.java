package io.idsync.connector.pingone;

import io.idsync.connector.Connector;
import io.idsync.connector.Destination;
import io.idsync.connector.EntryType;
import io.idsync.connector.Settings;

import java.util.List;

/**
 * One PingOne connection: one client (one cached worker token, one rate limit) for every pipe that names it.
 * A pipe's scope (its keys under {@code idsync.pipes.<pipe>.}):
 * <pre>
 * population-to-synchronize  as a source: population names or ids, comma-separated (default: every population)
 * group-names-containing     as a user source: users one of whose groups' names contains one of these texts
 *                            (PingOne's rule filter "Group Names Contains", ignoring case; default: any user)
 * actor-id-to-ignore         as a source: client ids whose changes are skipped (the other direction's worker app)
 * groups-to-synchronize      as a group source: group names or ids, comma-separated (default: every group)
 * provisioning-population    as a user destination: where new users are created (default: the default population)
 * </pre>
 */
final class PingOneConnector implements Connector {

    private final PingOneClient client;

    PingOneConnector(PingOneClient client) {
        this.client = client;
    }

    @Override
    public List<String> sourceProblems(EntryType type, Settings pipe) {
        return List.of();
    }

    @Override
    public Source source(EntryType type, Settings pipe) {
        PingOneActivities changes = new PingOneActivities(client, type, pipe.list("actor-id-to-ignore"));
        return new Source(changes, type == EntryType.GROUP ? new PingOneGroupSource(client, pipe.list("groups-to-synchronize"))
                : new PingOneUserSource(client, pipe.list("population-to-synchronize"), pipe.list("group-names-containing")));
    }

    @Override
    public List<String> destinationProblems(EntryType type, Settings pipe) {
        return List.of();
    }

    @Override
    public Destination destination(EntryType type, Settings pipe) {
        return type == EntryType.GROUP ? new PingOneGroupDestination(client)
                : new PingOneUserDestination(client, pipe.optional("provisioning-population").orElse(null));
    }

    /** Obtains a worker token and reads the environment, then its populations. */
    @Override
    public List<io.idsync.connector.ConnectionCheck> test() {
        return io.idsync.connector.http.OperationLimits.asTest(this::checks);
    }

    private List<io.idsync.connector.ConnectionCheck> checks() {
        List<io.idsync.connector.ConnectionCheck> checks = new java.util.ArrayList<>();
        try {
            com.fasterxml.jackson.databind.JsonNode environment = client.get(client.environmentUrl()).body();
            checks.add(io.idsync.connector.ConnectionCheck.passed("authenticate and read the environment", "environment "
                    + client.settings().environmentId() + " (" + environment.path("name").asText("no name") + ") as client " + client.settings().clientId()));
            int populations = client.get("/populations?limit=1000").body().path("_embedded").path("populations").size();
            checks.add(io.idsync.connector.ConnectionCheck.passed("read populations", populations + " populations"));
        } catch (RuntimeException e) {
            checks.add(io.idsync.connector.ConnectionCheck.failed(checks.isEmpty() ? "authenticate and read the environment" : "read populations",
                    e.getMessage()));
        }
        return checks;
    }

    @Override
    public void close() {
        // the JDK HTTP client holds no resource that outlives the application
    }
}

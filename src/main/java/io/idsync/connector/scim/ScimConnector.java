package io.idsync.connector.scim;

import io.idsync.connector.Connector;
import io.idsync.connector.Destination;
import io.idsync.connector.EntryType;
import io.idsync.connector.Settings;

import java.util.List;

/**
 * One SCIM service provider connection: a destination for users (SCIM connectors in this field provision into
 * SCIM; they do not read from it). Groups over {@code /Groups} are not written yet: a group pipe to SCIM refuses
 * to start, saying so.
 */
final class ScimConnector implements Connector {

    private final ScimClient client;

    ScimConnector(ScimClient client) {
        this.client = client;
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
        return type == EntryType.USER ? List.of()
                : List.of("connection '" + client.settings().name() + "' (SCIM) takes users; groups over " + client.settings().groupsResource() + " are not written yet");
    }

    @Override
    public Destination destination(EntryType type, Settings pipe) {
        return new ScimUserDestination(client);
    }

    @Override
    public void close() {
    }
}

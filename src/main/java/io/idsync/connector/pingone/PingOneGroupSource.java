package io.idsync.connector.pingone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.Paging;
import io.idsync.connector.EntryRejected;
import io.idsync.connector.SourceEntry;
import io.idsync.connector.SourceReader;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * PingOne groups as the reader of a sync source. Changes come from the same activities as users'
 * ({@link PingOneActivities}): a group created, updated or deleted, and a member added or removed. A group
 * is read as PingOne answers it plus {@value SourceEntry#MEMBER_IDS}: the ids of its direct members, which a
 * group pipe turns into the destination's member values through its {@code members-from} pipe. Scope is the
 * pipe's {@code groups-to-synchronize} (names or ids; empty: every group).
 */
public final class PingOneGroupSource implements SourceReader {

    private final PingOneClient client;
    private final List<String> groupsToSynchronize;

    public PingOneGroupSource(PingOneClient client, List<String> groupsToSynchronize) {
        this.client = client;
        this.groupsToSynchronize = List.copyOf(groupsToSynchronize);
    }

    @Override
    public Optional<SourceEntry> read(String id) {
        JsonNode group = client.getOrNull("/groups/" + PingOneClient.encode(id));
        return group == null ? Optional.empty() : Optional.of(entry(group));
    }

    @Override
    public boolean inScope(SourceEntry entry) {
        return groupsToSynchronize.isEmpty() || groupsToSynchronize.contains(entry.id())
                || groupsToSynchronize.stream().anyMatch(name -> name.equalsIgnoreCase(entry.document().path("name").asText()));
    }

    /** Every group, a page at a time, with its members (one more request per group). */
    @Override
    public Iterator<SourceEntry> scan() {
        return Paging.map(client.pages("/groups?limit=" + client.settings().pageSize(), "groups"), this::entry);
    }

    private SourceEntry entry(JsonNode group) {
        if (!(group instanceof ObjectNode document)) {
            throw new EntryRejected("PingOne answered a group that is not a JSON object but " + group.getNodeType());
        }
        document.remove("_links");
        String id = document.path("id").asText();
        ArrayNode members = document.putArray(SourceEntry.MEMBER_IDS);
        client.pages("/users?limit=1000&filter=" + PingOneClient.encode("memberOfGroups[id eq " + PingOneClient.filterValue(id) + "]"), "users")
                .forEachRemaining(user -> members.add(user.path("id").asText()));
        return new SourceEntry(id, document);
    }
}

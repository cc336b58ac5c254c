package io.idsync.connector.pingone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.Destination;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.Plan;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * PingOne groups as a destination. Attributes: {@code name}, {@code description} and {@code members} (the
 * PingOne ids of the group's direct members). A rename is a PUT of the group, which keeps what idsync does
 * not manage (externalId, userFilter, customData); memberships are made to match
 * the wanted members exactly ({@code POST/DELETE /users/{id}/memberOfGroups}), the datastore's memberships
 * overwriting PingOne's. A wanted member PingOne no longer has is left out.
 */
public final class PingOneGroupDestination implements Destination {

    static final String MEMBERS = "members";
    /** What a PUT of a group may carry (the others are read-only): PingOne's Group schema. */
    private static final List<String> WRITABLE = List.of("name", "description", "population", "userFilter", "externalId", "customData");

    private final PingOneClient client;

    public PingOneGroupDestination(PingOneClient client) {
        this.client = client;
    }

    @Override
    public Optional<DestinationEntry> read(String id) {
        JsonNode group = client.getOrNull("/groups/" + PingOneClient.encode(id));
        return Optional.ofNullable(group).map(this::entry);
    }

    @Override
    public List<DestinationEntry> find(Map<String, String> criteria, int limit) {
        List<DestinationEntry> found = new ArrayList<>();
        Iterator<JsonNode> groups = client.pages("/groups?limit=" + Math.max(1, limit) + "&filter="
                + PingOneClient.encode(PingOneClient.equalityFilter(criteria)), "groups");
        while (groups.hasNext() && found.size() < limit) {
            found.add(entry(groups.next()));
        }
        return found;
    }

    @Override
    public Written apply(Plan plan) {
        String written = switch (plan.action()) {
            case CREATE -> {
                ObjectNode body = JsonNodeFactory.instance.objectNode();
                body.put("name", first(plan.attributes().get("name")));
                String description = first(plan.attributes().get("description"));
                if (description != null) {
                    body.put("description", description);
                }
                String id = client.send("POST", "/groups", body, null).body().path("id").asText();
                setMembers(id, Set.of(), new LinkedHashSet<>(plan.attributes().getOrDefault(MEMBERS, List.of())));
                yield id;
            }
            case MODIFY -> {
                modify(plan);
                yield plan.ref();
            }
            case DELETE -> {
                client.deleteIfPresent("/groups/" + PingOneClient.encode(plan.ref()));
                yield plan.ref();
            }
            case NONE -> plan.ref();
        };
        return new Written(written, written);
    }

    private void modify(Plan plan) {
        DestinationEntry current = read(plan.ref()).orElseThrow(() -> new io.idsync.connector.SystemUnavailable(
                "PingOne group " + plan.ref() + " disappeared while it was being updated"));
        Map<String, List<String>> wanted = new LinkedHashMap<>(current.attributes());
        boolean groupChanged = false;
        for (Plan.AttributeChange change : plan.changes()) {
            if (change.kind() == Plan.AttributeChange.Kind.DELETE) {
                wanted.remove(change.attribute());
            } else {
                wanted.put(change.attribute(), change.values());
            }
            groupChanged |= !change.attribute().equals(MEMBERS);
        }
        if (groupChanged) {
            client.send("PUT", "/groups/" + PingOneClient.encode(plan.ref()), replacement(plan.ref(), wanted), null);
        }
        if (plan.changes().stream().anyMatch(c -> c.attribute().equals(MEMBERS))) {
            setMembers(plan.ref(), new LinkedHashSet<>(current.values(MEMBERS)), new LinkedHashSet<>(wanted.getOrDefault(MEMBERS, List.of())));
        }
    }

    /**
     * The body of a PUT, which replaces the whole group: the group as PingOne holds it now, every field a PUT may
     * carry kept (externalId, userFilter, customData, population: set in PingOne, not by idsync), with the name and
     * description idsync manages.
     */
    private ObjectNode replacement(String id, Map<String, List<String>> wanted) {
        JsonNode current = client.getOrNull("/groups/" + PingOneClient.encode(id));
        if (current == null) {
            throw new io.idsync.connector.SystemUnavailable("PingOne group " + id + " disappeared while it was being updated");
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        for (String field : WRITABLE) {
            if (current.hasNonNull(field)) {
                body.set(field, current.get(field).deepCopy());
            }
        }
        body.put("name", first(wanted.get("name")));
        String description = first(wanted.get("description"));
        if (description == null) {
            body.remove("description");
        } else {
            body.put("description", description);
        }
        return body;
    }

    /** Adds and removes direct memberships so that exactly {@code wanted} (user ids) are members. */
    private void setMembers(String groupId, Set<String> current, Set<String> wanted) {
        for (String userId : wanted) {
            if (!current.contains(userId)) {
                try {
                    client.send("POST", "/users/" + PingOneClient.encode(userId) + "/memberOfGroups",
                            JsonNodeFactory.instance.objectNode().put("id", groupId), null);
                } catch (PingOneApiException e) {
                    if (e.status() != 404) {
                        throw e;
                    }
                    // deleted in PingOne since it was provisioned: the user pipe recreates it, then it joins
                }
            }
        }
        for (String userId : current) {
            if (!wanted.contains(userId)) {
                client.deleteIfPresent("/users/" + PingOneClient.encode(userId) + "/memberOfGroups/" + PingOneClient.encode(groupId));
            }
        }
    }

    /** A group as name, description and the ids of its direct members. */
    private DestinationEntry entry(JsonNode group) {
        String id = group.path("id").asText();
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        attributes.put("name", List.of(group.path("name").asText()));
        if (group.hasNonNull("description")) {
            attributes.put("description", List.of(group.path("description").asText()));
        }
        List<String> members = new ArrayList<>();
        client.pages("/users?limit=1000&filter=" + PingOneClient.encode("memberOfGroups[id eq " + PingOneClient.filterValue(id) + "]"), "users")
                .forEachRemaining(user -> members.add(user.path("id").asText()));
        if (!members.isEmpty()) {
            attributes.put(MEMBERS, members);
        }
        return new DestinationEntry(id, id, attributes);
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}

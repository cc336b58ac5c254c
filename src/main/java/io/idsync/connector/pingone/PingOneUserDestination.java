package io.idsync.connector.pingone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.Destination;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.EntryRejected;
import io.idsync.connector.Plan;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * PingOne users as a destination (what PingFederate's provisioning connector does). Attributes are the
 * user's JSON paths ({@code username}, {@code name.given}, {@code email}); {@code enabled} goes through
 * {@code PUT /users/{id}/enabled}, as PingOne requires. A create lands in the configured population; a
 * modify is a PATCH of the changed paths only ({@code null} clears one). A create refused with
 * {@code UNIQUENESS_VIOLATION} on the username is resolved by correlation: the existing user is updated,
 * never duplicated.
 */
public final class PingOneUserDestination implements Destination {

    static final String ENABLED = "enabled";

    private final PingOneClient client;
    private final String population;
    private volatile String populationId;

    /** @param population name or id of the population new users are created in (empty: the default population) */
    public PingOneUserDestination(PingOneClient client, String population) {
        this.client = client;
        this.population = population;
    }

    @Override
    public Optional<DestinationEntry> read(String id) {
        JsonNode user = client.getOrNull("/users/" + PingOneClient.encode(id));
        return Optional.ofNullable(user).map(PingOneUserDestination::entry);
    }

    @Override
    public List<DestinationEntry> find(Map<String, String> criteria, int limit) {
        List<DestinationEntry> found = new ArrayList<>();
        Iterator<JsonNode> users = client.pages("/users?limit=" + Math.max(1, limit) + "&filter="
                + PingOneClient.encode(PingOneClient.equalityFilter(criteria)), "users");
        while (users.hasNext() && found.size() < limit) {
            found.add(entry(users.next()));
        }
        return found;
    }

    @Override
    public Written apply(Plan plan) {
        String id = switch (plan.action()) {
            case CREATE -> create(plan);
            case MODIFY -> modify(plan.ref(), plan.changes());
            case DELETE -> {
                client.deleteIfPresent("/users/" + PingOneClient.encode(plan.ref()));
                yield plan.ref();
            }
            case NONE -> plan.ref();
        };
        return new Written(id, id);
    }

    private String create(Plan plan) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        String enabled = null;
        for (Map.Entry<String, List<String>> attribute : plan.attributes().entrySet()) {
            if (attribute.getKey().equals(ENABLED)) {
                enabled = attribute.getValue().isEmpty() ? null : attribute.getValue().get(0);
            } else {
                put(body, attribute.getKey(), attribute.getValue());
            }
        }
        String populationId = populationId();
        if (populationId != null) {
            body.putObject("population").put("id", populationId);
        }
        String id;
        try {
            id = client.send("POST", "/users", body, null).body().path("id").asText();
        } catch (PingOneApiException e) {
            if (!e.hasDetail("UNIQUENESS_VIOLATION") || !body.hasNonNull("username")) {
                throw e;
            }
            // the username exists already: that user is the one to update
            List<DestinationEntry> existing = find(Map.of("username", body.get("username").asText()), 2);
            if (existing.size() != 1) {
                throw e;
            }
            List<Plan.AttributeChange> changes = new ArrayList<>();
            plan.attributes().forEach((path, values) -> changes.add(new Plan.AttributeChange(path, Plan.AttributeChange.Kind.REPLACE, values)));
            return modify(existing.get(0).name(), changes);
        }
        if ("false".equalsIgnoreCase(enabled)) {
            setEnabled(id, false);
        }
        return id;
    }

    private String modify(String id, List<Plan.AttributeChange> changes) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        String enabled = null;
        for (Plan.AttributeChange change : changes) {
            if (change.attribute().equals(ENABLED)) {
                enabled = change.values().isEmpty() ? "true" : change.values().get(0);
            } else if (change.kind() == Plan.AttributeChange.Kind.DELETE) {
                putNull(patch, change.attribute());
            } else {
                put(patch, change.attribute(), change.values());
            }
        }
        if (!patch.isEmpty()) {
            client.send("PATCH", "/users/" + PingOneClient.encode(id), patch, null);
        }
        if (enabled != null) {
            setEnabled(id, Boolean.parseBoolean(enabled));
        }
        return id;
    }

    private void setEnabled(String id, boolean enabled) {
        client.send("PUT", "/users/" + PingOneClient.encode(id) + "/enabled", JsonNodeFactory.instance.objectNode().put(ENABLED, enabled), null);
    }

    /** The population name or id resolved to an id once; a name that matches nothing is a clear failure. */
    private String populationId() {
        if (population == null || population.isBlank()) {
            return null;
        }
        if (populationId == null) {
            Iterator<JsonNode> populations = client.pages("/populations?limit=1000", "populations");
            while (populations.hasNext()) {
                JsonNode candidate = populations.next();
                if (population.equals(candidate.path("id").asText()) || population.equalsIgnoreCase(candidate.path("name").asText())) {
                    populationId = candidate.path("id").asText();
                    return populationId;
                }
            }
            throw new EntryRejected("provisioning population '" + population + "' is neither the name nor the id of a population in environment "
                    + client.settings().environmentId());
        }
        return populationId;
    }

    /** A PingOne user as path → values: {@code name.given → [Janet]}, {@code enabled → [true]}. */
    static DestinationEntry entry(JsonNode user) {
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        flatten("", user, attributes);
        attributes.keySet().removeIf(path -> path.startsWith("_links") || path.startsWith("_embedded"));
        return new DestinationEntry(user.path("id").asText(), user.path("id").asText(), attributes);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, List<String>> into) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), into));
        } else if (node.isArray()) {
            List<String> values = new ArrayList<>();
            node.forEach(element -> {
                if (element.isValueNode()) {
                    values.add(element.asText());
                }
            });
            into.put(prefix, values);
        } else if (!node.isNull()) {
            into.put(prefix, List.of(node.asText()));
        }
    }

    private static void put(ObjectNode root, String path, List<String> values) {
        String[] parts = path.split("\\.");
        ObjectNode parent = parentOf(root, parts);
        String leaf = parts[parts.length - 1];
        if (values.size() == 1) {
            parent.put(leaf, values.get(0));
        } else {
            values.forEach(parent.putArray(leaf)::add);
        }
    }

    private static void putNull(ObjectNode root, String path) {
        String[] parts = path.split("\\.");
        parentOf(root, parts).putNull(parts[parts.length - 1]);
    }

    private static ObjectNode parentOf(ObjectNode root, String[] parts) {
        ObjectNode parent = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = parent.get(parts[i]);
            parent = child instanceof ObjectNode object ? object : parent.putObject(parts[i]);
        }
        return parent;
    }
}

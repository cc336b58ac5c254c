package io.idsync.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.Destination;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.EntryRejected;
import io.idsync.connector.Plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Users at a SCIM service provider (ConnId's SearchOp, CreateOp, UpdateOp, DeleteOp over {@code /Users}): entries
 * are named by their SCIM {@code id}; a mapping's attributes are SCIM paths ({@link ScimPaths}). A modify is a
 * PatchOp of what differs where {@code /ServiceProviderConfig} says PATCH is supported, else a PUT of the whole
 * user as read ({@link ScimResources}). A create the provider refuses as not unique finds that user by the
 * connection's {@code user-filter} and updates it: never a duplicate; a filter that finds several fails the entry.
 */
final class ScimUserDestination implements Destination {

    static final String USER = "urn:ietf:params:scim:schemas:core:2.0:User";

    private final ScimClient client;
    private final ScimResources users;
    private final ScimSchemas schemas;

    ScimUserDestination(ScimClient client, ScimSchemas schemas) {
        this.client = client;
        this.users = new ScimResources(client, client.settings().usersResource());
        this.schemas = schemas;
    }

    @Override
    public Optional<DestinationEntry> read(String id) {
        return users.read(id).map(response -> entry(response.body()));
    }

    @Override
    public List<DestinationEntry> find(Map<String, String> criteria, int limit) {
        return users.findEqual(criteria, limit, ScimPaths::flatten).stream().map(ScimUserDestination::entry).toList();
    }

    @Override
    public Optional<List<String>> schemaProblems(Collection<String> attributes, Collection<String> objectClasses) {
        return schemas.problems(USER, attributes);
    }

    @Override
    public Written apply(Plan plan) {
        String id = switch (plan.action()) {
            case CREATE -> create(plan);
            case MODIFY -> {
                modify(plan.ref(), plan.changes());
                yield plan.ref();
            }
            case DELETE -> {
                users.delete(plan.ref());
                yield plan.ref();
            }
            case NONE -> plan.ref();
        };
        return new Written(id, id);
    }

    private String create(Plan plan) {
        ObjectNode user = ScimClient.JSON.createObjectNode();
        user.putArray("schemas").add(USER);
        plan.attributes().forEach((path, values) -> ScimPaths.set(user, path, values));
        try {
            return users.create(user).path("id").asText();
        } catch (ScimApiException e) {
            boolean notUnique = e.status() == 409 || "uniqueness".equals(e.scimType());
            List<String> identifier = plan.attributes().getOrDefault("userName", List.of());
            if (!notUnique || identifier.isEmpty()) {
                throw e;
            }
            // that user exists already: it is the one to update
            List<JsonNode> existing = existing(identifier.get(0));
            if (existing.size() != 1) {
                throw new EntryRejected(e.getMessage() + "; the connection's user-filter " + client.settings().userFilter() + " finds "
                        + existing.size() + " users for " + identifier.get(0) + (existing.isEmpty() ? "" : ", not one to link"));
            }
            List<Plan.AttributeChange> changes = new ArrayList<>();
            plan.attributes().forEach((path, values) -> changes.add(new Plan.AttributeChange(path, Plan.AttributeChange.Kind.REPLACE, values)));
            String id = existing.get(0).path("id").asText();
            modify(id, changes);
            return id;
        }
    }

    /** The users the connection's user-filter finds for this identifier (the default one asked as {@link #find} asks). */
    private List<JsonNode> existing(String identifier) {
        String filter = client.settings().userFilter();
        if (filter.equals(ScimKind.DEFAULT_USER_FILTER)) {
            return users.findEqual(Map.of("userName", identifier), 2, ScimPaths::flatten);
        }
        // the filter's %s is inside its quotes: escaped, not quoted
        String quoted = ScimClient.quoted(identifier);
        return users.search(filter.replace("%s", quoted.substring(1, quoted.length() - 1)), 2);
    }

    private void modify(String id, List<Plan.AttributeChange> changes) {
        // a value of one type (emails[type eq "work"]) is replaced where it is, added where it is not: that needs a read
        boolean typed = changes.stream().anyMatch(change -> ScimPaths.isTyped(change.attribute()));
        users.update(id, typed, current -> {
            if (!users.patchSupported()) {
                changes.forEach(change -> ScimPaths.set(current, change.attribute(),
                        change.kind() == Plan.AttributeChange.Kind.DELETE ? List.of() : change.values()));
                return new ScimResources.Update(null, current);
            }
            return new ScimResources.Update(operations(changes, current), null);
        });
    }

    private static ArrayNode operations(List<Plan.AttributeChange> changes, ObjectNode current) {
        ArrayNode operations = ScimClient.JSON.createArrayNode();
        for (Plan.AttributeChange change : changes) {
            if (change.kind() == Plan.AttributeChange.Kind.DELETE) {
                operations.addObject().put("op", "remove").put("path", change.attribute());
            } else if (ScimPaths.isTyped(change.attribute()) && current != null
                    && !ScimPaths.flatten(current).containsKey(change.attribute())) {
                // no value of that type yet: added as a new element (a replace with a filter that matches nothing is a noTarget)
                ObjectNode holder = ScimClient.JSON.createObjectNode();
                ScimPaths.set(holder, change.attribute(), change.values());
                String attribute = holder.fieldNames().next();
                operations.addObject().put("op", "add").put("path", attribute).set("value", holder.get(attribute));
            } else {
                operations.addObject().put("op", "replace").put("path", change.attribute()).set("value", ScimPaths.value(change.attribute(), change.values()));
            }
        }
        return operations;
    }

    private static DestinationEntry entry(JsonNode resource) {
        String id = resource.path("id").asText();
        return new DestinationEntry(id, id, ScimPaths.flatten(resource));
    }
}

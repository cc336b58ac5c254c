package io.idsync.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.Destination;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.Plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Users at a SCIM service provider (ConnId's SearchOp, CreateOp, UpdateOp, DeleteOp over {@code /Users}): entries
 * are named by their SCIM {@code id}; a mapping's attributes are SCIM paths ({@link ScimPaths}). A modify is a
 * PatchOp of what differs where {@code /ServiceProviderConfig} says PATCH is supported, else a PUT of the whole
 * user as read. A create the provider refuses as not unique finds that user by the connection's {@code user-filter}
 * and updates it: never a duplicate.
 */
final class ScimUserDestination implements Destination {

    static final String USER = "urn:ietf:params:scim:schemas:core:2.0:User";
    private static final String PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

    private final ScimClient client;
    private final String users;
    private volatile Boolean patch;

    ScimUserDestination(ScimClient client) {
        this.client = client;
        this.users = client.settings().usersResource();
    }

    @Override
    public Optional<DestinationEntry> read(String id) {
        ScimClient.Response response = client.send("GET", users + "/" + ScimClient.encode(id), null);
        return response.status() == 404 ? Optional.empty() : Optional.of(entry(response.body()));
    }

    @Override
    public List<DestinationEntry> find(Map<String, String> criteria, int limit) {
        List<String> clauses = new ArrayList<>();
        criteria.forEach((path, value) -> clauses.add(ScimPaths.equality(path, value)));
        return search(String.join(" and ", clauses), limit);
    }

    private List<DestinationEntry> search(String filter, int limit) {
        ScimClient.Response response = client.send("GET", users + "?filter=" + ScimClient.encode(filter) + "&count=" + Math.max(1, limit), null);
        List<DestinationEntry> found = new ArrayList<>();
        if (response.status() == 404 || response.body() == null) {
            return found;
        }
        for (JsonNode resource : response.body().path("Resources")) {
            found.add(entry(resource));
        }
        return found;
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
                client.send("DELETE", users + "/" + ScimClient.encode(plan.ref()), null); // a 404: already gone, which a replay may find
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
            return client.send("POST", users, user).body().path("id").asText();
        } catch (ScimApiException e) {
            boolean notUnique = e.status() == 409 || "uniqueness".equals(e.scimType());
            List<String> identifier = plan.attributes().getOrDefault("userName", List.of());
            if (!notUnique || identifier.isEmpty()) {
                throw e;
            }
            // that user exists already: it is the one to update (the filter's %s is inside its quotes: escaped, not quoted)
            String quoted = ScimClient.quoted(identifier.get(0));
            List<DestinationEntry> existing = search(client.settings().userFilter().replace("%s", quoted.substring(1, quoted.length() - 1)), 2);
            if (existing.size() != 1) {
                throw e;
            }
            List<Plan.AttributeChange> changes = new ArrayList<>();
            plan.attributes().forEach((path, values) -> changes.add(new Plan.AttributeChange(path, Plan.AttributeChange.Kind.REPLACE, values)));
            modify(existing.get(0).id(), changes);
            return existing.get(0).id();
        }
    }

    private void modify(String id, List<Plan.AttributeChange> changes) {
        String path = users + "/" + ScimClient.encode(id);
        boolean typed = changes.stream().anyMatch(change -> ScimPaths.isTyped(change.attribute()));
        if (!patchSupported() || typed) {
            // the whole user as read, changed here: a multi-valued value of one type is set whether or not it was there
            ObjectNode current = (ObjectNode) client.send("GET", path, null).body();
            if (!patchSupported()) {
                changes.forEach(change -> ScimPaths.set(current, change.attribute(), change.kind() == Plan.AttributeChange.Kind.DELETE ? List.of() : change.values()));
                current.remove("meta");
                client.send("PUT", path, current);
                return;
            }
            patch(path, changes, current);
            return;
        }
        patch(path, changes, null);
    }

    private void patch(String path, List<Plan.AttributeChange> changes, ObjectNode current) {
        ObjectNode request = ScimClient.JSON.createObjectNode();
        request.putArray("schemas").add(PATCH_OP);
        ArrayNode operations = request.putArray("Operations");
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
        client.send("PATCH", path, request);
    }

    /** What the provider's /ServiceProviderConfig says of PATCH (read once; a provider without one gets PUTs). */
    private boolean patchSupported() {
        Boolean known = patch;
        if (known == null) {
            ScimClient.Response config = client.send("GET", "/ServiceProviderConfig", null);
            known = config.status() != 404 && config.body() != null && config.body().path("patch").path("supported").asBoolean(false);
            patch = known;
        }
        return known;
    }

    private static DestinationEntry entry(JsonNode resource) {
        String id = resource.path("id").asText();
        return new DestinationEntry(id, id, ScimPaths.flatten(resource));
    }
}

package io.idsync.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.Destination;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.Plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Groups at a SCIM service provider ({@code /Groups}, RFC 7643 §4.2): {@code displayName}, {@code externalId} and
 * {@code members} (the SCIM ids of the users the pipe's {@code members-from} pipe provisioned). A membership change
 * is a PatchOp that adds the members who joined and removes, one by one ({@code members[value eq "..."]}), those
 * who left, so members idsync does not know of are never touched in bulk; without PATCH the group is PUT whole. A
 * provider without Groups (PingOne's SCIM API) is refused when the pipe starts.
 */
final class ScimGroupDestination implements Destination {

    static final String MEMBERS = "members";

    private final ScimResources groups;
    private final ScimSchemas schemas;

    ScimGroupDestination(ScimClient client, ScimSchemas schemas) {
        this.groups = new ScimResources(client, client.settings().groupsResource());
        this.schemas = schemas;
    }

    @Override
    public Optional<DestinationEntry> read(String id) {
        return groups.read(id).map(response -> entry(response.body()));
    }

    @Override
    public List<DestinationEntry> find(Map<String, String> criteria, int limit) {
        return groups.findEqual(criteria, limit, group -> entry(group).attributes()).stream().map(ScimGroupDestination::entry).toList();
    }

    @Override
    public Optional<List<String>> schemaProblems(Collection<String> attributes, Collection<String> objectClasses) {
        Optional<List<String>> noGroups = schemas.groupProblems();
        if (noGroups.isEmpty() || !noGroups.get().isEmpty()) {
            return noGroups;
        }
        return schemas.problems(ScimSchemas.GROUP, attributes);
    }

    @Override
    public Written apply(Plan plan) {
        String id = switch (plan.action()) {
            case CREATE -> {
                ObjectNode group = ScimClient.JSON.createObjectNode();
                group.putArray("schemas").add(ScimSchemas.GROUP);
                plan.attributes().forEach((attribute, values) -> {
                    if (!attribute.equals(MEMBERS)) {
                        ScimPaths.set(group, attribute, values);
                    }
                });
                ArrayNode members = group.putArray(MEMBERS);
                plan.attributes().getOrDefault(MEMBERS, List.of()).forEach(member -> members.addObject().put("value", member));
                yield groups.create(group).path("id").asText();
            }
            case MODIFY -> {
                modify(plan.ref(), plan.changes());
                yield plan.ref();
            }
            case DELETE -> {
                groups.delete(plan.ref());
                yield plan.ref();
            }
            case NONE -> plan.ref();
        };
        return new Written(id, id);
    }

    private void modify(String id, List<Plan.AttributeChange> changes) {
        boolean members = changes.stream().anyMatch(change -> change.attribute().equals(MEMBERS));
        groups.update(id, members, current -> {
            if (!groups.patchSupported()) {
                for (Plan.AttributeChange change : changes) {
                    List<String> values = change.kind() == Plan.AttributeChange.Kind.DELETE ? List.of() : change.values();
                    if (change.attribute().equals(MEMBERS)) {
                        ArrayNode wanted = current.putArray(MEMBERS);
                        values.forEach(member -> wanted.addObject().put("value", member));
                    } else {
                        ScimPaths.set(current, change.attribute(), values);
                    }
                }
                return new ScimResources.Update(null, current);
            }
            ArrayNode operations = ScimClient.JSON.createArrayNode();
            for (Plan.AttributeChange change : changes) {
                if (change.attribute().equals(MEMBERS)) {
                    memberOperations(operations, memberIds(current), new LinkedHashSet<>(
                            change.kind() == Plan.AttributeChange.Kind.DELETE ? List.of() : change.values()));
                } else if (change.kind() == Plan.AttributeChange.Kind.DELETE) {
                    operations.addObject().put("op", "remove").put("path", change.attribute());
                } else {
                    operations.addObject().put("op", "replace").put("path", change.attribute())
                            .set("value", ScimPaths.value(change.attribute(), change.values()));
                }
            }
            return new ScimResources.Update(operations, null);
        });
    }

    /** Adds who joined in one operation, removes who left one by one: exactly {@code wanted} are members after it. */
    private static void memberOperations(ArrayNode operations, Set<String> current, Set<String> wanted) {
        ArrayNode joined = ScimClient.JSON.createArrayNode();
        wanted.stream().filter(member -> !current.contains(member)).forEach(member -> joined.addObject().put("value", member));
        if (!joined.isEmpty()) {
            operations.addObject().put("op", "add").put("path", MEMBERS).set("value", joined);
        }
        current.stream().filter(member -> !wanted.contains(member)).forEach(member ->
                operations.addObject().put("op", "remove").put("path", MEMBERS + "[value eq " + ScimClient.quoted(member) + "]"));
    }

    private static Set<String> memberIds(JsonNode group) {
        Set<String> ids = new LinkedHashSet<>();
        group.path(MEMBERS).forEach(member -> ids.add(member.path("value").asText()));
        return ids;
    }

    /** A group as its attributes (members by their values), not as ScimPaths would flatten them. */
    private static DestinationEntry entry(JsonNode group) {
        String id = group.path("id").asText();
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        ObjectNode rest = group.deepCopy();
        rest.remove(MEMBERS);
        attributes.putAll(ScimPaths.flatten(rest));
        Set<String> members = memberIds(group);
        if (!members.isEmpty()) {
            attributes.put(MEMBERS, new ArrayList<>(members));
        }
        return new DestinationEntry(id, id, attributes);
    }
}

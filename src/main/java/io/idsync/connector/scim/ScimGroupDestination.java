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
 * who left, so members idsync does not know of are never touched in bulk; without PATCH the group is PUT whole. No
 * request carries more than {@code max-members-per-request} members (100): a large group is created with its first
 * ones and PATCHed with the rest, and large changes go in several PATCHes. A provider without Groups (PingOne's SCIM
 * API) is refused when the pipe starts.
 */
final class ScimGroupDestination implements Destination {

    static final String MEMBERS = "members";

    private final ScimResources groups;
    private final ScimSchemas schemas;

    /** the most members one request carries ({@code max-members-per-request}) */
    private final int maxMembers;

    ScimGroupDestination(ScimClient client, ScimSchemas schemas) {
        this.maxMembers = client.settings().maxMembersPerRequest();
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
                List<String> wanted = plan.attributes().getOrDefault(MEMBERS, List.of());
                // a provider without PATCH takes the group whole; otherwise the first members with it, the rest in PATCHes
                int first = groups.patchSupported() ? Math.min(wanted.size(), maxMembers) : wanted.size();
                ArrayNode members = group.putArray(MEMBERS);
                wanted.subList(0, first).forEach(member -> members.addObject().put("value", member));
                String created = groups.create(group).path("id").asText();
                if (first < wanted.size()) {
                    sendMemberOperations(created, List.of(), memberOperationsOf(new LinkedHashSet<>(wanted.subList(0, first)), new LinkedHashSet<>(wanted)));
                }
                yield created;
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
        List<ObjectNode> memberOperations = new ArrayList<>();
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
            memberOperations.clear();
            for (Plan.AttributeChange change : changes) {
                if (change.attribute().equals(MEMBERS)) {
                    memberOperations.addAll(memberOperationsOf(memberIds(current), new LinkedHashSet<>(
                            change.kind() == Plan.AttributeChange.Kind.DELETE ? List.of() : change.values())));
                } else if (change.kind() == Plan.AttributeChange.Kind.DELETE) {
                    operations.addObject().put("op", "remove").put("path", change.attribute());
                } else {
                    operations.addObject().put("op", "replace").put("path", change.attribute())
                            .set("value", ScimPaths.value(change.attribute(), change.values()));
                }
            }
            // the other attributes and the first members in this request, the members past the limit in the next ones
            List<List<ObjectNode>> requests = inRequests(memberOperations);
            if (!requests.isEmpty()) {
                requests.get(0).forEach(operations::add);
            }
            return new ScimResources.Update(operations, null);
        });
        List<List<ObjectNode>> requests = inRequests(memberOperations);
        for (List<ObjectNode> request : requests.subList(Math.min(1, requests.size()), requests.size())) {
            sendMemberOperations(id, request, List.of());
        }
    }

    /** One PATCH of member operations (or of {@code more}, split into as many requests as the limit needs). */
    private void sendMemberOperations(String id, List<ObjectNode> request, List<ObjectNode> more) {
        List<List<ObjectNode>> requests = new ArrayList<>();
        if (!request.isEmpty()) {
            requests.add(request);
        }
        requests.addAll(inRequests(more));
        for (List<ObjectNode> operations : requests) {
            groups.update(id, false, current -> {
                ArrayNode array = ScimClient.JSON.createArrayNode();
                operations.forEach(array::add);
                return new ScimResources.Update(array, null);
            });
        }
    }

    /**
     * The member operations grouped into requests of at most {@code max-members-per-request} members each: an add of
     * many is split, a remove names one member.
     */
    private List<List<ObjectNode>> inRequests(List<ObjectNode> operations) {
        List<List<ObjectNode>> requests = new ArrayList<>();
        List<ObjectNode> request = new ArrayList<>();
        int count = 0;
        for (ObjectNode operation : operations) {
            List<ObjectNode> parts = new ArrayList<>();
            if (operation.path("value").isArray() && operation.path("value").size() > maxMembers) {
                ArrayNode values = (ArrayNode) operation.path("value");
                for (int from = 0; from < values.size(); from += maxMembers) {
                    ArrayNode chunk = ScimClient.JSON.createArrayNode();
                    for (int i = from; i < Math.min(values.size(), from + maxMembers); i++) {
                        chunk.add(values.get(i));
                    }
                    ObjectNode part = operation.deepCopy();
                    part.set("value", chunk);
                    parts.add(part);
                }
            } else {
                parts.add(operation);
            }
            for (ObjectNode part : parts) {
                int size = part.path("value").isArray() ? part.path("value").size() : 1;
                if (count + size > maxMembers && !request.isEmpty()) {
                    requests.add(request);
                    request = new ArrayList<>();
                    count = 0;
                }
                request.add(part);
                count += size;
            }
        }
        if (!request.isEmpty()) {
            requests.add(request);
        }
        return requests;
    }

    /** Adds who joined in one operation, removes who left one by one: exactly {@code wanted} are members after them. */
    private static List<ObjectNode> memberOperationsOf(Set<String> current, Set<String> wanted) {
        List<ObjectNode> operations = new ArrayList<>();
        ArrayNode joined = ScimClient.JSON.createArrayNode();
        wanted.stream().filter(member -> !current.contains(member)).forEach(member -> joined.addObject().put("value", member));
        if (!joined.isEmpty()) {
            ObjectNode add = ScimClient.JSON.createObjectNode().put("op", "add").put("path", MEMBERS);
            add.set("value", joined);
            operations.add(add);
        }
        current.stream().filter(member -> !wanted.contains(member)).forEach(member ->
                operations.add(ScimClient.JSON.createObjectNode().put("op", "remove").put("path", MEMBERS + "[value eq " + ScimClient.quoted(member) + "]")));
        return operations;
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

package io.idsync.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.EntryRejected;
import io.idsync.connector.SystemUnavailable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One resource endpoint of a SCIM provider ({@code /Users}, {@code /Groups}): read, search, create, update and delete,
 * the way its {@code /ServiceProviderConfig} allows. An update is a PatchOp where PATCH is supported, else a PUT of
 * the resource as read and changed; where ETags are supported it carries {@code If-Match} with the version it read,
 * and a 412 (changed meanwhile) reads again and retries.
 */
final class ScimResources {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ScimResources.class);

    static final String PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    private static final int ETAG_ATTEMPTS = 3;
    /** how far a {@code co} search reads before it gives up finding the equal ones */
    private static final int MAX_PAGES = 50;

    private final ScimClient client;
    private final String endpoint;

    /** What an update sends: a PatchOp's operations, or the whole resource for a PUT. */
    record Update(ArrayNode operations, ObjectNode replacement) {
    }

    ScimResources(ScimClient client, String endpoint) {
        this.client = client;
        this.endpoint = endpoint;
    }

    String endpoint() {
        return endpoint;
    }

    boolean patchSupported() {
        return client.provider().patch();
    }

    Optional<ScimClient.Response> read(String id) {
        ScimClient.Response response = client.send("GET", path(id), null);
        return response.status() == 404 ? Optional.empty() : Optional.of(response);
    }

    /** The resources matching a SCIM filter, at most {@code limit} (and at most the provider's maxResults). */
    List<JsonNode> search(String filter, int limit) {
        if (!client.provider().filter()) {
            throw new EntryRejected("the SCIM provider of connection '" + client.settings().name() + "' does not support filters"
                    + " (its /ServiceProviderConfig says filter.supported false): " + filter + " cannot be asked");
        }
        int count = Math.max(1, Math.min(limit, client.provider().maxResults()));
        ScimClient.Response response = client.send("GET", endpoint + "?filter=" + ScimClient.encode(filter) + "&count=" + count, null);
        List<JsonNode> found = new ArrayList<>();
        if (response.status() != 404 && response.body() != null) {
            response.body().path("Resources").forEach(found::add);
        }
        return found;
    }

    /**
     * The resources whose attributes equal all of {@code criteria} ({@code values} reads a resource's attributes the
     * way its destination compares them), at most {@code limit}. A value with {@code "} or {@code \} in it is not
     * sent as an escaped {@code eq}: providers read those escapes differently (scimmy refuses {@code \"}, the SCIM
     * SDK keeps the backslash and finds nothing). It is asked as {@code co} its longest part without them, page by
     * page, and the answers compared here; a userName compares ignoring case, as RFC 7643 makes it.
     */
    List<JsonNode> findEqual(Map<String, String> criteria, int limit, Function<JsonNode, Map<String, List<String>>> values) {
        boolean escapes = criteria.values().stream().anyMatch(value -> value.indexOf('"') >= 0 || value.indexOf('\\') >= 0);
        if (!escapes) {
            return search(equality(criteria, false), limit);
        }
        if (client.escapedEquality()) {
            // RFC 7644's escapes in eq, where the provider reads them (and kept exact on our side)
            return exactly(search(equality(criteria, false), limit), criteria, values);
        }
        try {
            return findApproximately(criteria, limit, values);
        } catch (ScimApiException e) {
            if (e.status() != 400 || !"invalidFilter".equalsIgnoreCase(String.valueOf(e.scimType()))) {
                throw e;
            }
            // a provider that takes eq alone (several SaaS APIs): it reads RFC 7644's escapes, remembered for the connection
            client.escapedEquality(true);
            LOG.infof("the SCIM provider of connection '%s' refused 'co' (%s): values with quotes or backslashes are searched with eq and"
                    + " RFC 7644's escapes on this connection from now on", client.settings().name(), e.getMessage());
            return exactly(search(equality(criteria, false), limit), criteria, values);
        }
    }

    /**
     * The default for values with quotes or backslashes: several providers (scimmy, scim-sdk-server) compare an eq's value
     * without undoing its escapes, so such a value is never found by eq; {@code co} its longest part without them finds it,
     * and the answers are compared exactly here.
     */
    private List<JsonNode> findApproximately(Map<String, String> criteria, int limit, Function<JsonNode, Map<String, List<String>>> values) {
        String filter = equality(criteria, true);
        List<JsonNode> equal = new ArrayList<>();
        int count = Math.max(1, client.provider().maxResults());
        for (int start = 1, page = 0; equal.size() < limit && page < MAX_PAGES; start += count, page++) {
            ScimClient.Response response = client.send("GET", endpoint + "?filter=" + ScimClient.encode(filter) + "&startIndex=" + start
                    + "&count=" + count, null);
            JsonNode resources = response.body() == null ? null : response.body().path("Resources");
            if (response.status() == 404 || resources == null || resources.isEmpty()) {
                break;
            }
            List<JsonNode> answered = new ArrayList<>();
            resources.forEach(answered::add);
            equal.addAll(exactly(answered, criteria, values));
            if (start + resources.size() > response.body().path("totalResults").asInt(Integer.MAX_VALUE)) {
                break;
            }
        }
        return equal;
    }

    /** The filter of the criteria: eq each, or (approximate) co the longest part of a value that needs escapes. */
    private static String equality(Map<String, String> criteria, boolean approximate) {
        List<String> clauses = new ArrayList<>();
        for (Map.Entry<String, String> criterion : criteria.entrySet()) {
            String value = criterion.getValue();
            if (!approximate || (value.indexOf('"') < 0 && value.indexOf('\\') < 0)) {
                clauses.add(ScimPaths.comparison(criterion.getKey(), "eq", value));
                continue;
            }
            String part = longestPartWithoutEscapes(value);
            if (part.isEmpty()) {
                throw new EntryRejected("no SCIM filter finds " + criterion.getKey() + " '" + value
                        + "' on every provider: it has nothing but quotes and backslashes");
            }
            clauses.add(ScimPaths.comparison(criterion.getKey(), "co", part));
        }
        return String.join(" and ", clauses);
    }

    /** The resources whose values equal the criteria exactly (a userName ignoring case, as RFC 7643 says). */
    private static List<JsonNode> exactly(List<JsonNode> found, Map<String, String> criteria, Function<JsonNode, Map<String, List<String>>> values) {
        List<JsonNode> equal = new ArrayList<>();
        for (JsonNode resource : found) {
            Map<String, List<String>> attributes = values.apply(resource);
            if (criteria.entrySet().stream().allMatch(c -> attributes.getOrDefault(c.getKey(), List.of()).stream()
                    .anyMatch(v -> c.getKey().equals("userName") ? v.equalsIgnoreCase(c.getValue()) : v.equals(c.getValue())))) {
                equal.add(resource);
            }
        }
        return equal;
    }

    private static String longestPartWithoutEscapes(String value) {
        String longest = "";
        for (String part : value.split("[\"\\\\]")) {
            if (part.length() > longest.length()) {
                longest = part;
            }
        }
        return longest;
    }

    /** Creates a resource; answers it as the provider holds it. */
    JsonNode create(ObjectNode resource) {
        JsonNode created = client.send("POST", endpoint, resource).body();
        if (created == null || !created.hasNonNull("id")) {
            throw new SystemUnavailable("SCIM POST " + endpoint + " on " + client.settings().baseUrl() + " answered no resource with an id");
        }
        return created;
    }

    /**
     * Updates a resource with what {@code change} makes of it as read now ({@code current} is null when neither PUT
     * nor If-Match needs the read and {@code needsCurrent} is false).
     */
    void update(String id, boolean needsCurrent, Function<ObjectNode, Update> change) {
        boolean etags = client.provider().etag();
        for (int attempt = 1; ; attempt++) {
            ObjectNode current = null;
            String version = null;
            if (needsCurrent || etags || !patchSupported()) {
                ScimClient.Response read = read(id).orElseThrow(() -> new SystemUnavailable(
                        "SCIM " + endpoint + "/" + id + " disappeared while it was being updated"));
                current = (ObjectNode) read.body();
                version = etags ? read.etag() : null;
            }
            Update update = change.apply(current);
            try {
                if (update.replacement() != null) {
                    update.replacement().remove("meta");
                    client.send("PUT", path(id), update.replacement(), version);
                } else if (!update.operations().isEmpty()) {
                    ObjectNode request = ScimClient.JSON.createObjectNode();
                    request.putArray("schemas").add(PATCH_OP);
                    request.set("Operations", update.operations());
                    client.send("PATCH", path(id), request, version);
                }
                return;
            } catch (ScimApiException e) {
                if (e.status() != 412 || attempt >= ETAG_ATTEMPTS) {
                    throw e;
                }
                // changed by someone else since it was read: read it again and make the change on that
            }
        }
    }

    /** Deletes a resource; one already gone (404, which a replay may find) is deleted too. */
    void delete(String id) {
        client.send("DELETE", path(id), null);
    }

    private String path(String id) {
        return endpoint + "/" + ScimClient.encode(id);
    }
}

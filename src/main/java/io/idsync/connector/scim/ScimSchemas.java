package io.idsync.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;
import io.idsync.connector.SystemUnavailable;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a provider's {@code /Schemas} and {@code /ResourceTypes} say (RFC 7643 §6, §7), asked when a pipe starts: an
 * attribute a mapping writes that no schema of the provider has, an extension URN the connection does not name, or
 * a group pipe to a provider without Groups, is said once, by name, instead of failing every entry. A provider that
 * serves neither endpoint is taken at its word: nothing is refused.
 */
final class ScimSchemas {

    static final String ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    static final String PINGONE_USER = "urn:pingidentity:schemas:extension:2.0:PingOneUser";
    static final String GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

    private final ScimClient client;
    /** the extension URNs a mapping may write into: the enterprise extension, PingOne's, and the connection's own */
    private final Set<String> extensions = new LinkedHashSet<>();

    ScimSchemas(ScimClient client) {
        this.client = client;
        extensions.add(ENTERPRISE_USER);
        extensions.add(PINGONE_USER);
        extensions.addAll(client.settings().customSchemaUrns());
    }

    /** What of {@code attributes} (SCIM paths) the resource of schema {@code core} cannot hold; empty: cannot tell now. */
    Optional<List<String>> problems(String core, Collection<String> attributes) {
        List<String> problems = new ArrayList<>();
        String who = "connection '" + client.settings().name() + "'";
        Map<String, Set<String>> served;
        try {
            served = servedAttributes();
        } catch (io.idsync.connector.SystemFailure e) {
            return Optional.empty();
        }
        for (String path : attributes) {
            String urn = urnOf(path);
            String schema = urn == null ? core : urn;
            if (urn != null && extensions.stream().noneMatch(known -> known.equalsIgnoreCase(urn))) {
                problems.add("attribute " + path + " is in schema " + urn + ", which " + who
                        + " does not name: add it to its custom-schema-urns (comma-separated), or correct the mapping");
                continue;
            }
            if (served == null) {
                continue; // no /Schemas: nothing to check against
            }
            Set<String> names = served.get(schema.toLowerCase(Locale.ROOT));
            String name = attributeOf(path, urn);
            if (names == null) {
                problems.add("attribute " + path + ": the provider of " + who + " serves no schema " + schema + " (its /Schemas lists "
                        + String.join(", ", served.keySet()) + ")");
            } else if (!names.contains(name.toLowerCase(Locale.ROOT))) {
                problems.add("attribute " + path + ": schema " + schema + " of the provider of " + who + " has no attribute " + name);
            }
        }
        return Optional.of(problems);
    }

    /** Why a group pipe cannot write to this provider: it has no Groups (PingOne's SCIM API has none); empty: cannot tell now. */
    Optional<List<String>> groupProblems() {
        try {
            ScimClient.Response types = client.send("GET", "/ResourceTypes", null);
            if (types.status() == 404 || types.body() == null) {
                ScimClient.Response groups = client.send("GET", client.settings().groupsResource() + "?count=1", null);
                return Optional.of(groups.status() == 404 ? List.of(noGroups("its " + client.settings().groupsResource() + " answers 404")) : List.of());
            }
            List<String> names = new ArrayList<>();
            for (JsonNode type : resources(types.body())) {
                if (GROUP.equalsIgnoreCase(type.path("schema").asText()) || client.settings().groupsResource().equalsIgnoreCase(type.path("endpoint").asText())) {
                    return Optional.of(List.of());
                }
                names.add(type.path("name").asText());
            }
            return Optional.of(List.of(noGroups("its /ResourceTypes lists " + (names.isEmpty() ? "none" : String.join(", ", names)))));
        } catch (io.idsync.connector.SystemFailure e) {
            return Optional.empty();
        }
    }

    private String noGroups(String evidence) {
        return "the SCIM provider of connection '" + client.settings().name() + "' has no Groups resource (" + evidence
                + "): a group pipe cannot write to it";
    }

    /** schema id (lower case) → its top-level attribute names (lower case); null when /Schemas is not served. */
    private Map<String, Set<String>> servedAttributes() {
        ScimClient.Response response = client.send("GET", "/Schemas", null);
        if (response.status() == 404 || response.body() == null) {
            return null;
        }
        Map<String, Set<String>> served = new HashMap<>();
        for (JsonNode schema : resources(response.body())) {
            Set<String> names = new LinkedHashSet<>();
            schema.path("attributes").forEach(attribute -> names.add(attribute.path("name").asText().toLowerCase(Locale.ROOT)));
            served.put(schema.path("id").asText().toLowerCase(Locale.ROOT), names);
        }
        return served;
    }

    /** A list response's resources, or a provider's bare array. */
    private static Iterable<JsonNode> resources(JsonNode body) {
        return body.isArray() ? body : body.path("Resources");
    }

    /** The schema URN a path starts with ({@code urn:...:User:employeeNumber}), or null for a core attribute. */
    static String urnOf(String path) {
        if (!path.regionMatches(true, 0, "urn:", 0, 4)) {
            return null;
        }
        // sub-attributes have no colon, the URN's version may have a dot (2.0): the attribute starts after the last colon
        String head = path.contains("[") ? path.substring(0, path.indexOf('[')) : path;
        int colon = head.lastIndexOf(':');
        return colon > 0 ? path.substring(0, colon) : null;
    }

    /** The top-level attribute a path writes: {@code emails} of {@code emails[type eq "work"].value}. */
    private static String attributeOf(String path, String urn) {
        String rest = urn == null ? path : path.substring(urn.length() + 1);
        int end = rest.length();
        for (char stop : new char[]{'.', '['}) {
            int at = rest.indexOf(stop);
            if (at >= 0) {
                end = Math.min(end, at);
            }
        }
        return rest.substring(0, end);
    }
}

package io.idsync.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One RFC 7644 §3.5.2 PatchOp operation applied to a SCIM resource (a copy: the caller keeps the original until
 * every operation went through). Paths: {@code title}, {@code name.givenName}, a schema URN prefix
 * ({@code urn:pingidentity:schemas:extension:2.0:PingOneUser:population.id}), a value filter
 * ({@code emails[type eq "work"].value}); no path with an object value for add and replace.
 */
final class ScimPatch {

    private static final Set<String> READ_ONLY = Set.of("id", "meta", "schemas");

    private ScimPatch() {
    }

    static void apply(ObjectNode resource, JsonNode operation) {
        String op = SandboxScim.lower(operation.path("op").asText(""));
        if (!Set.of("add", "replace", "remove").contains(op)) {
            throw new SandboxScim.ScimError(400, "invalidSyntax", "op '" + operation.path("op").asText("") + "' is not one of add, replace, remove");
        }
        JsonNode value = operation.get("value");
        String path = operation.hasNonNull("path") ? operation.get("path").asText() : null;
        if (path == null || path.isBlank()) {
            if (op.equals("remove")) {
                throw new SandboxScim.ScimError(400, "noTarget", "remove needs a path");
            }
            if (value == null || !value.isObject()) {
                throw new SandboxScim.ScimError(400, "invalidValue", op + " without a path needs an object value");
            }
            value.fields().forEachRemaining(field -> set(resource, field.getKey(), field.getValue(), op.equals("add")));
            return;
        }
        ObjectNode container = resource;
        String rest = path;
        int bracket = path.indexOf('[');
        int colon = (bracket < 0 ? path : path.substring(0, bracket)).lastIndexOf(':');
        if (colon > 0) {
            String urn = path.substring(0, colon);
            rest = path.substring(colon + 1);
            if (!urn.equalsIgnoreCase(SandboxScim.USER)) {
                container = child(resource, urn, !op.equals("remove"));
                if (container == null) {
                    return; // removing from an extension the resource does not have: nothing to remove
                }
            }
        }
        bracket = rest.indexOf('[');
        if (bracket >= 0) {
            filtered(container, op, rest, bracket, value, path);
            return;
        }
        String[] parts = rest.split("\\.", 2);
        if (READ_ONLY.contains(SandboxScim.lower(parts[0]))) {
            throw new SandboxScim.ScimError(400, "mutability", parts[0] + " is read-only");
        }
        if (parts.length == 2) {
            ObjectNode parent = child(container, parts[0], !op.equals("remove"));
            if (parent == null) {
                return;
            }
            container = parent;
            rest = parts[1];
        }
        if (op.equals("remove")) {
            remove(container, rest);
        } else {
            if (value == null) {
                throw new SandboxScim.ScimError(400, "invalidValue", op + " of " + path + " needs a value");
            }
            set(container, rest, value, op.equals("add"));
        }
    }

    /** {@code emails[type eq "work"]} or {@code emails[type eq "work"].value}: the elements the filter matches. */
    private static void filtered(ObjectNode container, String op, String rest, int bracket, JsonNode value, String path) {
        int close = rest.indexOf(']', bracket);
        if (close < 0) {
            throw new SandboxScim.ScimError(400, "invalidPath", "path '" + path + "': '[' is never closed");
        }
        String attribute = rest.substring(0, bracket);
        Predicate<JsonNode> matches = ScimFilter.parse(rest.substring(bracket + 1, close));
        String sub = close + 1 < rest.length() && rest.charAt(close + 1) == '.' ? rest.substring(close + 2) : null;
        JsonNode values = ScimFilter.field(container, attribute);
        List<JsonNode> selected = new ArrayList<>();
        if (values != null && values.isArray()) {
            values.forEach(element -> {
                if (matches.test(element)) {
                    selected.add(element);
                }
            });
        }
        if (selected.isEmpty()) {
            if (op.equals("remove")) {
                return;
            }
            throw new SandboxScim.ScimError(400, "noTarget", "path '" + path + "' matches no value");
        }
        ArrayNode array = (ArrayNode) values;
        for (JsonNode element : selected) {
            if (op.equals("remove") && sub == null) {
                for (int i = array.size() - 1; i >= 0; i--) {
                    if (array.get(i) == element) {
                        array.remove(i);
                    }
                }
            } else if (op.equals("remove")) {
                remove((ObjectNode) element, sub);
            } else if (sub != null) {
                set((ObjectNode) element, sub, value, false);
            } else if (value != null && value.isObject()) {
                ((ObjectNode) element).setAll((ObjectNode) value.deepCopy());
            } else {
                throw new SandboxScim.ScimError(400, "invalidValue", op + " of " + path + " needs an object value");
            }
        }
    }

    /** Sets a field (named regardless of case); {@code add} to a multi-valued attribute appends. */
    private static void set(ObjectNode container, String name, JsonNode value, boolean add) {
        if (READ_ONLY.contains(SandboxScim.lower(name))) {
            throw new SandboxScim.ScimError(400, "mutability", name + " is read-only");
        }
        String key = existing(container, name);
        JsonNode current = container.get(key);
        if (add && current != null && current.isArray()) {
            if (value.isArray()) {
                value.forEach(element -> ((ArrayNode) current).add(element.deepCopy()));
            } else {
                ((ArrayNode) current).add(value.deepCopy());
            }
            return;
        }
        if (add && current != null && current.isObject() && value.isObject()) {
            ((ObjectNode) current).setAll((ObjectNode) value.deepCopy());
            return;
        }
        container.set(key, value.deepCopy());
    }

    private static void remove(ObjectNode container, String name) {
        if (READ_ONLY.contains(SandboxScim.lower(name))) {
            throw new SandboxScim.ScimError(400, "mutability", name + " is read-only");
        }
        container.remove(existing(container, name));
    }

    private static ObjectNode child(ObjectNode container, String name, boolean create) {
        String key = existing(container, name);
        JsonNode child = container.get(key);
        if (child != null && child.isObject()) {
            return (ObjectNode) child;
        }
        if (child != null && !child.isNull()) {
            throw new SandboxScim.ScimError(400, "invalidPath", name + " has no sub-attributes");
        }
        return create ? container.putObject(key) : null;
    }

    /** The key the container already uses for this name (any case), else the name as given. */
    private static String existing(ObjectNode container, String name) {
        Iterator<Map.Entry<String, JsonNode>> fields = container.fields();
        while (fields.hasNext()) {
            String key = fields.next().getKey();
            if (key.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return key;
            }
        }
        return name;
    }
}

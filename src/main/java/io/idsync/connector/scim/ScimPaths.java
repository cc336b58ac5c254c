package io.idsync.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A mapping's SCIM attribute paths and the JSON of a SCIM resource, both ways: {@code userName},
 * {@code name.givenName}, {@code emails[type eq "work"].value} (a multi-valued attribute's value of one type), and an
 * extension's {@code urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber}.
 */
final class ScimPaths {

    private static final Pattern TYPED = Pattern.compile("([A-Za-z0-9_$-]+)\\[type eq \"([^\"]*)\"]\\.([A-Za-z0-9_$-]+)");
    /** attributes whose values are JSON booleans */
    private static final Set<String> BOOLEANS = Set.of("active", "primary");

    private ScimPaths() {
    }

    /** The resource as a mapping sees it: every path with its values (what a create sets and a diff compares). */
    static Map<String, List<String>> flatten(JsonNode resource) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        resource.fields().forEachRemaining(field -> {
            String name = field.getKey();
            if (name.equals("schemas") || name.equals("meta") || name.equals("id")) {
                return;
            }
            if (name.startsWith("urn:") && field.getValue().isObject()) {
                flattenInto(name + ":", field.getValue(), values);
            } else {
                flattenValue(name, field.getValue(), values);
            }
        });
        return values;
    }

    private static void flattenInto(String prefix, JsonNode object, Map<String, List<String>> values) {
        object.fields().forEachRemaining(field -> flattenValue(prefix + field.getKey(), field.getValue(), values));
    }

    private static void flattenValue(String path, JsonNode value, Map<String, List<String>> values) {
        if (value.isObject()) {
            value.fields().forEachRemaining(field -> flattenValue(path + "." + field.getKey(), field.getValue(), values));
        } else if (value.isArray()) {
            for (JsonNode element : value) {
                if (element.isObject() && element.hasNonNull("type")) {
                    String type = element.get("type").asText();
                    element.fields().forEachRemaining(field -> {
                        if (!field.getKey().equals("type") && field.getValue().isValueNode()) {
                            values.computeIfAbsent(path + "[type eq \"" + type + "\"]." + field.getKey(), k -> new ArrayList<>()).add(field.getValue().asText());
                        }
                    });
                } else if (element.isValueNode()) {
                    values.computeIfAbsent(path, k -> new ArrayList<>()).add(element.asText());
                }
            }
        } else if (!value.isNull()) {
            values.computeIfAbsent(path, k -> new ArrayList<>()).add(value.asText());
        }
    }

    /** Sets a path's values in a resource ({@code values} empty: removes it). */
    static void set(ObjectNode resource, String path, List<String> values) {
        ObjectNode container = resource;
        String rest = path;
        int colon = path.contains("[") ? path.substring(0, path.indexOf('[')).lastIndexOf(':') : path.lastIndexOf(':');
        if (path.startsWith("urn:") && colon > 0) {
            String urn = path.substring(0, colon);
            rest = path.substring(colon + 1);
            container = object(resource, urn);
            addSchema(resource, urn);
        }
        Matcher typed = TYPED.matcher(rest);
        if (typed.matches()) {
            ArrayNode array = container.has(typed.group(1)) && container.get(typed.group(1)).isArray()
                    ? (ArrayNode) container.get(typed.group(1)) : container.putArray(typed.group(1));
            ObjectNode element = null;
            for (JsonNode candidate : array) {
                if (typed.group(2).equals(candidate.path("type").asText())) {
                    element = (ObjectNode) candidate;
                }
            }
            if (values.isEmpty()) {
                if (element != null) {
                    for (int i = array.size() - 1; i >= 0; i--) {
                        if (array.get(i) == element) {
                            array.remove(i);
                        }
                    }
                }
                return;
            }
            if (element == null) {
                element = array.addObject().put("type", typed.group(2));
                if (array.size() == 1) {
                    element.put("primary", true);
                }
            }
            put(element, typed.group(3), values);
            return;
        }
        String[] parts = rest.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            container = object(container, parts[i]);
        }
        if (values.isEmpty()) {
            container.remove(parts[parts.length - 1]);
        } else {
            put(container, parts[parts.length - 1], values);
        }
    }

    /** The JSON value a PatchOp carries for a path's values. */
    static JsonNode value(String path, List<String> values) {
        String attribute = path.substring(path.lastIndexOf('.') + 1);
        ObjectNode holder = ScimClient.JSON.createObjectNode();
        put(holder, attribute, values);
        return holder.get(attribute);
    }

    /**
     * A filter comparing a path with a value ({@code eq}, {@code co}...): {@code emails[type eq "work" and value eq "x"]}
     * for a typed one.
     */
    static String comparison(String path, String operator, String value) {
        Matcher typed = TYPED.matcher(path.contains(":") && path.startsWith("urn:") ? path.substring(path.lastIndexOf(':') + 1) : path);
        if (typed.matches() && !path.startsWith("urn:")) {
            return typed.group(1) + "[type eq " + ScimClient.quoted(typed.group(2)) + " and " + typed.group(3) + " " + operator + " "
                    + ScimClient.quoted(value) + "]";
        }
        return path + " " + operator + " " + ScimClient.quoted(value);
    }

    static boolean isTyped(String path) {
        return TYPED.matcher(path).matches();
    }

    private static void put(ObjectNode container, String attribute, List<String> values) {
        if (BOOLEANS.contains(attribute)) {
            container.put(attribute, Boolean.parseBoolean(values.get(0)));
        } else if (values.size() == 1) {
            container.put(attribute, values.get(0));
        } else {
            ArrayNode array = container.putArray(attribute);
            values.forEach(array::add);
        }
    }

    private static ObjectNode object(ObjectNode container, String name) {
        JsonNode child = container.get(name);
        return child != null && child.isObject() ? (ObjectNode) child : container.putObject(name);
    }

    private static void addSchema(ObjectNode resource, String urn) {
        ArrayNode schemas = resource.has("schemas") && resource.get("schemas").isArray() ? (ArrayNode) resource.get("schemas") : resource.putArray("schemas");
        for (JsonNode schema : schemas) {
            if (schema.asText().equalsIgnoreCase(urn)) {
                return;
            }
        }
        schemas.add(urn);
    }
}

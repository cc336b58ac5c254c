package io.idsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A dotted path into a JSON document, as PingDataSync writes it in value patterns: {@code name.given},
 * {@code address.locality}, {@code emails[0].value}. Walking into an array visits every element, so a
 * path can yield several values (a multi-valued destination attribute).
 */
public final class JsonPath {

    private final String text;
    private final List<Step> steps;

    private record Step(String field, Integer index) {
    }

    private JsonPath(String text, List<Step> steps) {
        this.text = text;
        this.steps = steps;
    }

    public static JsonPath parse(String text) {
        if (text == null || text.isBlank()) {
            throw new MappingException("an empty JSON path");
        }
        List<Step> steps = new ArrayList<>();
        for (String part : text.trim().split("\\.", -1)) {
            if (part.isEmpty()) {
                throw new MappingException("JSON path '" + text + "' has an empty segment");
            }
            int bracket = part.indexOf('[');
            if (bracket < 0) {
                steps.add(new Step(part, null));
                continue;
            }
            if (!part.endsWith("]") || bracket == 0) {
                throw new MappingException("JSON path '" + text + "': write an index as field[0]");
            }
            try {
                int index = Integer.parseInt(part.substring(bracket + 1, part.length() - 1));
                steps.add(new Step(part.substring(0, bracket), index));
            } catch (NumberFormatException e) {
                throw new MappingException("JSON path '" + text + "': '" + part + "' has an index that is not a number");
            }
        }
        return new JsonPath(text.trim(), List.copyOf(steps));
    }

    /** The scalar values at this path, as text; empty when the path leads nowhere or to null. */
    public List<String> values(JsonNode document) {
        // the common case first, without lists: plain fields down to one scalar (every user is mapped, so it counts)
        JsonNode node = document;
        for (int i = 0; i < steps.size() && node != null && !node.isArray(); i++) {
            Step step = steps.get(i);
            if (step.index() != null) {
                break;
            }
            node = node.get(step.field());
            if (node == null || node.isNull()) {
                return List.of();
            }
            if (i == steps.size() - 1 && node.isValueNode()) {
                return List.of(node.asText());
            }
        }
        return walk(document);
    }

    /** Every value at this path: arrays on the way are visited element by element. */
    private List<String> walk(JsonNode document) {
        List<JsonNode> current = List.of(document);
        for (Step step : steps) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode node : current) {
                for (JsonNode element : node.isArray() ? iterable(node) : List.of(node)) {
                    JsonNode child = element.get(step.field());
                    if (child == null || child.isNull()) {
                        continue;
                    }
                    if (step.index() != null) {
                        child = child.isArray() ? child.get(step.index()) : null;
                        if (child == null || child.isNull()) {
                            continue;
                        }
                    }
                    next.add(child);
                }
            }
            current = next;
        }
        List<String> values = new ArrayList<>();
        for (JsonNode node : current) {
            for (JsonNode element : node.isArray() ? iterable(node) : List.of(node)) {
                if (element.isValueNode() && !element.isNull()) {
                    values.add(element.asText());
                } else if (element.isContainerNode()) {
                    values.add(element.toString());
                }
            }
        }
        return values;
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> list = new ArrayList<>(array.size());
        array.forEach(list::add);
        return list;
    }

    @Override
    public String toString() {
        return text;
    }
}

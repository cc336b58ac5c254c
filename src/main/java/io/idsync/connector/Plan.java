package io.idsync.connector;

import java.util.List;
import java.util.Map;

/**
 * The smallest operation that makes the destination match the mapped entry.
 *
 * @param ref        the entry's current reference (for a create, the new one)
 * @param newRef     for a rename, the reference it moves to; otherwise null
 * @param attributes for a create, every attribute
 * @param changes    for a modify, only the attributes whose values differ
 */
public record Plan(Action action, String ref, String newRef, Map<String, List<String>> attributes, List<AttributeChange> changes) {

    public enum Action {
        CREATE, MODIFY, DELETE, NONE
    }

    public record AttributeChange(String attribute, Kind kind, List<String> values) {
        public enum Kind {
            REPLACE, ADD, DELETE
        }
    }

    public static Plan none(String ref) {
        return new Plan(Action.NONE, ref, null, Map.of(), List.of());
    }

    public static Plan delete(String ref) {
        return new Plan(Action.DELETE, ref, null, Map.of(), List.of());
    }

    public String describe() {
        return switch (action) {
            case CREATE -> ref == null ? "create a new entry" : "create " + ref;
            case DELETE -> "delete " + ref;
            case NONE -> "no change needed for " + ref;
            case MODIFY -> "modify " + ref + (newRef != null ? " (rename to " + newRef + ")" : "")
                    + (changes.isEmpty() ? "" : ": " + String.join(", ", changes.stream()
                    .map(c -> c.kind().name().toLowerCase() + " " + c.attribute()).toList()));
        };
    }
}

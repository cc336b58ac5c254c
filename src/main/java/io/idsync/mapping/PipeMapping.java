package io.idsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything a pipe's mapping file decides: the sync class, the destination DN and object classes, the
 * attribute map and the ordered correlation rules. Pure: turns a source document into a {@link MappedEntry}.
 *
 * @param createOnly the attributes written on create only (the object classes among them)
 * @param managed    every attribute the map writes: one the source no longer has is removed
 */
public record PipeMapping(String origin, SyncClass syncClass, DnPattern dnPattern, List<String> objectClasses,
                          List<AttributeMapping> attributes, List<CorrelationRule> correlation, Set<String> createOnly, Set<String> managed) {

    public PipeMapping {
        createOnly = MappedEntry.names(createOnly);
        managed = MappedEntry.names(managed);
    }

    public PipeMapping(String origin, SyncClass syncClass, DnPattern dnPattern, List<String> objectClasses,
                       List<AttributeMapping> attributes, List<CorrelationRule> correlation) {
        this(origin, syncClass, dnPattern, objectClasses, attributes, correlation, createOnly(objectClasses, attributes),
                attributes.stream().map(AttributeMapping::toAttribute).collect(Collectors.toSet()));
    }

    /**
     * The map of what little is known of an entry that is gone or out of scope (its id): enough for the
     * correlation rules that depend only on it, such as {@code entryUUID} from the PingOne id. No DN.
     */
    public MappedEntry mapIdentity(JsonNode identity) {
        return new MappedEntry(null, values(identity, false), createOnly, managed);
    }

    public MappedEntry map(JsonNode source) {
        return new MappedEntry(dnPattern == null ? null : dnPattern.apply(source), values(source, true), createOnly, managed);
    }

    /** @throws MappingException when {@code whole} and a required attribute yields no value */
    private Map<String, List<String>> values(JsonNode source, boolean whole) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (!objectClasses.isEmpty()) {
            values.put("objectClass", objectClasses);
        }
        for (AttributeMapping mapping : attributes) {
            List<String> mapped = mapping.values(source);
            if (mapped.isEmpty() && whole && mapping.required()) {
                throw new MappingException(mapping.toAttribute() + " is required (the mapping's required: true) and this entry gives it no value: "
                        + (mapping.type() == AttributeMapping.Type.DIRECT ? "it has no " + String.join(", ", mapping.patterns().get(0).paths()) : "none of "
                        + mapping.patterns() + " yields one") + "; give the entry one, or map " + mapping.toAttribute() + " from something it has");
            }
            if (!mapped.isEmpty()) {
                values.merge(mapping.toAttribute(), mapped, (a, b) -> {
                    List<String> both = new ArrayList<>(a);
                    b.stream().filter(v -> !both.contains(v)).forEach(both::add);
                    return both;
                });
            }
        }
        return values;
    }

    private static Set<String> createOnly(List<String> objectClasses, List<AttributeMapping> attributes) {
        Set<String> createOnly = new HashSet<>();
        if (!objectClasses.isEmpty()) {
            createOnly.add("objectClass");
        }
        attributes.stream().filter(AttributeMapping::createOnly).forEach(mapping -> createOnly.add(mapping.toAttribute()));
        return createOnly;
    }
}

package io.idsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a pipe's mapping file decides: the sync class, the destination DN and object classes, the
 * attribute map and the ordered correlation rules. Pure: turns a source document into a {@link MappedEntry}.
 */
public record PipeMapping(String origin, SyncClass syncClass, DnPattern dnPattern, List<String> objectClasses,
                          List<AttributeMapping> attributes, List<CorrelationRule> correlation) {

    /**
     * The map of what little is known of an entry that is gone or out of scope (its id): enough for the
     * correlation rules that depend only on it, such as {@code entryUUID} from the PingOne id. No DN.
     */
    public MappedEntry mapIdentity(JsonNode identity) {
        MappedEntry full = mapWithoutDn(identity);
        return new MappedEntry(null, full.attributes(), full.createOnly(), full.managed());
    }

    public MappedEntry map(JsonNode source) {
        MappedEntry entry = mapWithoutDn(source);
        String dn = dnPattern == null ? null : dnPattern.apply(source);
        return new MappedEntry(dn, entry.attributes(), entry.createOnly(), entry.managed());
    }

    private MappedEntry mapWithoutDn(JsonNode source) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        Set<String> createOnly = new HashSet<>();
        Set<String> managed = new HashSet<>();
        if (!objectClasses.isEmpty()) {
            values.put("objectClass", objectClasses);
            createOnly.add("objectClass");
        }
        for (AttributeMapping mapping : attributes) {
            managed.add(mapping.toAttribute());
            if (mapping.createOnly()) {
                createOnly.add(mapping.toAttribute());
            }
            List<String> mapped = mapping.values(source);
            if (!mapped.isEmpty()) {
                values.merge(mapping.toAttribute(), mapped, (a, b) -> {
                    List<String> both = new ArrayList<>(a);
                    b.stream().filter(v -> !both.contains(v)).forEach(both::add);
                    return both;
                });
            }
        }
        return new MappedEntry(null, values, createOnly, managed);
    }
}

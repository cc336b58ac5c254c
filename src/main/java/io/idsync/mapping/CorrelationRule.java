package io.idsync.mapping;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One PingDataSync correlation attribute list: the destination entry whose values of all these
 * attributes equal the mapped entry's. Rules are tried in order; {@code dn} stands for the mapped DN.
 */
public record CorrelationRule(List<String> attributes) {

    /** The attribute/value pairs to search for, or empty when the mapped entry lacks one of them. */
    public Optional<Map<String, String>> criteria(MappedEntry mapped) {
        Map<String, String> criteria = new LinkedHashMap<>();
        for (String attribute : attributes) {
            String value = "dn".equalsIgnoreCase(attribute) ? mapped.dn() : mapped.first(attribute);
            if (value == null) {
                return Optional.empty();
            }
            criteria.put(attribute, value);
        }
        return Optional.of(criteria);
    }

    @Override
    public String toString() {
        return String.join(",", attributes);
    }
}

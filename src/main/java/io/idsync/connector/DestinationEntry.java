package io.idsync.connector;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An entry as the destination holds it now.
 *
 * @param ref the destination's reference (an LDAP DN, a PingOne id)
 * @param id  the destination's stable identifier (entryUUID), recorded in the link
 */
public record DestinationEntry(String ref, String id, Map<String, List<String>> attributes) {

    public DestinationEntry {
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(attributes);
        attributes = Collections.unmodifiableMap(copy);
    }

    public List<String> values(String attribute) {
        return attributes.getOrDefault(attribute, List.of());
    }
}

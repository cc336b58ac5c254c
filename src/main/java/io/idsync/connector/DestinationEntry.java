package io.idsync.connector;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An entry as the destination holds it now.
 *
 * @param name the entry's name at the destination (ConnId's Name: an LDAP DN, a PingOne id): what reads and writes address
 * @param id   the destination's stable identifier (ConnId's Uid: entryUUID, a PingOne id), recorded in the link
 */
public record DestinationEntry(String name, String id, Map<String, List<String>> attributes) {

    public DestinationEntry {
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(attributes);
        attributes = Collections.unmodifiableMap(copy);
    }

    public List<String> values(String attribute) {
        return attributes.getOrDefault(attribute, List.of());
    }
}

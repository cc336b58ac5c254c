package io.idsync.mapping;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the destination entry should look like after the map: its DN (for LDAP destinations), its
 * attributes (names compared case-insensitively, as LDAP does), which of them are written on create only,
 * and every attribute the map manages (a managed attribute the source no longer has is removed).
 */
public record MappedEntry(String dn, Map<String, List<String>> attributes, Set<String> createOnly, Set<String> managed) {

    public MappedEntry {
        Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(attributes);
        attributes = Collections.unmodifiableMap(copy);
        Set<String> createOnlyCopy = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        createOnlyCopy.addAll(createOnly);
        createOnly = Collections.unmodifiableSet(createOnlyCopy);
        Set<String> managedCopy = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        managedCopy.addAll(managed);
        managed = Collections.unmodifiableSet(managedCopy);
    }

    public List<String> values(String attribute) {
        return attributes.getOrDefault(attribute, List.of());
    }

    public String first(String attribute) {
        List<String> values = values(attribute);
        return values.isEmpty() ? null : values.get(0);
    }
}

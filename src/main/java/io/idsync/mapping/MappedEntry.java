package io.idsync.mapping;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
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
        createOnly = names(createOnly);
        managed = names(managed);
    }

    private static final Class<?> NAMES = Collections.unmodifiableNavigableSet(new TreeSet<>()).getClass();

    /**
     * Attribute names as an unmodifiable set compared case-insensitively. A set this method made is
     * returned as it is: a mapping's names are sorted once, not again for every entry it maps.
     */
    static Set<String> names(Set<String> names) {
        if (NAMES.isInstance(names) && ((NavigableSet<String>) names).comparator() == String.CASE_INSENSITIVE_ORDER) {
            return names;
        }
        NavigableSet<String> copy = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        copy.addAll(names);
        return Collections.unmodifiableNavigableSet(copy);
    }

    public List<String> values(String attribute) {
        return attributes.getOrDefault(attribute, List.of());
    }

    public String first(String attribute) {
        List<String> values = values(attribute);
        return values.isEmpty() ? null : values.get(0);
    }
}

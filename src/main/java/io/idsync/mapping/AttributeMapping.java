package io.idsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One PingDataSync attribute mapping: the destination attribute and how its values are made.
 * <ul>
 * <li>{@code direct}: the values of {@code from-attribute} (a JSON path), unchanged;</li>
 * <li>{@code constructed}: the first {@code value-pattern} that yields a value (several patterns are fallbacks);</li>
 * <li>{@code constant}: fixed {@code value} / {@code values}.</li>
 * </ul>
 * {@code create-only} attributes are written when the entry is created and never compared afterwards.
 * A {@code required} attribute that yields no value fails the entry with a {@link MappingException} naming it,
 * before any request: the destination would refuse the entry anyway (PingOne's {@code email}), and saying so
 * once beats a 400 on every retry.
 */
public record AttributeMapping(String toAttribute, Type type, List<ValuePattern> patterns, List<String> constants,
                               boolean createOnly, boolean required) {

    public AttributeMapping(String toAttribute, Type type, List<ValuePattern> patterns, List<String> constants, boolean createOnly) {
        this(toAttribute, type, patterns, constants, createOnly, false);
    }

    /** This mapping, with an entry that yields no value for it failing. */
    public AttributeMapping asRequired() {
        return new AttributeMapping(toAttribute, type, patterns, constants, createOnly, true);
    }

    public enum Type {
        DIRECT, CONSTRUCTED, CONSTANT
    }

    public static AttributeMapping direct(String toAttribute, String fromAttribute, boolean createOnly) {
        return new AttributeMapping(toAttribute, Type.DIRECT, List.of(ValuePattern.parse("{" + fromAttribute + "}")), List.of(), createOnly);
    }

    public static AttributeMapping constructed(String toAttribute, List<String> patterns, boolean createOnly) {
        return new AttributeMapping(toAttribute, Type.CONSTRUCTED, patterns.stream().map(ValuePattern::parse).toList(), List.of(), createOnly);
    }

    public static AttributeMapping constant(String toAttribute, List<String> values, boolean createOnly) {
        return new AttributeMapping(toAttribute, Type.CONSTANT, List.of(), List.copyOf(values), createOnly);
    }

    /** The destination values for this source document; empty when the source has none. */
    public List<String> values(JsonNode source) {
        if (type == Type.CONSTANT) {
            return constants;
        }
        for (ValuePattern pattern : patterns) {
            List<String> values = pattern.apply(source);
            if (values.size() == 1 && !values.get(0).isEmpty()) {
                return values;
            }
            values = new ArrayList<>(new LinkedHashSet<>(values));
            values.removeIf(String::isEmpty);
            if (!values.isEmpty()) {
                return values;
            }
        }
        return List.of();
    }
}

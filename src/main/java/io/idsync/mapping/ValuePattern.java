package io.idsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A PingDataSync {@code value-pattern}: literal text with {@code {json.path}} placeholders, {@code {{} and
 * {@code }}} for literal braces. A pattern whose placeholder has no value yields nothing (so a list of
 * patterns can fall back to the next one); a placeholder with several values yields one result per
 * value (several multi-valued placeholders give every combination).
 */
public final class ValuePattern {

    private sealed interface Part permits Literal, Placeholder {
    }

    private record Literal(String text) implements Part {
    }

    private record Placeholder(JsonPath path) implements Part {
    }

    private final String text;
    private final List<Part> parts;

    private ValuePattern(String text, List<Part> parts) {
        this.text = text;
        this.parts = parts;
    }

    public static ValuePattern parse(String text) {
        if (text == null) {
            throw new MappingException("a value pattern is missing");
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '{' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
                literal.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < text.length() && text.charAt(i + 1) == '}') {
                literal.append('}');
                i += 2;
            } else if (c == '{') {
                int close = text.indexOf('}', i);
                if (close < 0) {
                    throw new MappingException("value pattern '" + text + "': '{' at position " + (i + 1) + " is never closed");
                }
                if (literal.length() > 0) {
                    parts.add(new Literal(literal.toString()));
                    literal.setLength(0);
                }
                parts.add(new Placeholder(JsonPath.parse(text.substring(i + 1, close))));
                i = close + 1;
            } else if (c == '}') {
                throw new MappingException("value pattern '" + text + "': '}' at position " + (i + 1) + " closes nothing (write '}}' for a literal brace)");
            } else {
                literal.append(c);
                i++;
            }
        }
        if (literal.length() > 0) {
            parts.add(new Literal(literal.toString()));
        }
        return new ValuePattern(text, List.copyOf(parts));
    }

    /** The values this pattern makes from the document. */
    public List<String> apply(JsonNode document) {
        return apply(document, IDENTITY);
    }

    private static final UnaryOperator<String> IDENTITY = UnaryOperator.identity();

    /**
     * The values this pattern makes, each placeholder value passed through {@code escape} first (for a DN
     * the placeholders are RDN-escaped, the literal text is not).
     */
    public List<String> apply(JsonNode document, UnaryOperator<String> escape) {
        if (parts.size() == 1 && parts.get(0) instanceof Placeholder only) {
            // a direct mapping: the values themselves
            List<String> values = only.path().values(document);
            return escape == IDENTITY ? values : values.stream().map(escape).toList();
        }
        List<String> results = List.of("");
        for (Part part : parts) {
            List<String> next = new ArrayList<>();
            if (part instanceof Literal literal) {
                for (String prefix : results) {
                    next.add(prefix + literal.text());
                }
            } else {
                List<String> values = ((Placeholder) part).path().values(document);
                for (String prefix : results) {
                    for (String value : values) {
                        next.add(prefix + escape.apply(value));
                    }
                }
            }
            results = next;
            if (results.isEmpty()) {
                return List.of();
            }
        }
        return results;
    }

    /** Whether it has a placeholder at all: one without always makes the same text. */
    public boolean hasPlaceholder() {
        return parts.stream().anyMatch(part -> part instanceof Placeholder);
    }

    /** The source paths its placeholders read, as written ({@code name.given}). */
    public List<String> paths() {
        return parts.stream().filter(part -> part instanceof Placeholder).map(part -> ((Placeholder) part).path().toString()).toList();
    }

    /** The pattern with every placeholder replaced by {@code filler}: to check the shape of what it makes. */
    public String sample(String filler) {
        StringBuilder out = new StringBuilder();
        for (Part part : parts) {
            out.append(part instanceof Literal literal ? literal.text() : filler);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}

package io.idsync.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The SCIM-style {@code filter} language of the PingOne Platform API, as far as the sandbox serves it:
 * {@code eq}, {@code sw}, {@code ew}, {@code gt/ge/lt/le} (times), {@code and}/{@code or} (any case),
 * parentheses and {@code memberOfGroups[id eq "..."]}. What a resource does not support is refused the way
 * PingOne refuses it: {@link InvalidFilter} becomes 400 {@code INVALID_DATA} with detail {@code INVALID_FILTER}.
 */
final class SandboxFilter {

    /** Which attributes and operators a collection accepts. */
    record Grammar(Map<String, Set<String>> operatorsByAttribute, boolean memberOfGroups, boolean caseInsensitiveNames) {
        Set<String> operators(String attribute) {
            if (caseInsensitiveNames) {
                for (Map.Entry<String, Set<String>> e : operatorsByAttribute.entrySet()) {
                    if (e.getKey().equalsIgnoreCase(attribute)) {
                        return e.getValue();
                    }
                }
                return null;
            }
            return operatorsByAttribute.get(attribute);
        }

        String canonical(String attribute) {
            for (String name : operatorsByAttribute.keySet()) {
                if (name.equalsIgnoreCase(attribute)) {
                    return name;
                }
            }
            return attribute;
        }
    }

    static final class InvalidFilter extends RuntimeException {
        InvalidFilter(String message) {
            super(message);
        }
    }

    /** A parsed filter: a predicate plus the comparisons it holds (the activities feed checks its window). */
    record Parsed(Predicate<JsonNode> predicate, List<Comparison> comparisons) {
    }

    record Comparison(String attribute, String operator, String value) {
    }

    private final String text;
    private final Grammar grammar;
    private final List<Comparison> comparisons = new ArrayList<>();
    private int pos;

    private SandboxFilter(String text, Grammar grammar) {
        this.text = text;
        this.grammar = grammar;
    }

    static Parsed parse(String text, Grammar grammar) {
        SandboxFilter parser = new SandboxFilter(text, grammar);
        Predicate<JsonNode> predicate = parser.or();
        parser.skipSpaces();
        if (parser.pos != text.length()) {
            throw new InvalidFilter("Unexpected text at position " + (parser.pos + 1) + " of the filter");
        }
        return new Parsed(predicate, List.copyOf(parser.comparisons));
    }

    private Predicate<JsonNode> or() {
        Predicate<JsonNode> left = and();
        while (keyword("or")) {
            left = left.or(and());
        }
        return left;
    }

    private Predicate<JsonNode> and() {
        Predicate<JsonNode> left = atom();
        while (keyword("and")) {
            left = left.and(atom());
        }
        return left;
    }

    private Predicate<JsonNode> atom() {
        skipSpaces();
        if (peek() == '(') {
            pos++;
            Predicate<JsonNode> inner = or();
            expect(')');
            return inner;
        }
        String attribute = word();
        if (attribute.isEmpty()) {
            throw new InvalidFilter("Expected an attribute name at position " + (pos + 1));
        }
        skipSpaces();
        if (peek() == '[') {
            if (!grammar.memberOfGroups() || !attribute.equals("memberOfGroups")) {
                throw new InvalidFilter("Filtering on '" + attribute + "[...]' is not supported");
            }
            pos++;
            String inner = word();
            String op = word().toLowerCase(Locale.ROOT);
            String value = value();
            expect(']');
            if (!inner.equals("id") || !op.equals("eq")) {
                throw new InvalidFilter("Only memberOfGroups[id eq \"...\"] is supported");
            }
            comparisons.add(new Comparison("memberOfGroups.id", "eq", value));
            return node -> {
                JsonNode groups = node.get("memberOfGroupIDs");
                if (groups == null) {
                    return false;
                }
                for (JsonNode g : groups) {
                    if (g.asText().equals(value)) {
                        return true;
                    }
                }
                return false;
            };
        }
        String op = word().toLowerCase(Locale.ROOT);
        Set<String> allowed = grammar.operators(attribute);
        if (allowed == null) {
            throw new InvalidFilter("Filtering on attribute '" + attribute + "' is not supported");
        }
        if (!allowed.contains(op)) {
            throw new InvalidFilter("Operator '" + op + "' is not supported for attribute '" + attribute + "'");
        }
        String value = value();
        String canonical = grammar.canonical(attribute);
        comparisons.add(new Comparison(canonical, op, value));
        return node -> test(node, canonical, op, value);
    }

    private static boolean test(JsonNode node, String attribute, String op, String expected) {
        JsonNode current = node;
        for (String part : attribute.split("\\.")) {
            current = current == null ? null : current.get(part);
        }
        if (current != null && current.isArray()) {
            for (JsonNode element : current) {
                if (compare(element, op, expected)) {
                    return true;
                }
            }
            return false;
        }
        return compare(current, op, expected);
    }

    private static boolean compare(JsonNode actualNode, String op, String expected) {
        if (actualNode == null || actualNode.isNull()) {
            return false;
        }
        String actual = actualNode.asText();
        return switch (op) {
            case "eq" -> actual.equalsIgnoreCase(expected);
            case "sw" -> actual.toLowerCase(Locale.ROOT).startsWith(expected.toLowerCase(Locale.ROOT));
            case "ew" -> actual.toLowerCase(Locale.ROOT).endsWith(expected.toLowerCase(Locale.ROOT));
            case "co" -> actual.toLowerCase(Locale.ROOT).contains(expected.toLowerCase(Locale.ROOT));
            case "gt" -> instant(actual).isAfter(instant(expected));
            case "ge" -> !instant(actual).isBefore(instant(expected));
            case "lt" -> instant(actual).isBefore(instant(expected));
            case "le" -> !instant(actual).isAfter(instant(expected));
            default -> false;
        };
    }

    static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (RuntimeException e) {
            throw new InvalidFilter("'" + text + "' is not a timestamp such as 2024-01-01T00:00:00.000Z");
        }
    }

    private boolean keyword(String keyword) {
        skipSpaces();
        int end = pos + keyword.length();
        if (end <= text.length() && text.substring(pos, end).equalsIgnoreCase(keyword)
                && (end == text.length() || Character.isWhitespace(text.charAt(end)) || text.charAt(end) == '(')) {
            pos = end;
            return true;
        }
        return false;
    }

    private String word() {
        skipSpaces();
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-') {
                pos++;
            } else {
                break;
            }
        }
        return text.substring(start, pos);
    }

    private String value() {
        skipSpaces();
        if (peek() != '"') {
            String bare = word();
            if (bare.equals("true") || bare.equals("false") || bare.matches("-?\\d+")) {
                return bare;
            }
            throw new InvalidFilter("Expected a double-quoted value at position " + (pos + 1));
        }
        pos++;
        StringBuilder value = new StringBuilder();
        while (pos < text.length() && text.charAt(pos) != '"') {
            char c = text.charAt(pos++);
            if (c == '\\' && pos < text.length()) {
                c = text.charAt(pos++);
            }
            value.append(c);
        }
        expect('"');
        return value.toString();
    }

    private void expect(char c) {
        skipSpaces();
        if (peek() != c) {
            throw new InvalidFilter("Expected '" + c + "' at position " + (pos + 1) + " of the filter");
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }
}

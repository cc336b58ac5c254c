package io.idsync.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * RFC 7644 §3.4.2.2 filters over a SCIM resource, as the sandbox's SCIM API evaluates them: attribute paths (with a
 * schema URN prefix, sub-attributes, value filters {@code emails[type eq "work"]}), {@code eq ne co sw ew gt ge lt le
 * pr}, {@code and or not} and parentheses; strings compare regardless of case (PingOne's attributes are not
 * case-exact). Anything else is a 400 {@code invalidFilter} naming where it went wrong.
 */
final class ScimFilter {

    private static final Set<String> OPERATORS = Set.of("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le");

    private final List<String> tokens;
    private final String text;
    private int at;

    private ScimFilter(String text) {
        this.text = text;
        this.tokens = tokenize(text);
    }

    static Predicate<JsonNode> parse(String text) {
        ScimFilter parser = new ScimFilter(text);
        Predicate<JsonNode> filter = parser.or();
        if (parser.at < parser.tokens.size()) {
            throw parser.invalid("unexpected '" + parser.tokens.get(parser.at) + "'");
        }
        return filter;
    }

    private Predicate<JsonNode> or() {
        Predicate<JsonNode> left = and();
        while (peekWord("or")) {
            at++;
            Predicate<JsonNode> right = and();
            Predicate<JsonNode> l = left;
            left = node -> l.test(node) || right.test(node);
        }
        return left;
    }

    private Predicate<JsonNode> and() {
        Predicate<JsonNode> left = not();
        while (peekWord("and")) {
            at++;
            Predicate<JsonNode> right = not();
            Predicate<JsonNode> l = left;
            left = node -> l.test(node) && right.test(node);
        }
        return left;
    }

    private Predicate<JsonNode> not() {
        if (peekWord("not")) {
            at++;
            expect("(");
            Predicate<JsonNode> inner = or();
            expect(")");
            return inner.negate();
        }
        return atom();
    }

    private Predicate<JsonNode> atom() {
        if (peek("(")) {
            at++;
            Predicate<JsonNode> inner = or();
            expect(")");
            return inner;
        }
        String path = next("an attribute");
        if (peek("[")) {
            at++;
            Predicate<JsonNode> element = or();
            expect("]");
            String sub = null;
            if (at < tokens.size() && tokens.get(at).startsWith(".")) {
                sub = tokens.get(at++).substring(1);
            }
            Predicate<JsonNode> any = node -> elements(node, path).stream().anyMatch(element);
            if (sub == null) {
                return any;
            }
            // emails[type eq "work"].value co "x" is not in RFC 7644's grammar; a path after the brackets is refused
            throw invalid("a path after a value filter ('." + sub + "') is not a filter");
        }
        String operator = next("an operator").toLowerCase(java.util.Locale.ROOT);
        if (operator.equals("pr")) {
            return node -> values(node, path).stream().anyMatch(v -> !v.isNull() && !(v.isTextual() && v.asText().isEmpty()));
        }
        if (!OPERATORS.contains(operator)) {
            throw invalid("'" + operator + "' is not an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)");
        }
        JsonNode wanted = literal(next("a value"));
        if (operator.equals("ne")) {
            return node -> values(node, path).stream().noneMatch(v -> compare(v, "eq", wanted));
        }
        return node -> values(node, path).stream().anyMatch(v -> compare(v, operator, wanted));
    }

    private static boolean compare(JsonNode value, String operator, JsonNode wanted) {
        if (wanted.isNull()) {
            return operator.equals("eq") && value.isNull();
        }
        if (wanted.isBoolean()) {
            return operator.equals("eq") && value.isBoolean() && value.asBoolean() == wanted.asBoolean();
        }
        if (value.isNull() || value.isContainerNode()) {
            return false;
        }
        String have = SandboxScim.lower(value.asText());
        String want = SandboxScim.lower(wanted.asText());
        return switch (operator) {
            case "eq" -> have.equals(want);
            case "co" -> have.contains(want);
            case "sw" -> have.startsWith(want);
            case "ew" -> have.endsWith(want);
            case "gt" -> have.compareTo(want) > 0;
            case "ge" -> have.compareTo(want) >= 0;
            case "lt" -> have.compareTo(want) < 0;
            case "le" -> have.compareTo(want) <= 0;
            default -> false;
        };
    }

    /** The values at a path: each element of a multi-valued attribute, its {@code value} where it is complex. */
    private static List<JsonNode> values(JsonNode resource, String path) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode node : resolve(resource, path)) {
            if (node.isArray()) {
                node.forEach(element -> found.add(element.isObject() && element.has("value") ? element.get("value") : element));
            } else {
                found.add(node);
            }
        }
        return found;
    }

    private static List<JsonNode> elements(JsonNode resource, String path) {
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode node : resolve(resource, path)) {
            if (node.isArray()) {
                node.forEach(found::add);
            } else if (node.isObject()) {
                found.add(node);
            }
        }
        return found;
    }

    /** {@code urn:...:User:name.givenName}, {@code name.givenName}, {@code urn:...:PingOneUser:population.id}. */
    static List<JsonNode> resolve(JsonNode resource, String path) {
        JsonNode current = resource;
        String rest = path;
        int colon = path.lastIndexOf(':');
        if (colon > 0) {
            String urn = path.substring(0, colon);
            rest = path.substring(colon + 1);
            if (!urn.equalsIgnoreCase(SandboxScim.USER)) {
                current = field(resource, urn);
            }
        }
        for (String part : rest.split("\\.")) {
            if (current == null) {
                return List.of();
            }
            if (current.isArray()) {
                List<JsonNode> collected = new ArrayList<>();
                for (JsonNode element : current) {
                    JsonNode value = field(element, part);
                    if (value != null) {
                        collected.add(value);
                    }
                }
                return collected;
            }
            current = field(current, part);
        }
        return current == null ? List.of() : List.of(current);
    }

    /** A field by name regardless of case, as SCIM attribute names are. */
    static JsonNode field(JsonNode node, String name) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode exact = node.get(name);
        if (exact != null) {
            return exact;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equalsIgnoreCase(name)) {
                return field.getValue();
            }
        }
        return null;
    }

    private JsonNode literal(String token) {
        if (token.startsWith("\"")) {
            return SandboxEnvironment.JSON.getNodeFactory().textNode(unquote(token));
        }
        switch (token.toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> {
                return SandboxEnvironment.JSON.getNodeFactory().booleanNode(true);
            }
            case "false" -> {
                return SandboxEnvironment.JSON.getNodeFactory().booleanNode(false);
            }
            case "null" -> {
                return SandboxEnvironment.JSON.getNodeFactory().nullNode();
            }
            default -> {
                if (token.matches("-?\\d+(\\.\\d+)?")) {
                    return SandboxEnvironment.JSON.getNodeFactory().textNode(token);
                }
                throw invalid("'" + token + "' is not a value (a quoted string, true, false, null or a number)");
            }
        }
    }

    private static String unquote(String token) {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < token.length() - 1; i++) {
            char c = token.charAt(i);
            if (c == '\\' && i + 1 < token.length() - 1) {
                out.append(token.charAt(++i));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private List<String> tokenize(String text) {
        List<String> found = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')' || c == '[' || c == ']') {
                found.add(String.valueOf(c));
                i++;
            } else if (c == '"') {
                int end = i + 1;
                while (end < text.length() && text.charAt(end) != '"') {
                    end += text.charAt(end) == '\\' ? 2 : 1;
                }
                if (end >= text.length()) {
                    throw new SandboxScim.ScimError(400, "invalidFilter", "filter '" + text + "': the string at position " + (i + 1) + " is never closed");
                }
                found.add(text.substring(i, end + 1));
                i = end + 1;
            } else {
                int end = i;
                while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && "()[]\"".indexOf(text.charAt(end)) < 0) {
                    end++;
                }
                found.add(text.substring(i, end));
                i = end;
            }
        }
        return found;
    }

    private boolean peek(String token) {
        return at < tokens.size() && tokens.get(at).equals(token);
    }

    private boolean peekWord(String word) {
        return at < tokens.size() && tokens.get(at).equalsIgnoreCase(word);
    }

    private void expect(String token) {
        if (!peek(token)) {
            throw invalid("expected '" + token + "'" + (at < tokens.size() ? " but found '" + tokens.get(at) + "'" : " at the end"));
        }
        at++;
    }

    private String next(String what) {
        if (at >= tokens.size()) {
            throw invalid("expected " + what + " at the end");
        }
        return tokens.get(at++);
    }

    private SandboxScim.ScimError invalid(String problem) {
        return new SandboxScim.ScimError(400, "invalidFilter", "filter '" + text + "': " + problem);
    }
}

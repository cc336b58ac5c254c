package io.idsync.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What PingOne refuses in a user it is asked to create or update: the required attributes, and the lengths and
 * character classes Ping documents for each attribute (the user data model of the Platform API). Every problem is
 * one {@code details[]} entry of a 400 {@code INVALID_DATA}, with PingOne's detail code and an {@code innerError}
 * saying what would have been accepted, so a client sees all of them at once.
 */
final class SandboxUserRules {

    /** Letters, marks, spaces, symbols, numbers and punctuation: most of PingOne's text attributes. */
    private static final String TEXT = "^[\\p{L}\\p{M}\\p{Zs}\\p{S}\\p{N}\\p{P}]*$";
    /** Family and formatted names: letters, marks, numbers, apostrophe, space, dot, hyphen. */
    private static final String NAME = "^[\\p{L}\\p{M}\\p{N}' .-]*$";
    private static final String STREET = "^[\\p{L}\\p{M}\\p{N}\\p{Zs}\\p{P}\\n\\r]*$";
    /** An addr-spec of RFC 2822 section 3.4, as far as a mailbox needs: local part, @, a dotted domain. */
    private static final Pattern EMAIL = Pattern.compile("^[^@\\s\"(),:;<>\\[\\\\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$");

    private record Rule(String path, Pattern pattern, int min, int max) {
        Rule(String path, String regex, int min, int max) {
            this(path, regex == null ? null : Pattern.compile(regex), min, max);
        }
    }

    private static final List<Rule> RULES = List.of(
            new Rule("username", TEXT, 1, 128),
            new Rule("name.given", TEXT, 1, 256),
            new Rule("name.middle", TEXT, 1, 256),
            new Rule("name.family", NAME, 1, 256),
            new Rule("name.formatted", NAME, 1, 256),
            new Rule("nickname", TEXT, 1, 256),
            new Rule("title", TEXT, 1, 256),
            new Rule("type", TEXT, 1, 256),
            new Rule("locale", TEXT, 1, 256),
            new Rule("timezone", "^\\w+/\\w+$", 1, Integer.MAX_VALUE),
            new Rule("primaryPhone", (String) null, 1, 32),
            new Rule("mobilePhone", (String) null, 0, 32),
            new Rule("externalId", (String) null, 1, 1024),
            new Rule("address.countryCode", "^[A-Z]{2}$", 2, 2),
            new Rule("address.locality", TEXT, 1, 256),
            new Rule("address.region", TEXT, 1, 256),
            new Rule("address.postalCode", TEXT, 1, 40),
            new Rule("address.streetAddress", STREET, 1, 256));

    private SandboxUserRules() {
    }

    /**
     * Checks a user body.
     *
     * @param complete      true for a create or a PUT (the body is the whole user), false for a PATCH
     * @param emailRequired whether this environment requires an email address (PingOne's User schema does)
     * @throws SandboxError 400 INVALID_DATA listing every problem
     */
    static void check(JsonNode body, boolean complete, boolean emailRequired) {
        List<SandboxError.Detail> details = new ArrayList<>();
        if (complete || body.has("username")) {
            required(body, "username", details);
        }
        if (emailRequired && (complete || body.has("email"))) {
            required(body, "email", details);
        }
        JsonNode email = body.get("email");
        if (email != null && email.isTextual() && !email.asText().isEmpty() && !EMAIL.matcher(email.asText()).matches()) {
            details.add(new SandboxError.Detail("INVALID_VALUE", "email", "email must be a valid email address (RFC 2822 section 3.4).", null));
        }
        for (Rule rule : RULES) {
            JsonNode value = at(body, rule.path());
            if (value == null || value.isNull()) {
                continue; // absent, or null to unset it
            }
            if (!value.isTextual()) {
                details.add(new SandboxError.Detail("INVALID_VALUE", rule.path(), rule.path() + " must be a string.", null));
                continue;
            }
            String text = value.asText();
            if (text.isEmpty() && rule.min() > 0) {
                details.add(new SandboxError.Detail("EMPTY_VALUE", rule.path(), rule.path() + " must not be empty.", null));
            } else if (text.codePointCount(0, text.length()) > rule.max() || text.codePointCount(0, text.length()) < rule.min()) {
                ObjectNode inner = SandboxEnvironment.JSON.createObjectNode();
                inner.put("rangeMinimumValue", rule.min());
                inner.put("rangeMaximumValue", rule.max());
                details.add(new SandboxError.Detail("SIZE_LIMIT_EXCEEDED", rule.path(),
                        rule.path() + " must be between " + rule.min() + " and " + rule.max() + " characters long.", inner));
            } else if (rule.pattern() != null && !rule.pattern().matcher(text).matches()) {
                ObjectNode inner = SandboxEnvironment.JSON.createObjectNode();
                inner.put("allowedPattern", rule.pattern().pattern());
                details.add(new SandboxError.Detail("INVALID_VALUE", rule.path(), rule.path() + " contains characters that are not allowed.", inner));
            }
        }
        if (!details.isEmpty()) {
            throw SandboxError.invalidData(details);
        }
    }

    private static void required(JsonNode body, String attribute, List<SandboxError.Detail> details) {
        JsonNode value = body.get(attribute);
        if (value == null || value.isNull() || (value.isTextual() && value.asText().isBlank())) {
            details.add(new SandboxError.Detail("REQUIRED_VALUE", attribute, "A value is required for " + attribute + ".", null));
        }
    }

    private static JsonNode at(JsonNode body, String path) {
        JsonNode node = body;
        for (String part : path.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node;
    }
}

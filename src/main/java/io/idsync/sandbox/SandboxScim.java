package io.idsync.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * PingOne's SCIM API for one environment ({@code /environments/{envId}/v2}), as seed 004's destination uses it:
 * {@code /Users} with the core User schema and {@code urn:pingidentity:schemas:extension:2.0:PingOneUser}
 * (the population), filters, PatchOp add/replace/remove applied in order and atomically, {@code /ServiceProviderConfig}
 * (patch yes, filter yes with at most 200 results, bulk, sort, etag and password change no), {@code /Schemas},
 * {@code /ResourceTypes}, and RFC 7644 error bodies. The users are the environment's own: what SCIM creates the
 * Management API lists, with activities by the calling client. There is no {@code /Groups}, as in PingOne.
 */
final class SandboxScim {

    static final String USER = "urn:ietf:params:scim:schemas:core:2.0:User";
    static final String PINGONE_USER = "urn:pingidentity:schemas:extension:2.0:PingOneUser";
    private static final String LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    private static final String PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    private static final String SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
    static final String ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
    static final int MAX_RESULTS = 200;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A SCIM answer: status and body (null: none). */
    record Reply(int status, JsonNode body) {
    }

    /** An RFC 7644 error: {@code status}, {@code scimType}, {@code detail}. */
    static final class ScimError extends RuntimeException {
        final int status;
        final String scimType;

        ScimError(int status, String scimType, String detail) {
            super(detail, null, false, false);
            this.status = status;
            this.scimType = scimType;
        }

        ObjectNode body() {
            ObjectNode body = NODES.objectNode();
            body.putArray("schemas").add(ERROR);
            body.put("status", Integer.toString(status));
            if (scimType != null) {
                body.put("scimType", scimType);
            }
            body.put("detail", getMessage());
            return body;
        }
    }

    private final SandboxEnvironment env;
    private final String base;

    /** a provider that takes only eq (and and): any other operator is 400 invalidFilter, as several SaaS SCIM APIs answer */
    private final java.util.function.BooleanSupplier equalityOnly;
    private static final java.util.regex.Pattern OTHER_OPERATORS = java.util.regex.Pattern.compile("(?i)(?<![\\w.\\[])(ne|co|sw|ew|gt|ge|lt|le|pr|or|not)(?![\\w.])");

    SandboxScim(SandboxEnvironment env, String baseUrl, java.util.function.BooleanSupplier equalityOnly) {
        this.equalityOnly = equalityOnly;
        this.env = env;
        this.base = baseUrl + "/environments/" + env.id() + "/v2";
    }

    /** Answers {@code method} on {@code path} (the segments after {@code v2}). */
    Reply handle(SandboxEnvironment.Actor actor, String method, List<String> path, Map<String, String> query, JsonNode body) {
        try {
            return route(actor, method, path, query, body);
        } catch (SandboxError e) {
            // the Management API's refusal, in SCIM's words
            boolean unique = "UNIQUENESS_VIOLATION".equals(e.detailCode);
            throw new ScimError(unique ? 409 : e.status, unique ? "uniqueness" : e.status == 400 ? "invalidValue" : null,
                    e.getMessage() + (e.target == null ? "" : " (" + e.target + ")"));
        }
    }

    private Reply route(SandboxEnvironment.Actor actor, String method, List<String> path, Map<String, String> query, JsonNode body) {
        String resource = path.isEmpty() ? "" : path.get(0);
        switch (resource) {
            case "ServiceProviderConfig" -> {
                return new Reply(200, serviceProviderConfig());
            }
            case "ResourceTypes" -> {
                return new Reply(200, list(List.of(userResourceType()), 1));
            }
            case "Schemas" -> {
                return new Reply(200, list(List.of(userSchema(), extensionSchema()), 1));
            }
            case "Users" -> {
                return users(actor, method, path.subList(1, path.size()), query, body);
            }
            default -> throw new ScimError(404, null, "Resource " + resource + " not found");
        }
    }

    private Reply users(SandboxEnvironment.Actor actor, String method, List<String> rest, Map<String, String> query, JsonNode body) {
        if (rest.isEmpty()) {
            return switch (method) {
                case "GET" -> new Reply(200, search(query.get("filter"), query.get("startIndex"), query.get("count")));
                case "POST" -> new Reply(201, toScim(create(actor, object(body))));
                default -> throw new ScimError(405, null, method + " is not allowed on /Users");
            };
        }
        if (rest.get(0).equals(".search") && method.equals("POST")) {
            ObjectNode request = object(body);
            return new Reply(200, search(text(request.get("filter")), text(request.get("startIndex")), text(request.get("count"))));
        }
        String id = rest.get(0);
        ObjectNode user = userOrNotFound(id);
        return switch (method) {
            case "GET" -> new Reply(200, toScim(user));
            case "PUT" -> new Reply(200, toScim(replace(actor, id, object(body))));
            case "PATCH" -> new Reply(200, toScim(patch(actor, id, user, object(body))));
            case "DELETE" -> {
                env.deleteUser(actor, id);
                yield new Reply(204, null);
            }
            default -> throw new ScimError(405, null, method + " is not allowed on /Users/" + id);
        };
    }

    // --- reads ---------------------------------------------------------------------------------------

    private ObjectNode search(String filter, String startIndex, String count) {
        if (filter != null && equalityOnly.getAsBoolean()) {
            String outsideValues = filter.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
            java.util.regex.Matcher other = OTHER_OPERATORS.matcher(outsideValues);
            if (other.find()) {
                throw new ScimError(400, "invalidFilter", "'" + other.group(1) + "' is not supported: filters take eq, and and only");
            }
        }
        Predicate<JsonNode> matches = filter == null || filter.isBlank() ? user -> true : ScimFilter.parse(filter);
        int start = Math.max(1, number(startIndex, 1));
        int wanted = Math.min(MAX_RESULTS, Math.max(0, number(count, MAX_RESULTS)));
        List<JsonNode> page = new ArrayList<>();
        int total = 0;
        Iterator<Map.Entry<Long, ObjectNode>> users = env.usersAfter(0);
        while (users.hasNext()) {
            ObjectNode scim = toScim(users.next().getValue());
            if (matches.test(scim)) {
                total++;
                if (total >= start && page.size() < wanted) {
                    page.add(scim);
                }
            }
        }
        ObjectNode list = list(page, start);
        list.put("totalResults", total);
        return list;
    }

    private ObjectNode userOrNotFound(String id) {
        try {
            return env.user(id);
        } catch (SandboxError e) {
            throw new ScimError(404, null, "User " + id + " not found");
        }
    }

    // --- writes --------------------------------------------------------------------------------------

    private ObjectNode create(SandboxEnvironment.Actor actor, ObjectNode scim) {
        requireUserSchema(scim);
        ObjectNode user = env.createUser(actor, toPingOne(scim), populationId(scim));
        return active(actor, user, scim);
    }

    private ObjectNode replace(SandboxEnvironment.Actor actor, String id, ObjectNode scim) {
        requireUserSchema(scim);
        if (scim.hasNonNull("id") && !scim.get("id").asText().equals(id)) {
            throw new ScimError(400, "mutability", "id is immutable: " + scim.get("id").asText() + " is not " + id);
        }
        ObjectNode body = toPingOne(scim);
        ObjectNode current = env.user(id);
        for (String unmapped : List.of("type", "photo", "accountId")) {
            if (current.has(unmapped)) {
                body.set(unmapped, current.get(unmapped).deepCopy()); // not in SCIM's model: kept as PingOne has it
            }
        }
        ObjectNode user = env.replaceUser(actor, id, body, false);
        String population = populationId(scim);
        if (population != null && !population.equals(user.path("population").path("id").asText())) {
            user = env.setPopulation(actor, id, population);
        }
        return active(actor, user, scim);
    }

    /** Applies the operations in order on a copy: one that fails leaves the user as it was. */
    private ObjectNode patch(SandboxEnvironment.Actor actor, String id, ObjectNode user, ObjectNode request) {
        if (!request.path("schemas").toString().contains(PATCH)) {
            throw new ScimError(400, "invalidSyntax", "a PATCH body is a " + PATCH + " with Operations");
        }
        JsonNode operations = request.get("Operations");
        if (operations == null || !operations.isArray() || operations.isEmpty()) {
            throw new ScimError(400, "invalidSyntax", "Operations is missing or empty");
        }
        ObjectNode patched = toScim(user);
        for (JsonNode operation : operations) {
            ScimPatch.apply(patched, operation);
        }
        return replace(actor, id, patched);
    }

    private ObjectNode active(SandboxEnvironment.Actor actor, ObjectNode user, ObjectNode scim) {
        if (scim.has("active") && scim.get("active").isBoolean() && scim.get("active").asBoolean() != user.path("enabled").asBoolean(true)) {
            return env.setEnabled(actor, user.get("id").asText(), scim.get("active").asBoolean());
        }
        return user;
    }

    private static void requireUserSchema(ObjectNode scim) {
        if (!scim.path("schemas").toString().contains(USER)) {
            throw new ScimError(400, "invalidSyntax", "schemas must include " + USER);
        }
        if (!scim.hasNonNull("userName") || scim.get("userName").asText().isBlank()) {
            throw new ScimError(400, "invalidValue", "userName is required");
        }
    }

    // --- the two models ------------------------------------------------------------------------------

    /** A PingOne user as SCIM shows it. */
    ObjectNode toScim(ObjectNode user) {
        ObjectNode scim = NODES.objectNode();
        scim.putArray("schemas").add(USER).add(PINGONE_USER);
        scim.put("id", user.get("id").asText());
        copyAll(user, scim, SINGLE, true);
        JsonNode name = user.path("name");
        if (name.isObject()) {
            copyAll(name, scim.putObject("name"), NAME, true);
        }
        if (user.hasNonNull("email")) {
            scim.putArray("emails").addObject().put("value", user.get("email").asText()).put("type", "work").put("primary", true);
        }
        ArrayNode phones = NODES.arrayNode();
        if (user.hasNonNull("primaryPhone")) {
            phones.addObject().put("value", user.get("primaryPhone").asText()).put("type", "work").put("primary", true);
        }
        if (user.hasNonNull("mobilePhone")) {
            phones.addObject().put("value", user.get("mobilePhone").asText()).put("type", "mobile");
        }
        if (!phones.isEmpty()) {
            scim.set("phoneNumbers", phones);
        }
        JsonNode address = user.path("address");
        if (address.isObject() && !address.isEmpty()) {
            ObjectNode scimAddress = scim.putArray("addresses").addObject();
            copyAll(address, scimAddress, ADDRESS, true);
            scimAddress.put("type", "work").put("primary", true);
        }
        scim.put("active", user.path("enabled").asBoolean(true));
        scim.putObject(PINGONE_USER).putObject("population").put("id", user.path("population").path("id").asText());
        ObjectNode meta = scim.putObject("meta");
        meta.put("resourceType", "User");
        copy(user, "createdAt", meta, "created");
        copy(user, "updatedAt", meta, "lastModified");
        meta.put("location", base + "/Users/" + user.get("id").asText());
        return scim;
    }

    /** A SCIM user as the Management API's body (what SCIM does not carry, PingOne does not change). */
    private static ObjectNode toPingOne(ObjectNode scim) {
        ObjectNode user = NODES.objectNode();
        copyAll(scim, user, SINGLE, false);
        JsonNode name = scim.path("name");
        if (name.isObject()) {
            copyAll(name, user.putObject("name"), NAME, false);
        }
        JsonNode email = pick(scim.path("emails"), "work");
        if (email != null) {
            copy(email, "value", user, "email");
        }
        JsonNode work = pick(scim.path("phoneNumbers"), "work");
        if (work != null) {
            copy(work, "value", user, "primaryPhone");
        }
        JsonNode mobile = typed(scim.path("phoneNumbers"), "mobile");
        if (mobile != null) {
            copy(mobile, "value", user, "mobilePhone");
        }
        JsonNode address = pick(scim.path("addresses"), "work");
        if (address != null) {
            copyAll(address, user.putObject("address"), ADDRESS, false);
        }
        return user;
    }

    private static String populationId(ObjectNode scim) {
        return text(scim.path(PINGONE_USER).path("population").get("id"));
    }

    /** The value of a multi-valued attribute PingOne keeps one of: the primary, else the one of that type, else the first. */
    private static JsonNode pick(JsonNode values, String type) {
        if (!values.isArray() || values.isEmpty()) {
            return null;
        }
        for (JsonNode value : values) {
            if (value.path("primary").asBoolean(false)) {
                return value;
            }
        }
        JsonNode typed = typed(values, type);
        return typed != null ? typed : values.get(0);
    }

    private static JsonNode typed(JsonNode values, String type) {
        if (values.isArray()) {
            for (JsonNode value : values) {
                if (type.equalsIgnoreCase(value.path("type").asText())) {
                    return value;
                }
            }
        }
        return null;
    }

    /** PingOne's attribute names and SCIM's, side by side: one table for both directions. */
    private static final String[][] SINGLE = {{"username", "userName"}, {"externalId", "externalId"}, {"nickname", "nickName"},
            {"title", "title"}, {"locale", "locale"}, {"preferredLanguage", "preferredLanguage"}, {"timezone", "timezone"}};
    private static final String[][] NAME = {{"given", "givenName"}, {"family", "familyName"}, {"middle", "middleName"},
            {"formatted", "formatted"}, {"honorificPrefix", "honorificPrefix"}, {"honorificSuffix", "honorificSuffix"}};
    private static final String[][] ADDRESS = {{"streetAddress", "streetAddress"}, {"locality", "locality"}, {"region", "region"},
            {"postalCode", "postalCode"}, {"countryCode", "country"}};

    private static void copyAll(JsonNode from, ObjectNode to, String[][] names, boolean toScim) {
        for (String[] pair : names) {
            copy(from, pair[toScim ? 0 : 1], to, pair[toScim ? 1 : 0]);
        }
    }

    private static void copy(JsonNode from, String field, ObjectNode to, String as) {
        JsonNode value = from.get(field);
        if (value != null && !value.isNull() && !value.isMissingNode()) {
            to.set(as, value.deepCopy());
        }
    }

    // --- discovery -----------------------------------------------------------------------------------

    private ObjectNode serviceProviderConfig() {
        ObjectNode config = NODES.objectNode();
        config.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig");
        config.putObject("patch").put("supported", true);
        config.putObject("bulk").put("supported", false).put("maxOperations", 0).put("maxPayloadSize", 0);
        config.putObject("filter").put("supported", true).put("maxResults", MAX_RESULTS);
        config.putObject("changePassword").put("supported", false);
        config.putObject("sort").put("supported", false);
        config.putObject("etag").put("supported", false);
        config.putArray("authenticationSchemes").addObject().put("type", "oauthbearertoken").put("name", "OAuth Bearer Token")
                .put("description", "A PingOne access token of a worker application of the environment");
        config.putObject("meta").put("resourceType", "ServiceProviderConfig").put("location", base + "/ServiceProviderConfig");
        return config;
    }

    private ObjectNode userResourceType() {
        ObjectNode type = NODES.objectNode();
        type.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:ResourceType");
        type.put("id", "User").put("name", "User").put("endpoint", "/Users").put("schema", USER);
        type.putArray("schemaExtensions").addObject().put("schema", PINGONE_USER).put("required", true);
        type.putObject("meta").put("resourceType", "ResourceType").put("location", base + "/ResourceTypes/User");
        return type;
    }

    private ObjectNode userSchema() {
        ObjectNode schema = schema(USER, "User", "User Account");
        ArrayNode attributes = schema.putArray("attributes");
        attribute(attributes, "userName", "string", true, "server");
        ObjectNode name = attribute(attributes, "name", "complex", false, "none");
        ArrayNode subs = name.putArray("subAttributes");
        for (String sub : List.of("formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix")) {
            attribute(subs, sub, "string", false, "none");
        }
        for (String single : List.of("nickName", "title", "locale", "preferredLanguage", "timezone", "externalId")) {
            attribute(attributes, single, "string", false, "none");
        }
        attribute(attributes, "active", "boolean", false, "none");
        for (String multi : List.of("emails", "phoneNumbers", "addresses")) {
            attribute(attributes, multi, "complex", false, "none").put("multiValued", true);
        }
        return schema;
    }

    private ObjectNode extensionSchema() {
        ObjectNode schema = schema(PINGONE_USER, "PingOneUser", "PingOne's extension: the user's population");
        ObjectNode population = attribute(schema.putArray("attributes"), "population", "complex", true, "none");
        attribute(population.putArray("subAttributes"), "id", "string", true, "none");
        return schema;
    }

    private ObjectNode schema(String id, String name, String description) {
        ObjectNode schema = NODES.objectNode();
        schema.putArray("schemas").add("urn:ietf:params:scim:schemas:core:2.0:Schema");
        schema.put("id", id).put("name", name).put("description", description);
        schema.putObject("meta").put("resourceType", "Schema").put("location", base + "/Schemas/" + id);
        return schema;
    }

    private static ObjectNode attribute(ArrayNode into, String name, String type, boolean required, String uniqueness) {
        return into.addObject().put("name", name).put("type", type).put("multiValued", false).put("required", required)
                .put("caseExact", false).put("mutability", "readWrite").put("returned", "default").put("uniqueness", uniqueness);
    }

    // --- plumbing ------------------------------------------------------------------------------------

    private static ObjectNode list(List<? extends JsonNode> resources, int startIndex) {
        ObjectNode list = NODES.objectNode();
        list.putArray("schemas").add(LIST);
        list.put("totalResults", resources.size());
        list.put("startIndex", startIndex);
        list.put("itemsPerPage", resources.size());
        ArrayNode items = list.putArray("Resources");
        resources.forEach(items::add);
        return list;
    }

    private static ObjectNode object(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ScimError(400, "invalidSyntax", "the body is not a JSON object");
        }
        return (ObjectNode) body;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : node.asText();
    }

    private static int number(String text, int otherwise) {
        if (text == null || text.isBlank()) {
            return otherwise;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new ScimError(400, "invalidValue", "'" + text + "' is not a number");
        }
    }

    static String lower(String text) {
        return text.toLowerCase(Locale.ROOT);
    }
}

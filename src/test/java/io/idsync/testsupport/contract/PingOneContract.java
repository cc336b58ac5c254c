package io.idsync.testsupport.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * PingOne's Platform API contract for the requests idsync sends, read from {@code pingone-contract/pingone-requests.yaml}
 * (written from PingOne's OpenAPI description): which operation a request is, and every way it breaks that
 * operation's path, query parameters, content type or body schema.
 */
public final class PingOneContract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCE = "/pingone-contract/pingone-requests.yaml";

    /** One operation of the API as the contract file describes it. */
    public record Operation(String id, String method, String template, Pattern path, Map<String, JsonSchema> query,
                            List<String> contentTypes, JsonSchema body, boolean bodyRequired) {
    }

    private final List<Operation> operations;

    private PingOneContract(List<Operation> operations) {
        this.operations = List.copyOf(operations);
    }

    /** The contract in the test resources. */
    public static PingOneContract load() {
        try (InputStream in = PingOneContract.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the test class path");
            }
            return parse(new ObjectMapper(new YAMLFactory()).readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    private static PingOneContract parse(JsonNode file) {
        ObjectNode definitions = (ObjectNode) file.get("definitions");
        List<String> nullable = new ArrayList<>();
        file.path("nullable-in-updates").forEach(path -> nullable.add(path.asText()));
        JsonNode userProperties = file.get("user-properties");
        // a user body: the User properties, with the required list of its kind; updates may null what may be unset
        ((ObjectNode) definitions.get("UserCreate")).set("properties", userProperties.deepCopy());
        ((ObjectNode) definitions.get("UserReplace")).set("properties", nullable(userProperties, "", nullable, definitions));
        ((ObjectNode) definitions.get("UserUpdate")).set("properties", nullable(userProperties, "", nullable, definitions));

        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        List<Operation> operations = new ArrayList<>();
        for (JsonNode op : file.get("operations")) {
            String template = op.get("path").asText();
            Map<String, JsonSchema> query = new LinkedHashMap<>();
            op.path("query").fields().forEachRemaining(param -> query.put(param.getKey(), factory.getSchema(param.getValue(), config)));
            List<String> contentTypes = new ArrayList<>();
            op.path("content-types").forEach(type -> contentTypes.add(type.asText()));
            JsonSchema body = null;
            if (op.has("body")) {
                if (contentTypes.isEmpty()) {
                    contentTypes.add("application/json");
                }
                ObjectNode schema = JsonNodeFactory.instance.objectNode();
                schema.put("$schema", "http://json-schema.org/draft-07/schema#");
                schema.set("definitions", definitions);
                schema.put("$ref", "#/definitions/" + op.get("body").asText());
                body = factory.getSchema(schema, config);
            }
            operations.add(new Operation(op.get("id").asText(), op.get("method").asText(), template,
                    Pattern.compile("^" + template.replaceAll("\\{[^/}]+}", "[^/]+") + "$"), query, contentTypes, body,
                    op.path("body-required").asBoolean(false)));
        }
        return new PingOneContract(operations);
    }

    /** The properties with {@code null} allowed at the listed paths (the contract's spec-errors.null-unsets). */
    private static JsonNode nullable(JsonNode properties, String prefix, List<String> paths, JsonNode definitions) {
        ObjectNode copy = properties.deepCopy();
        properties.fields().forEachRemaining(field -> {
            String path = prefix + field.getKey();
            ObjectNode schema = (ObjectNode) copy.get(field.getKey());
            if (schema.has("$ref") && paths.contains(path)) {
                // inline the definition, so that its type can take null too
                schema = definitions.get(schema.get("$ref").asText().substring("#/definitions/".length())).deepCopy();
                copy.set(field.getKey(), schema);
            }
            if (schema.has("properties")) {
                schema.set("properties", nullable(schema.get("properties"), path + ".", paths, definitions));
            }
            if (paths.contains(path)) {
                // pattern, lengths and properties apply to strings and objects only: null passes them
                String type = schema.path("type").asText();
                schema.putArray("type").add(type).add("null");
            }
        });
        return copy;
    }

    /** The operation a request is, if the contract has it. */
    public Optional<Operation> operation(String method, String path) {
        return operations.stream().filter(op -> op.method().equals(method) && op.path().matcher(path).matches()).findFirst();
    }

    /**
     * Every way the request breaks the contract, one sentence each, or none.
     *
     * @param path the path after {@code /v1}
     */
    public List<String> violations(String method, String path, Map<String, String> query, String contentType, byte[] body) {
        String request = method + " " + path;
        Optional<Operation> found = operation(method, path);
        if (found.isEmpty()) {
            return List.of(request + " is none of the operations of PingOne's API idsync is held to ("
                    + (operations.stream().anyMatch(op -> op.path().matcher(path).matches()) ? "not with " + method : "no such path") + ")");
        }
        Operation op = found.get();
        String where = request + " (" + op.id() + ")";
        List<String> violations = new ArrayList<>();
        query.forEach((name, value) -> {
            JsonSchema schema = op.query().get(name);
            if (schema == null) {
                violations.add(where + ": query parameter '" + name + "' is not one PingOne's " + op.id() + " takes (it takes "
                        + (op.query().isEmpty() ? "none" : String.join(", ", op.query().keySet())) + ")");
                return;
            }
            JsonNode typed = typed(schema, value);
            if (typed == null) {
                violations.add(where + ": query parameter " + name + "='" + value + "' is not an integer");
                return;
            }
            for (ValidationMessage message : schema.validate(typed)) {
                violations.add(where + ": query parameter " + name + "='" + value + "': " + message.getMessage());
            }
        });
        boolean hasBody = body != null && body.length > 0;
        if (!hasBody) {
            if (op.bodyRequired()) {
                violations.add(where + ": has no body, which " + op.id() + " requires");
            }
            return violations;
        }
        if (op.body() == null) {
            violations.add(where + ": sends a body, which " + op.id() + " does not take");
            return violations;
        }
        if (!op.contentTypes().contains(contentType)) {
            violations.add(where + ": Content-Type '" + contentType + "' is not one of " + op.contentTypes());
        }
        JsonNode parsed;
        try {
            parsed = JSON.readTree(body);
        } catch (IOException e) {
            violations.add(where + ": the body is not JSON: " + e.getMessage());
            return violations;
        }
        Set<ValidationMessage> messages = op.body().validate(parsed);
        for (ValidationMessage message : messages) {
            violations.add(where + ": body " + message.getMessage());
        }
        return violations;
    }

    /** The query value as its schema's type: an integer parameter as a number, or null when it is none. */
    private static JsonNode typed(JsonSchema schema, String value) {
        if (!"integer".equals(schema.getSchemaNode().path("type").asText())) {
            return JsonNodeFactory.instance.textNode(value);
        }
        try {
            return JsonNodeFactory.instance.numberNode(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

package io.idsync.mapping;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a pipe's mapping YAML. Every mistake stops with the file, the line and what is wrong, e.g.
 * {@code config/mappings/pingone-to-directory.yaml line 31: attribute-map[4].type 'constructd' is not one of direct, constructed, constant}.
 * <p>
 * It reads the YAML node tree (not a bound object) because only the nodes know their line numbers.
 */
public final class MappingFile {

    private static final Set<String> TOP_LEVEL = Set.of("sync-class", "destination", "attribute-map", "correlation");
    private static final Set<String> SYNC_CLASS = Set.of("synchronize-creates", "synchronize-modifies", "synchronize-deletes", "synchronize-disables",
            "modifies-as-creates", "creates-as-modifies", "scope-exit-action", "delete-action", "disable-attribute", "disable-value",
            "provision-disabled-users");
    private static final Set<String> DESTINATION = Set.of("dn-pattern", "object-classes");
    private static final Set<String> MAPPING = Set.of("to-attribute", "type", "from-attribute", "value-pattern", "value", "values", "create-only", "required");

    private final String origin;

    private MappingFile(String origin) {
        this.origin = origin;
    }

    /**
     * Loads {@code location}: a file at that path, or under {@code config/} (where a deployment puts its own
     * mappings, editable without a rebuild), else the classpath resource shipped in the jar.
     */
    public static PipeMapping load(String location) {
        Path path = Path.of(location);
        if (!Files.isRegularFile(path) && Files.isRegularFile(Path.of("config", location))) {
            path = Path.of("config", location);
        }
        if (Files.isRegularFile(path)) {
            location = path.toString();
            try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                return new MappingFile(location).read(reader);
            } catch (IOException e) {
                throw new MappingException(location + ": cannot be read: " + e.getMessage(), e);
            }
        }
        InputStream resource = Thread.currentThread().getContextClassLoader().getResourceAsStream(location);
        if (resource == null) {
            throw new MappingException(location + ": no such mapping file (looked in the working directory and on the classpath)");
        }
        try (Reader reader = new InputStreamReader(resource, StandardCharsets.UTF_8)) {
            return new MappingFile("classpath:" + location).read(reader);
        } catch (IOException e) {
            throw new MappingException(location + ": cannot be read: " + e.getMessage(), e);
        }
    }

    public static PipeMapping parse(String origin, String yaml) {
        return new MappingFile(origin).read(new StringReader(yaml));
    }

    private PipeMapping read(Reader reader) {
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(reader);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new MappingException(origin + " line " + line + ": not valid YAML: " + e.getProblem());
        } catch (RuntimeException e) {
            throw new MappingException(origin + ": not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            throw new MappingException(origin + ": the file is empty");
        }
        Map<String, Node> top = mapping(root, "the file", TOP_LEVEL);

        SyncClass syncClass = syncClass(top.get("sync-class"));

        DnPattern dnPattern = null;
        List<String> objectClasses = List.of();
        if (top.containsKey("destination")) {
            Map<String, Node> destination = mapping(top.get("destination"), "destination", DESTINATION);
            if (destination.containsKey("dn-pattern")) {
                Node node = destination.get("dn-pattern");
                try {
                    dnPattern = new DnPattern(scalar(node, "destination.dn-pattern"));
                } catch (MappingException e) {
                    throw error(node, "destination.dn-pattern: " + e.getMessage());
                }
            }
            if (destination.containsKey("object-classes")) {
                objectClasses = strings(destination.get("object-classes"), "destination.object-classes");
            }
        }

        Node mapNode = top.get("attribute-map");
        if (mapNode == null) {
            throw new MappingException(origin + ": 'attribute-map' is missing");
        }
        List<AttributeMapping> attributes = new ArrayList<>();
        List<Node> items = sequence(mapNode, "attribute-map");
        for (int i = 0; i < items.size(); i++) {
            attributes.add(attributeMapping(items.get(i), "attribute-map[" + i + "]"));
        }

        List<CorrelationRule> correlation = new ArrayList<>();
        if (top.containsKey("correlation")) {
            List<Node> rules = sequence(top.get("correlation"), "correlation");
            for (int i = 0; i < rules.size(); i++) {
                Node rule = rules.get(i);
                List<String> names = rule instanceof ScalarNode s
                        ? List.of(s.getValue().split("\\s*,\\s*"))
                        : strings(rule, "correlation[" + i + "]");
                if (names.isEmpty() || names.stream().anyMatch(String::isBlank)) {
                    throw error(rule, "correlation[" + i + "] names no attribute");
                }
                correlation.add(new CorrelationRule(names));
            }
        }
        return new PipeMapping(origin, syncClass, dnPattern, objectClasses, List.copyOf(attributes), List.copyOf(correlation));
    }

    private SyncClass syncClass(Node node) {
        SyncClass d = SyncClass.defaults();
        if (node == null) {
            return d;
        }
        Map<String, Node> m = mapping(node, "sync-class", SYNC_CLASS);
        SyncClass.ScopeExitAction exit = action(m, "scope-exit-action", d.scopeExitAction());
        SyncClass.ScopeExitAction delete = action(m, "delete-action", d.deleteAction());
        return new SyncClass(
                bool(m, "synchronize-creates", d.synchronizeCreates()),
                bool(m, "synchronize-modifies", d.synchronizeModifies()),
                bool(m, "synchronize-deletes", d.synchronizeDeletes()),
                bool(m, "synchronize-disables", d.synchronizeDisables()),
                bool(m, "modifies-as-creates", d.modifiesAsCreates()),
                bool(m, "creates-as-modifies", d.createsAsModifies()),
                exit,
                delete,
                m.containsKey("disable-attribute") ? scalar(m.get("disable-attribute"), "sync-class.disable-attribute") : d.disableAttribute(),
                m.containsKey("disable-value") ? scalar(m.get("disable-value"), "sync-class.disable-value") : d.disableValue(),
                bool(m, "provision-disabled-users", d.provisionDisabled()));
    }

    private SyncClass.ScopeExitAction action(Map<String, Node> m, String key, SyncClass.ScopeExitAction fallback) {
        if (!m.containsKey(key)) {
            return fallback;
        }
        String value = scalar(m.get(key), "sync-class." + key);
        try {
            return SyncClass.ScopeExitAction.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw error(m.get(key), "sync-class." + key + " '" + value + "' is not one of delete, disable");
        }
    }

    private AttributeMapping attributeMapping(Node node, String where) {
        Map<String, Node> m = mapping(node, where, MAPPING);
        AttributeMapping mapping = attributeMappingOfType(node, where, m);
        return bool(m, "required", false) ? mapping.asRequired() : mapping;
    }

    private AttributeMapping attributeMappingOfType(Node node, String where, Map<String, Node> m) {
        if (!m.containsKey("to-attribute")) {
            throw error(node, where + " has no 'to-attribute'");
        }
        String to = scalar(m.get("to-attribute"), where + ".to-attribute");
        String label = where + " (" + to + ")";
        boolean createOnly = bool(m, "create-only", false);
        String type = m.containsKey("type") ? scalar(m.get("type"), label + ".type") : "direct";
        try {
            switch (type) {
                case "direct" -> {
                    if (!m.containsKey("from-attribute")) {
                        throw error(node, label + " is direct but has no 'from-attribute'");
                    }
                    return AttributeMapping.direct(to, scalar(m.get("from-attribute"), label + ".from-attribute"), createOnly);
                }
                case "constructed" -> {
                    Node patterns = m.get("value-pattern");
                    if (patterns == null) {
                        throw error(node, label + " is constructed but has no 'value-pattern'");
                    }
                    List<String> list = patterns instanceof ScalarNode s ? List.of(s.getValue()) : strings(patterns, label + ".value-pattern");
                    AttributeMapping constructed = AttributeMapping.constructed(to, list, createOnly);
                    // a pattern that always or never yields makes the patterns after it, or itself, dead
                    for (int p = 0; p < constructed.patterns().size(); p++) {
                        ValuePattern pattern = constructed.patterns().get(p);
                        if (!pattern.hasPlaceholder() && pattern.sample("").isBlank()) {
                            throw error(patterns, label + ".value-pattern[" + p + "] '" + pattern + "' never yields a value: it is blank and has no placeholder");
                        }
                        if (!pattern.hasPlaceholder() && p < constructed.patterns().size() - 1) {
                            throw error(patterns, label + ".value-pattern[" + (p + 1) + "] '" + constructed.patterns().get(p + 1)
                                    + "' can never be used: value-pattern[" + p + "] '" + pattern + "' has no placeholder, so it always yields");
                        }
                    }
                    return constructed;
                }
                case "constant" -> {
                    List<String> values = m.containsKey("values") ? strings(m.get("values"), label + ".values")
                            : m.containsKey("value") ? List.of(scalar(m.get("value"), label + ".value")) : List.of();
                    if (values.isEmpty()) {
                        throw error(node, label + " is constant but has no 'value' or 'values'");
                    }
                    return AttributeMapping.constant(to, values, createOnly);
                }
                default -> throw error(m.get("type"), label + ".type '" + type + "' is not one of direct, constructed, constant");
            }
        } catch (MappingException e) {
            if (e.getMessage().startsWith(origin)) {
                throw e;
            }
            throw error(node, label + ": " + e.getMessage());
        }
    }

    // --- node helpers: each names the place it was looking at -------------------------------------------

    private Map<String, Node> mapping(Node node, String where, Set<String> allowed) {
        if (!(node instanceof MappingNode mappingNode)) {
            throw error(node, where + " must be a mapping of keys to values");
        }
        Map<String, Node> result = new LinkedHashMap<>();
        for (NodeTuple tuple : mappingNode.getValue()) {
            String key = scalar(tuple.getKeyNode(), where + " key");
            if (!allowed.contains(key)) {
                throw error(tuple.getKeyNode(), where + ": unknown key '" + key + "' (known: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
            if (result.put(key, tuple.getValueNode()) != null) {
                throw error(tuple.getKeyNode(), where + ": key '" + key + "' appears twice");
            }
        }
        return result;
    }

    private List<Node> sequence(Node node, String where) {
        if (!(node instanceof SequenceNode sequenceNode)) {
            throw error(node, where + " must be a list");
        }
        return sequenceNode.getValue();
    }

    private String scalar(Node node, String where) {
        if (!(node instanceof ScalarNode scalarNode)) {
            throw error(node, where + " must be a single value");
        }
        return scalarNode.getValue();
    }

    private List<String> strings(Node node, String where) {
        if (node instanceof ScalarNode s) {
            return List.of(s.getValue());
        }
        List<String> values = new ArrayList<>();
        for (Node item : sequence(node, where)) {
            values.add(scalar(item, where + " item"));
        }
        return values;
    }

    private boolean bool(Map<String, Node> m, String key, boolean fallback) {
        if (!m.containsKey(key)) {
            return fallback;
        }
        String value = scalar(m.get(key), key);
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(m.get(key), key + " '" + value + "' is not true or false");
        };
    }

    private MappingException error(Node node, String message) {
        int line = node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
        return new MappingException(origin + " line " + line + ": " + message);
    }
}

package io.idsync.pipe;

import io.idsync.connector.Plan;
import io.idsync.mapping.AttributeMapping;
import io.idsync.mapping.JsonPath;
import io.idsync.mapping.ValuePattern;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the road did to one entry provisioned on demand, step by step, as the operator who asked reads it (Entra's
 * "provision on demand"): the source entry as read (the values the mapping uses, no others), the scope and the rule
 * that decided it, the mapped entry, correlation, the plan, the request and the system's answer, the outcome. Values
 * appear here only, never in the audit log; a secret's value never does.
 */
final class ProvisionTrace {

    /** attributes whose values are secrets: shown as set, never as written */
    private static final Pattern SECRET = Pattern.compile("(?i).*(password|pwd|secret|token|credential).*");
    private static final String HIDDEN = "(a secret: not shown)";

    private ProvisionTrace() {
    }

    static Map<String, Object> of(Pipe pipe, SyncItem item, boolean dryRun) {
        List<Map<String, Object>> steps = new ArrayList<>();
        String id = item.change.sourceId();
        steps.add(step("read", "the source entry " + id + ", the values the mapping uses", "entry", sourceValues(pipe, item)));
        boolean skipped = item.outcome == Outcome.OUT_OF_SCOPE && "skip-when".equals(item.reason);
        Map<String, Object> scope = step("scope", skipped ? "in scope, but the pipe's skipWhen rule leaves it alone"
                : item.inScope ? "in scope" : "out of scope", "rule", item.source == null ? "the entry is gone from the source" : pipe.reader().scopeRule(item.source));
        scope.put("inScope", item.inScope && !skipped);
        steps.add(scope);
        if (item.mapped != null && item.inScope) {
            Map<String, Object> mapped = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            item.mapped.attributes().forEach((name, values) -> mapped.put(name, shown(name, values)));
            Map<String, Object> map = step("map", "the entry as the mapping makes it", "name", item.mapped.dn());
            map.put("entry", mapped);
            steps.add(map);
        }
        steps.add(step("correlate", item.destination != null ? "the destination entry is " + item.destination.name() : "no destination entry",
                "trail", item.trail == null ? List.of() : List.copyOf(item.trail)));
        Plan plan = item.plan;
        Map<String, Object> planned = step("plan", plan == null ? "nothing to plan" : plan.describe(), "action",
                plan == null ? null : plan.action().name().toLowerCase(java.util.Locale.ROOT));
        if (plan != null && plan.action() == Plan.Action.CREATE) {
            Map<String, Object> attributes = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            plan.attributes().forEach((name, values) -> attributes.put(name, shown(name, values)));
            planned.put("attributes", attributes);
        } else if (plan != null && plan.action() == Plan.Action.MODIFY) {
            planned.put("changes", plan.changes().stream().map(change -> Map.of("attribute", change.attribute(),
                    "kind", change.kind().name().toLowerCase(java.util.Locale.ROOT), "values", shown(change.attribute(), change.values()))).toList());
        }
        steps.add(planned);
        steps.add(delivery(item, dryRun));
        Map<String, Object> outcome = step("outcome", item.outcome == null ? "none" : item.outcome.counter(), "reason", item.reason);
        steps.add(outcome);

        Map<String, Object> trace = new LinkedHashMap<>();
        trace.put("pipe", pipe.name());
        trace.put("sourceId", id);
        trace.put("dryRun", dryRun);
        trace.put("outcome", item.outcome == null ? null : item.outcome.counter());
        trace.put("destination", item.delivered != null ? item.delivered.name() : item.destination != null ? item.destination.name()
                : plan != null ? plan.ref() : null);
        trace.put("steps", steps);
        return trace;
    }

    private static Map<String, Object> delivery(SyncItem item, boolean dryRun) {
        Plan plan = item.plan;
        boolean writes = plan != null && plan.action() != Plan.Action.NONE && item.outcome != Outcome.NOT_SYNCHRONIZED
                && item.outcome != Outcome.HELD && item.outcome != Outcome.OUT_OF_SCOPE;
        if (!writes) {
            return step("deliver", "nothing sent to the destination", "request", null);
        }
        if (dryRun) {
            return step("deliver", "not sent: a dry run", "request", plan.describe());
        }
        Map<String, Object> delivered = step("deliver", item.outcome == Outcome.FAILED ? "refused" : "done", "request", plan.describe());
        if (item.delivered != null) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("name", item.delivered.name());
            answer.put("id", item.delivered.id());
            answer.put("caveat", item.delivered.caveat());
            delivered.put("answer", answer);
        } else if (item.outcome == Outcome.FAILED) {
            delivered.put("answer", item.reason); // the system's own message: its status and error body
        }
        return delivered;
    }

    /** The source's values at the paths the mapping reads (a secret's hidden), by path. */
    private static Map<String, Object> sourceValues(Pipe pipe, SyncItem item) {
        Map<String, Object> values = new TreeMap<>();
        if (item.source == null) {
            return values;
        }
        for (AttributeMapping mapping : pipe.mapping().attributes()) {
            for (ValuePattern pattern : mapping.patterns()) {
                for (String path : pattern.paths()) {
                    if (!values.containsKey(path)) {
                        List<String> found = JsonPath.parse(path).values(item.source.document());
                        if (!found.isEmpty()) {
                            values.put(path, shown(path, found));
                        }
                    }
                }
            }
        }
        return values;
    }

    private static Object shown(String name, List<String> values) {
        if (SECRET.matcher(name).matches()) {
            return HIDDEN;
        }
        return values.size() == 1 ? values.get(0) : values;
    }

    private static Map<String, Object> step(String step, String summary, String key, Object value) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("step", step);
        map.put("summary", summary);
        map.put(key, value);
        return map;
    }
}

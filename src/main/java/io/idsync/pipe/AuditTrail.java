package io.idsync.pipe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.Plan;
import io.idsync.state.StateStore;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What goes into the audit log: every operation a pipe performs on an entry (create, modify with the names of the
 * attributes it changed, rename, disable, enable, delete, a group's members added and removed) and every one it is
 * asked to (resyncs, reconciliations, deprovisionings, removals the deletion guard held, approved or rejected). Stored with
 * the outcomes it goes with ({@link StateStore#audit}) and written as one JSON line on logger {@code io.idsync.audit}
 * for a log shipper. Attribute values are never recorded: names say what changed; values are the systems' to keep.
 */
public final class AuditTrail {

    private static final Logger LOG = Logger.getLogger("io.idsync.audit");
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditTrail() {
    }

    /** The record of what the road did to one entry, or null when it did nothing worth one (no change, out of scope). */
    static StateStore.AuditRecord of(Pipe pipe, SyncItem item) {
        if (item.outcome != Outcome.CREATED && item.outcome != Outcome.MODIFIED && item.outcome != Outcome.DELETED
                && item.outcome != Outcome.FAILED && item.outcome != Outcome.HELD) {
            return null;
        }
        Plan plan = item.plan;
        String destination = item.delivered != null ? item.delivered.name() : plan != null && plan.ref() != null ? plan.ref()
                : item.link != null ? item.link.destinationRef() : null;
        String operation = plan == null ? "synchronize" : switch (plan.action()) {
            case CREATE -> "create";
            case DELETE -> "delete";
            case NONE -> "synchronize";
            case MODIFY -> modification(pipe, plan);
        };
        String attributes = plan == null ? null : switch (plan.action()) {
            case CREATE -> String.join(", ", plan.attributes().keySet());
            case MODIFY -> plan.changes().stream().map(change -> change.attribute() + members(pipe, item, change)).collect(Collectors.joining(", "));
            default -> null;
        };
        return new StateStore.AuditRecord(0, Instant.now(), pipe.name(), item.change.sourceId(), destination, operation,
                item.outcome == Outcome.FAILED ? "failed" : item.outcome == Outcome.HELD ? "held" : "succeeded", attributes, item.reason);
    }

    /** A modify named by what it does: a rename, a disable or enable (the disable attribute alone), members, or a modify. */
    private static String modification(Pipe pipe, Plan plan) {
        if (plan.newRef() != null) {
            return "rename";
        }
        String disable = pipe.mapping().syncClass().disableAttribute();
        List<Plan.AttributeChange> changes = plan.changes();
        if (!changes.isEmpty() && changes.stream().allMatch(change -> change.attribute().equalsIgnoreCase(disable))) {
            boolean disabling = changes.get(0).values().size() == 1
                    && changes.get(0).values().get(0).equalsIgnoreCase(pipe.mapping().syncClass().disableValue());
            return disabling ? "disable" : "enable";
        }
        if (pipe.membersFrom() != null && !changes.isEmpty() && changes.stream().allMatch(change -> isMembers(pipe, change.attribute()))) {
            return "membership";
        }
        return "modify";
    }

    /** For a group's member attribute: how many members were added and removed, e.g. " (+2 -1)". */
    private static String members(Pipe pipe, SyncItem item, Plan.AttributeChange change) {
        if (pipe.membersFrom() == null || !isMembers(pipe, change.attribute()) || item.destination == null) {
            return "";
        }
        List<String> before = item.destination.values(change.attribute());
        List<String> after = change.kind() == Plan.AttributeChange.Kind.DELETE ? List.of() : change.values();
        long added = after.stream().filter(v -> before.stream().noneMatch(v::equalsIgnoreCase)).count();
        long removed = before.stream().filter(v -> after.stream().noneMatch(v::equalsIgnoreCase)).count();
        return " (+" + added + " -" + removed + ")";
    }

    /** The attribute the mapping fills from the provisioned members (member, uniqueMember, members). */
    private static boolean isMembers(Pipe pipe, String attribute) {
        return pipe.mapping().attributes().stream().anyMatch(mapping -> mapping.toAttribute().equalsIgnoreCase(attribute)
                && mapping.patterns().stream().flatMap(p -> p.paths().stream()).anyMatch(Road.PROVISIONED_MEMBERS::equals));
    }

    /** Records an operator's decision on one entry (its failure dismissed...). */
    public static void record(Pipe pipe, String sourceId, String operation, String outcome, String reason) {
        write(pipe.state(), new StateStore.AuditRecord(0, Instant.now(), pipe.name(), sourceId, null, operation, outcome, null, reason));
    }

    /** Records an operation on the pipe as a whole (a resync started, held removals approved...). */
    public static void note(Pipe pipe, String operation, String outcome, String reason) {
        write(pipe.state(), new StateStore.AuditRecord(0, Instant.now(), pipe.name(), null, null, operation, outcome, null, reason));
    }

    /** Stores the record (with the next flush of outcomes) and logs it as one JSON line. */
    static void write(StateStore state, StateStore.AuditRecord record) {
        state.audit(record);
        if (LOG.isInfoEnabled()) {
            ObjectNode line = JSON.createObjectNode();
            line.put("at", record.at().toString()).put("pipe", record.pipe()).put("sourceId", record.sourceId())
                    .put("destination", record.destination()).put("operation", record.operation()).put("outcome", record.outcome())
                    .put("attributes", record.attributes()).put("reason", record.reason());
            LOG.info(line.toString());
        }
    }
}

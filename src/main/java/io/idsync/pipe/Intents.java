package io.idsync.pipe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.idsync.connector.Plan;
import io.idsync.mapping.CorrelationRule;
import io.idsync.mapping.MappedEntry;
import io.idsync.mapping.PipeMapping;
import io.idsync.state.StateStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The intent a plan announces before it is applied: creates, deletes and renames are the writes a replay
 * cannot tell from the destination alone. A modify in place needs none: applied again, it changes nothing. (A create
 * the correlation rules would find again still needs one: when its source entry is gone by the replay, there is
 * nothing left to correlate with, and only the intent tells that the destination entry is this one's to remove.)
 */
final class Intents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Intents() {
    }

    /** The create of this mapped entry, a scanned entry's that has no link yet: its name and correlation criteria. */
    static StateStore.Intent create(PipeMapping mapping, MappedEntry mapped) {
        List<Map<String, String>> criteria = new ArrayList<>();
        for (CorrelationRule rule : mapping.correlation()) {
            rule.criteria(mapped).ifPresent(criteria::add);
        }
        return new StateStore.Intent(StateStore.Intent.Action.CREATE, mapped.dn(), criteria.isEmpty() ? null : json(criteria));
    }

    /** The intent of this plan, or null when it needs none. */
    static StateStore.Intent of(Plan plan, List<Map<String, String>> criteria) {
        return switch (plan.action()) {
            case CREATE -> new StateStore.Intent(StateStore.Intent.Action.CREATE, plan.ref(), criteria.isEmpty() ? null : json(criteria));
            case DELETE -> new StateStore.Intent(StateStore.Intent.Action.DELETE, plan.ref(), null);
            case MODIFY -> plan.newRef() == null ? null : new StateStore.Intent(StateStore.Intent.Action.RENAME, plan.newRef(), null);
            case NONE -> null;
        };
    }

    static List<Map<String, String>> criteria(String json) {
        try {
            return JSON.readValue(json, new TypeReference<>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an intent's correlation criteria are not readable: " + e.getOriginalMessage(), e);
        }
    }

    private static String json(List<Map<String, String>> criteria) {
        try {
            return JSON.writeValueAsString(criteria);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

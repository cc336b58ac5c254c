package io.idsync.pipe;

import io.idsync.connector.Change;
import io.idsync.connector.Destination;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.EntryNames;
import io.idsync.connector.Plan;
import io.idsync.mapping.MappedEntry;
import io.idsync.mapping.SyncClass;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides the smallest operation for one item, from the source entry (or its absence), the scope, the
 * destination entry found by correlation, the sync class and how the destination names entries. Pure: reads the
 * item, writes its plan and prospective outcome.
 */
final class Planner {

    private Planner() {
    }

    static void plan(SyncItem item, SyncClass syncClass, EntryNames names) {
        plan(item, syncClass, names, Destination.ValueEquality.AS_SETS);
    }

    /** @param same when the destination holds what is wanted (a directory may stamp a lock's time itself) */
    static void plan(SyncItem item, SyncClass syncClass, EntryNames names, Destination.ValueEquality same) {
        if (item.decided()) {
            return;
        }
        DestinationEntry destination = item.destination;
        boolean linked = item.link != null && item.link.destinationRef() != null;
        if (item.source == null || !item.inScope) {
            String why = item.source == null ? "deleted at the source" : "left the synchronized scope";
            if (destination == null) {
                item.plan = Plan.none(item.change.sourceId());
                item.decide(linked ? Outcome.NO_CHANGE : Outcome.OUT_OF_SCOPE,
                        linked ? why + "; already absent at the destination" : (item.source == null ? "never synchronized" : "outside the synchronized scope"));
                return;
            }
            // the remove action, delete or disable, is a deprovisioning: synchronize-deletes allows it or not
            if (!syncClass.synchronizeDeletes()) {
                item.decide(Outcome.NOT_SYNCHRONIZED, why + "; synchronize-deletes is off");
                return;
            }
            SyncClass.ScopeExitAction action = item.source == null ? syncClass.deleteAction() : syncClass.scopeExitAction();
            if (action == SyncClass.ScopeExitAction.DISABLE) {
                disable(item, destination, syncClass, why);
                return;
            }
            item.plan = Plan.delete(destination.name());
            item.decide(Outcome.DELETED, why);
            return;
        }
        MappedEntry mapped = item.mapped;
        if (destination == null) {
            if (linked && item.change.kind() == Change.Kind.MODIFY && !syncClass.modifiesAsCreates()) {
                item.decide(Outcome.FAILED, "the linked entry " + item.link.destinationRef()
                        + " no longer exists at the destination and modifies-as-creates is off; a resync recreates it");
                return;
            }
            if (!syncClass.synchronizeCreates()) {
                item.decide(Outcome.NOT_SYNCHRONIZED, "synchronize-creates is off");
                return;
            }
            if (!syncClass.provisionDisabled() && mapped.values(syncClass.disableAttribute()).contains(syncClass.disableValue())) {
                item.decide(Outcome.NOT_SYNCHRONIZED, "disabled at the source and provision-disabled-users is off");
                return;
            }
            item.plan = new Plan(Plan.Action.CREATE, mapped.dn(), null, mapped.attributes(), List.of());
            item.decide(Outcome.CREATED, null);
            return;
        }
        if (item.change.kind() == Change.Kind.CREATE && !linked && !syncClass.createsAsModifies()) {
            item.decide(Outcome.FAILED, "entry already exists at the destination (" + destination.name() + ") and creates-as-modifies is off");
            return;
        }
        // a rename: the mapped name is not the entry's (what a rename is, the destination decides)
        String newRef = destination.name() == null || mapped.dn() == null || names.same(destination.name(), mapped.dn()) ? null : mapped.dn();
        List<Plan.AttributeChange> changes = diff(mapped, destination, newRef == null ? Map.of() : names.valuesIn(newRef), same);
        if (!syncClass.synchronizeDisables()) {
            // the account stays enabled at the destination; what else changed is still written
            boolean wasDisabling = changes.removeIf(change -> change.attribute().equalsIgnoreCase(syncClass.disableAttribute())
                    && change.values().size() == 1 && change.values().get(0).equalsIgnoreCase(syncClass.disableValue()));
            if (wasDisabling && newRef == null && changes.isEmpty()) {
                item.decide(Outcome.NOT_SYNCHRONIZED, "disabled at the source; synchronize-disables is off");
                return;
            }
        }
        if (newRef == null && changes.isEmpty()) {
            item.plan = Plan.none(destination.name());
            item.decide(Outcome.NO_CHANGE, null);
            return;
        }
        if (!syncClass.synchronizeModifies()) {
            item.decide(Outcome.NOT_SYNCHRONIZED, "synchronize-modifies is off");
            return;
        }
        item.plan = new Plan(Plan.Action.MODIFY, destination.name(), newRef, Map.of(), changes);
        item.decide(Outcome.MODIFIED, null);
    }

    private static void disable(SyncItem item, DestinationEntry destination, SyncClass syncClass, String why) {
        List<String> current = destination.values(syncClass.disableAttribute());
        if (current.size() == 1 && current.get(0).equalsIgnoreCase(syncClass.disableValue())) {
            item.plan = Plan.none(destination.name());
            item.decide(Outcome.NO_CHANGE, why + "; already disabled");
            return;
        }
        item.plan = new Plan(Plan.Action.MODIFY, destination.name(), null, Map.of(),
                List.of(new Plan.AttributeChange(syncClass.disableAttribute(), Plan.AttributeChange.Kind.REPLACE, List.of(syncClass.disableValue()))));
        item.decide(Outcome.MODIFIED, why + ": disabled");
    }

    /**
     * Only the managed attributes whose values differ; create-only attributes are never compared.
     *
     * @param inNewName the values a rename puts in place by itself (an LDAP RDN's)
     */
    static List<Plan.AttributeChange> diff(MappedEntry mapped, DestinationEntry destination, Map<String, List<String>> inNewName,
                                           Destination.ValueEquality same) {
        Map<String, List<String>> have = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        have.putAll(destination.attributes());
        have.putAll(inNewName);
        List<Plan.AttributeChange> changes = new ArrayList<>();
        List<String> wantedClasses = mapped.values("objectClass");
        if (!wantedClasses.isEmpty()) {
            Set<String> present = new HashSet<>();
            have.getOrDefault("objectClass", List.of()).forEach(c -> present.add(c.toLowerCase(Locale.ROOT)));
            List<String> missing = wantedClasses.stream().filter(c -> !present.contains(c.toLowerCase(Locale.ROOT))).toList();
            if (!missing.isEmpty()) {
                changes.add(new Plan.AttributeChange("objectClass", Plan.AttributeChange.Kind.ADD, missing));
            }
        }
        Map<String, String> managed = new LinkedHashMap<>();
        mapped.managed().forEach(a -> managed.put(a.toLowerCase(Locale.ROOT), a));
        for (String attribute : managed.values()) {
            if (mapped.createOnly().contains(attribute)) {
                continue;
            }
            List<String> want = mapped.values(attribute);
            List<String> current = have.getOrDefault(attribute, List.of());
            if (want.isEmpty()) {
                if (!current.isEmpty()) {
                    changes.add(new Plan.AttributeChange(attribute, Plan.AttributeChange.Kind.DELETE, List.of()));
                }
            } else if (!same.same(attribute, want, current)) {
                changes.add(new Plan.AttributeChange(attribute, Plan.AttributeChange.Kind.REPLACE, want));
            }
        }
        return changes;
    }
}

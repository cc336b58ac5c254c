package io.idsync.pipe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.Change;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.Plan;
import io.idsync.connector.SourceEntry;
import io.idsync.mapping.MappingFile;
import io.idsync.mapping.PipeMapping;
import io.idsync.mapping.SyncClass;
import io.idsync.state.StateStore;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plan for each situation and sync class option (PingDataSync's semantics), without any I/O. */
class PlannerTest {

    private static final PipeMapping MAPPING = MappingFile.load("mappings/pingone-to-directory.yaml");
    private static final String DN = "uid=jsmith,ou=People,dc=example,dc=com";

    private static ObjectNode user() {
        ObjectNode user = new ObjectMapper().createObjectNode();
        user.put("id", "id-1").put("username", "jsmith").put("email", "jsmith@example.com");
        user.putObject("name").put("given", "Janet").put("family", "Smith");
        user.put("ds-pwp-account-disabled-from-pingone", "FALSE");
        return user;
    }

    private static SyncItem item(Change.Kind kind, ObjectNode source, boolean inScope, DestinationEntry destination, boolean linked) {
        SyncItem item = new SyncItem(new Change("id-1", io.idsync.connector.EntryType.USER, kind, Instant.now(), Set.of("admin"), null));
        item.source = source == null ? null : new SourceEntry("id-1", source);
        item.inScope = inScope;
        item.mapped = source != null && inScope ? MAPPING.map(source) : MAPPING.mapIdentity(new ObjectMapper().createObjectNode().put("id", "id-1"));
        item.destination = destination;
        item.link = linked ? new StateStore.EntryState("id-1", DN, "id-1", StateStore.Status.SYNCED, null, Instant.now()) : null;
        return item;
    }

    /** The destination entry as the mapping would write it, with some attributes changed. */
    private static DestinationEntry destination(Map<String, List<String>> overrides) {
        Map<String, List<String>> attributes = new LinkedHashMap<>(MAPPING.map(user()).attributes());
        attributes.putAll(overrides);
        attributes.values().removeIf(List::isEmpty);
        return new DestinationEntry(DN, "id-1", attributes);
    }

    private static SyncClass options(boolean creates, boolean modifies, boolean deletes, boolean modifiesAsCreates, boolean createsAsModifies,
                                     SyncClass.ScopeExitAction exit) {
        return new SyncClass(creates, modifies, deletes, true, modifiesAsCreates, createsAsModifies, exit, SyncClass.ScopeExitAction.DELETE,
                "ds-pwp-account-disabled", "TRUE", true);
    }

    private static final SyncClass DEFAULTS = SyncClass.defaults();

    @Test
    void aNewUserIsCreatedWithEveryMappedAttribute() {
        SyncItem item = item(Change.Kind.CREATE, user(), true, null, false);
        Planner.plan(item, DEFAULTS, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.CREATED, item.outcome());
        assertEquals(Plan.Action.CREATE, item.plan().action());
        assertEquals(DN, item.plan().ref());
        assertEquals(List.of("id-1"), item.plan().attributes().get("entryUUID"));
    }

    @Test
    void anUnchangedUserNeedsNothing() {
        SyncItem item = item(Change.Kind.MODIFY, user(), true, destination(Map.of()), true);
        Planner.plan(item, DEFAULTS, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.NO_CHANGE, item.outcome());
        assertEquals(Plan.Action.NONE, item.plan().action());
    }

    @Test
    void aModifyChangesOnlyWhatDiffersAndRemovesWhatTheSourceDropped() {
        SyncItem item = item(Change.Kind.MODIFY, user(), true,
                destination(Map.of("givenName", List.of("Jan"), "title", List.of("Old title"), "entryUUID", List.of("id-1"))), true);
        Planner.plan(item, DEFAULTS, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.MODIFIED, item.outcome());
        assertEquals(List.of(
                new Plan.AttributeChange("givenName", Plan.AttributeChange.Kind.REPLACE, List.of("Janet")),
                new Plan.AttributeChange("title", Plan.AttributeChange.Kind.DELETE, List.of())), item.plan().changes().stream()
                .sorted((a, b) -> a.attribute().compareToIgnoreCase(b.attribute())).toList());
        assertNull(item.plan().newRef());
    }

    @Test
    void aNewUsernameRenamesTheEntryWithoutRewritingTheNewRdnValue() {
        ObjectNode renamed = user().put("username", "janet.smith");
        SyncItem item = item(Change.Kind.MODIFY, renamed, true, destination(Map.of()), true);
        Planner.plan(item, DEFAULTS, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.MODIFIED, item.outcome());
        assertEquals("uid=janet.smith,ou=People,dc=example,dc=com", item.plan().newRef());
        assertTrue(item.plan().changes().stream().noneMatch(c -> c.attribute().equals("uid")), item.plan().describe());
    }

    @Test
    void switchedOffOperationsAreNotSynchronized() {
        SyncItem create = item(Change.Kind.CREATE, user(), true, null, false);
        Planner.plan(create, options(false, true, true, false, true, SyncClass.ScopeExitAction.DELETE), io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.NOT_SYNCHRONIZED, create.outcome());

        SyncItem modify = item(Change.Kind.MODIFY, user(), true, destination(Map.of("givenName", List.of("Jan"))), true);
        Planner.plan(modify, options(true, false, true, false, true, SyncClass.ScopeExitAction.DELETE), io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.NOT_SYNCHRONIZED, modify.outcome());

        SyncItem delete = item(Change.Kind.DELETE, null, false, destination(Map.of()), true);
        Planner.plan(delete, options(true, true, false, false, true, SyncClass.ScopeExitAction.DELETE), io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.NOT_SYNCHRONIZED, delete.outcome());
    }

    @Test
    void modifiesAsCreatesDecidesWhetherAVanishedLinkedEntryComesBack() {
        SyncItem off = item(Change.Kind.MODIFY, user(), true, null, true);
        Planner.plan(off, DEFAULTS, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.FAILED, off.outcome());
        assertTrue(off.reason().contains("modifies-as-creates is off"), off.reason());

        SyncItem on = item(Change.Kind.MODIFY, user(), true, null, true);
        Planner.plan(on, options(true, true, true, true, true, SyncClass.ScopeExitAction.DELETE), io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.CREATED, on.outcome());

        SyncItem resync = item(Change.Kind.SCAN, user(), true, null, true);
        Planner.plan(resync, DEFAULTS, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.CREATED, resync.outcome(), "a resync recreates it whatever the option");
    }

    @Test
    void createsAsModifiesDecidesWhetherAnExistingEntryIsAdopted() {
        SyncItem on = item(Change.Kind.CREATE, user(), true, destination(Map.of("givenName", List.of("Jan"))), false);
        Planner.plan(on, DEFAULTS, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.MODIFIED, on.outcome());

        SyncItem off = item(Change.Kind.CREATE, user(), true, destination(Map.of()), false);
        Planner.plan(off, options(true, true, true, false, false, SyncClass.ScopeExitAction.DELETE), io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.FAILED, off.outcome());
        assertTrue(off.reason().contains("already exists"), off.reason());
    }

    @Test
    void leavingTheScopeDeletesOrDisables() {
        SyncItem delete = item(Change.Kind.MODIFY, user(), false, destination(Map.of()), true);
        Planner.plan(delete, DEFAULTS, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.DELETED, delete.outcome());
        assertEquals(Plan.Action.DELETE, delete.plan().action());

        SyncItem disable = item(Change.Kind.MODIFY, user(), false, destination(Map.of()), true);
        Planner.plan(disable, options(true, true, true, false, true, SyncClass.ScopeExitAction.DISABLE), io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.MODIFIED, disable.outcome());
        assertEquals(List.of(new Plan.AttributeChange("ds-pwp-account-disabled", Plan.AttributeChange.Kind.REPLACE, List.of("TRUE"))),
                disable.plan().changes());

        SyncItem alreadyDisabled = item(Change.Kind.MODIFY, user(), false, destination(Map.of("ds-pwp-account-disabled", List.of("TRUE"))), true);
        Planner.plan(alreadyDisabled, options(true, true, true, false, true, SyncClass.ScopeExitAction.DISABLE), io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.NO_CHANGE, alreadyDisabled.outcome());
    }

    @Test
    void theDeleteActionCanDisableInsteadAndDisabledAccountsNeedNotBeProvisioned() {
        SyncClass provisioning = new SyncClass(true, true, true, true, false, true, SyncClass.ScopeExitAction.DISABLE, SyncClass.ScopeExitAction.DISABLE,
                "ds-pwp-account-disabled", "TRUE", false);
        SyncItem deleted = item(Change.Kind.DELETE, null, false, destination(Map.of()), true);
        Planner.plan(deleted, provisioning, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.MODIFIED, deleted.outcome());
        assertTrue(deleted.reason().startsWith("deleted at the source: disabled"), deleted.reason());

        SyncItem disabledNewcomer = item(Change.Kind.CREATE, user().put("ds-pwp-account-disabled-from-pingone", "TRUE"), true, null, false);
        Planner.plan(disabledNewcomer, provisioning, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.NOT_SYNCHRONIZED, disabledNewcomer.outcome());
    }

    @Test
    void aUserNeverSynchronizedAndOutOfScopeIsOutOfScope() {
        SyncItem item = item(Change.Kind.MODIFY, user(), false, null, false);
        Planner.plan(item, DEFAULTS, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.OUT_OF_SCOPE, item.outcome());
        SyncItem deletedUnknown = item(Change.Kind.DELETE, null, false, null, false);
        Planner.plan(deletedUnknown, DEFAULTS, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.OUT_OF_SCOPE, deletedUnknown.outcome());
    }

    /** Seed 004's "Allow Users to be Disabled" and "Allow Users to be Deprovisioned" switched off. */
    @Test
    void withDisablesAndDeprovisioningOffTheAccountStaysEnabledAndInPlace() {
        SyncClass off = new SyncClass(true, true, false, false, false, true, SyncClass.ScopeExitAction.DISABLE, SyncClass.ScopeExitAction.DISABLE,
                "ds-pwp-account-disabled", "TRUE", true);
        SyncItem disabledOnly = item(Change.Kind.MODIFY, user().put("ds-pwp-account-disabled-from-pingone", "TRUE"), true, destination(Map.of()), true);
        Planner.plan(disabledOnly, off, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.NOT_SYNCHRONIZED, disabledOnly.outcome());
        assertEquals("disabled at the source; synchronize-disables is off", disabledOnly.reason());

        ObjectNode renamed = user().put("ds-pwp-account-disabled-from-pingone", "TRUE");
        ((ObjectNode) renamed.get("name")).put("family", "Jones");
        SyncItem disabledAndRenamed = item(Change.Kind.MODIFY, renamed, true, destination(Map.of()), true);
        Planner.plan(disabledAndRenamed, off, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.MODIFIED, disabledAndRenamed.outcome());
        assertTrue(disabledAndRenamed.plan().changes().stream().noneMatch(c -> c.attribute().equals("ds-pwp-account-disabled")),
                "the other changes are written, the disabling is not: " + disabledAndRenamed.plan().changes());
        assertTrue(disabledAndRenamed.plan().changes().stream().anyMatch(c -> c.attribute().equals("sn")), disabledAndRenamed.plan().describe());

        SyncItem left = item(Change.Kind.MODIFY, user(), false, destination(Map.of()), true);
        Planner.plan(left, off, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.NOT_SYNCHRONIZED, left.outcome(), "the remove action is a deprovisioning, which is off");
        SyncItem deleted = item(Change.Kind.DELETE, null, false, destination(Map.of()), true);
        Planner.plan(deleted, off, io.idsync.connector.ldap.LdapNames.INSTANCE);
        assertEquals(Outcome.NOT_SYNCHRONIZED, deleted.outcome());
    }
}

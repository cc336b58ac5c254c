package io.idsync.pipe;

import io.idsync.state.StateStore;
import io.idsync.testsupport.PipeFixture;
import io.idsync.testsupport.PipeFixtureRouteTest;
import io.idsync.testsupport.SandboxAdmin;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seed 003's sync status of {@code pingone-to-directory} over a mix of creates, refused creates and updates, deletes,
 * moves out of scope and fixes: the figures of the whole scope, counted from the state alone, agree after each step
 * with the entries' own states, and a restarted process reads the same figures. The audit log has each operation,
 * with attribute names and never their values.
 */
class SyncStatusRouteTest extends PipeFixtureRouteTest {

    SyncStatusRouteTest() {
        super(40, 0); // 40: two removals in one batch stay within the deletion guard (10 %)
    }

    private StateStore.Figures figures() {
        return systems.state.figures(PipeFixture.PIPE, false);
    }

    /** The figures as the entries' own states say, one by one. */
    private Map<String, Long> counted(StateStore state) {
        Map<String, Long> counts = new TreeMap<>();
        for (StateStore.EntryState entry : state.entries(PipeFixture.PIPE, "any", false, null, null, 1000)) {
            counts.merge(StateStore.category(entry, false), 1L, Long::sum);
        }
        counts.remove("outOfScope");
        return counts;
    }

    private static Map<String, Long> asMap(StateStore.Figures f) {
        Map<String, Long> counts = new TreeMap<>(Map.of("success", f.success(), "unsynced", f.unsynced(), "partial", f.partial(), "failed", f.failed()));
        counts.values().removeIf(n -> n == 0);
        return counts;
    }

    private void assertFigures(long impacted, long success, long partial, long failed, String after) {
        assertEquals(new StateStore.Figures(impacted, success, 0, partial, failed), figures(), after);
        assertEquals(counted(systems.state), asMap(figures()), after + ": the figures are the entries' own states");
    }

    @Test
    void theFiguresOfTheWholeScopeAgreeWithTheEntriesAndSurviveARestart() throws Exception {
        loadRoutes("classpath:routes/pingone-to-directory.yaml");
        AdviceWith.adviceWith(context, "pingone-to-directory-poll", a -> a.replaceFromWith("direct:poll"));
        context.start();
        template.sendBody("direct:poll", null);
        assertFigures(40, 40, 0, 0, "the initial load");

        // a create the directory refuses (its telephoneNumber): failed, no account
        com.fasterxml.jackson.databind.node.ObjectNode bad = SandboxAdmin.JSON.createObjectNode();
        bad.put("username", "bad.phone").put("email", "bad.phone@example.com").put("primaryPhone", "555 {ext 12}");
        bad.putObject("name").put("given", "Bad").put("family", "Phone");
        bad.putObject("population").put("id", systems.admin.populationId("Employees"));
        String badId = systems.admin.createUser(bad);
        // an update it refuses: the account is there, out of step (partial)
        String first = systems.admin.userIdStartingWith("e000001.");
        systems.admin.patchUser(first, SandboxAdmin.JSON.createObjectNode().put("primaryPhone", "555 {ext 13}"));
        template.sendBody("direct:poll", null);
        assertFigures(41, 39, 1, 1, "a refused create and a refused update");

        // a delete and a move out of Employees: no longer impacted
        systems.admin.deleteUser(systems.admin.userIdStartingWith("e000002."));
        systems.admin.movePopulation(systems.admin.userIdStartingWith("e000003."), "Contractors");
        template.sendBody("direct:poll", null);
        assertFigures(39, 37, 1, 1, "a delete and a scope exit");

        // both fixed at the source: synced
        systems.admin.patchUser(badId, SandboxAdmin.JSON.createObjectNode().put("primaryPhone", "555 0112"));
        systems.admin.patchUser(first, SandboxAdmin.JSON.createObjectNode().put("primaryPhone", "555 0113"));
        template.sendBody("direct:poll", null);
        assertFigures(39, 39, 0, 0, "fixed");

        StateStore restarted = new StateStore(systems.stateDatabase);
        assertEquals(figures(), restarted.figures(PipeFixture.PIPE, false), "a new process counts the same from the rows");

        List<StateStore.AuditRecord> trail = restarted.auditRecords(PipeFixture.PIPE, first, null, null, null, null, 0, 10);
        assertEquals(List.of("modify", "modify", "create"), trail.stream().map(StateStore.AuditRecord::operation).toList(), "newest first: " + trail);
        assertEquals(List.of("succeeded", "failed", "succeeded"), trail.stream().map(StateStore.AuditRecord::outcome).toList());
        assertEquals("telephoneNumber", trail.get(0).attributes(), "the attribute's name");
        assertTrue(trail.stream().noneMatch(r -> String.valueOf(r.attributes()).contains("555")), "never its value");
        assertEquals(40 + 1, restarted.auditRecords(PipeFixture.PIPE, null, "create", "succeeded", null, null, 0, 100).size(),
                "the initial load's creates and the fixed user's");
        assertEquals(List.of("delete"), restarted.auditRecords(PipeFixture.PIPE, null, "delete", null, null, null, 0, 100).stream()
                .map(StateStore.AuditRecord::operation).distinct().toList());
    }
}

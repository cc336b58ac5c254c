package io.idsync.pipe;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchScope;
import io.idsync.connector.Plan;
import io.idsync.connector.SystemUnavailable;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.state.StateStore;
import io.idsync.testsupport.PipeFixtureRouteTest;
import io.idsync.testsupport.PipeFixture;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Route-level tests of {@code routes/pingone-to-directory.yaml} as shipped, on Camel Test JUnit5: the YAML
 * is loaded from the classpath, its quartz trigger is replaced by {@code direct:poll} (so each test decides
 * when a poll happens) and steps are advised by their stable ids ({@code pingone-to-directory.deliver},
 * {@code pingone-to-directory.record}, ...). The systems around it are real: PingOne sandbox, demo directory,
 * H2 state store.
 */
class PingOneToDirectoryRouteTest extends PipeFixtureRouteTest {

    PingOneToDirectoryRouteTest() {
        super(EMPLOYEES, 10);
    }

    private static final int EMPLOYEES = 60;

    /** Loads the shipped route, applies the test's advice, starts the context. */
    private void start(org.apache.camel.util.function.ThrowingConsumer<org.apache.camel.builder.AdviceWithRouteBuilder, Exception> roadAdvice) throws Exception {
        loadRoutes("classpath:routes/pingone-to-directory.yaml");
        AdviceWith.adviceWith(context, "pingone-to-directory-poll", a -> a.replaceFromWith("direct:poll"));
        AdviceWith.adviceWith(context, "pingone-to-directory-reconcile", a -> a.replaceFromWith("direct:reconcile"));
        if (roadAdvice != null) {
            AdviceWith.adviceWith(context, "pingone-to-directory", roadAdvice);
        }
        context.start();
    }

    private void poll() {
        template.sendBody("direct:poll", null);
    }

    @Test
    void theFirstPollLoadsEveryInScopeUserThenTheFeedFollows() throws Exception {
        start(null);
        poll();
        assertEquals(EMPLOYEES, people());
        String checkpoint = systems.state.checkpoint(PipeFixture.PIPE).orElseThrow();
        assertEquals(EMPLOYEES, systems.pipe().counters().get("created"));

        systems.admin.createUser("route.new", "Route", "New", "Employees");
        poll();
        assertEquals(EMPLOYEES + 1, people());
        assertNotEquals(checkpoint, systems.state.checkpoint(PipeFixture.PIPE).orElseThrow(), "the checkpoint moved past the applied change");
        assertEquals(1, systems.pipe().counters().get(PipeCounters.CHANGES_SEEN));

        poll();
        assertEquals(EMPLOYEES + 1, systems.pipe().counters().get("created"), "a poll with nothing new writes nothing");
    }

    @Test
    void aFullScanOfUnchangedUsersWritesNothing() throws Exception {
        start(null);
        poll();
        long changelogBefore = lastChangeNumber();
        systems.state.clearCheckpoint(PipeFixture.PIPE); // the next poll runs the full scan again
        poll();
        assertEquals(changelogBefore, lastChangeNumber(), "no LDAP write for users that are already in step");
        assertEquals(EMPLOYEES, systems.pipe().counters().get("noChange"));
        assertEquals(EMPLOYEES, systems.pipe().counters().get("created"));
    }

    @Test
    void theDeletionGuardHoldsEveryRemovalOfARunPastItsLimitUntilAnOperatorApprovesOrRejectsEach() throws Exception {
        systems.deletionGuard = new DeletionGuard(10, 3);
        systems.restart();
        start(null);
        poll();
        String employees = systems.environment.populationIdsByName().get("Employees");
        List<String> leaving = systems.environment.userIdsInPopulation(employees).stream().limit(6).toList();
        // six users leave the pipe's scope (moved to Contractors) in one batch: more than the guard's 3
        leaving.forEach(id -> systems.admin.movePopulation(id, "Contractors"));
        systems.admin.createUser("held.meanwhile", "Held", "Meanwhile", "Employees");
        poll();
        assertEquals(EMPLOYEES + 1, people(), "0 removals; the rest of the batch went on (the new user was created)");
        assertEquals(0, systems.pipe().counters().get("deleted"));
        assertEquals(6, systems.state.heldCount(PipeFixture.PIPE));
        List<StateStore.HeldRemoval> held = systems.state.heldRemovals(PipeFixture.PIPE, "", 100);
        assertEquals(leaving.stream().sorted().toList(), held.stream().map(StateStore.HeldRemoval::sourceId).toList());
        assertTrue(held.get(0).reason().contains("the run planned more than 3 removals (delete or disable) of the pipe's 60 linked entries"), held.get(0).reason());
        assertEquals("delete", held.get(0).action());
        poll();
        assertEquals(EMPLOYEES + 1, people(), "held: a later poll removes nothing either");

        // a restart: a new pipe over the same state finds them held
        systems.restart();
        assertEquals(6, systems.state.heldCount(PipeFixture.PIPE));
        poll();
        assertEquals(EMPLOYEES + 1, people());

        List<String> approved = leaving.subList(0, 2);
        List<String> rejected = leaving.subList(2, 6);
        org.apache.camel.Exchange approval = new org.apache.camel.support.DefaultExchange(context);
        systems.road.beginApproval(approval, systems.pipe(), approved, "alice", 0);
        template.send("direct:" + PipeFixture.PIPE, approval);
        systems.road.finishRun(approval);
        assertEquals(4, systems.road.rejectHeld(systems.pipe(), rejected, "bob", "they moved on purpose", 0));
        assertEquals(EMPLOYEES - 1, people(), "2 removed, 4 kept");
        assertEquals(0, systems.state.heldCount(PipeFixture.PIPE));
        for (String id : rejected) {
            assertEquals(StateStore.Status.REMOVED, systems.state.entry(PipeFixture.PIPE, id).orElseThrow().status(), "unlinked: " + id);
        }
        poll();
        assertEquals(EMPLOYEES - 1, people(), "a rejected removal is not made later");

        List<StateStore.AuditRecord> audit = systems.state.auditRecords(PipeFixture.PIPE, null, null, null, null, null, 0, 100);
        assertEquals(6, audit.stream().filter(r -> "held".equals(r.outcome()) && r.sourceId() != null).count(), "each held removal recorded");
        assertTrue(audit.stream().anyMatch(r -> r.operation().equals("held-removals-approved") && r.reason().startsWith("alice approved")));
        assertEquals(2, audit.stream().filter(r -> r.operation().equals("delete") && "succeeded".equals(r.outcome())).count());
        List<StateStore.AuditRecord> rejections = audit.stream().filter(r -> "rejected".equals(r.outcome())).toList();
        assertEquals(rejected.stream().sorted().toList(), rejections.stream().map(StateStore.AuditRecord::sourceId).sorted().toList());
        assertTrue(rejections.stream().allMatch(r -> r.reason().startsWith("bob rejected the removal: they moved on purpose")), rejections.get(0).reason());
    }

    /** Provisions one entry on demand, as POST .../provision does, and answers its trace. */
    @SuppressWarnings("unchecked")
    private java.util.Map<String, Object> provision(String identifier, boolean dryRun) {
        org.apache.camel.Exchange exchange = new org.apache.camel.support.DefaultExchange(context);
        systems.road.beginProvision(exchange, systems.pipe(), identifier, dryRun, "carol", 0);
        template.send("direct:" + PipeFixture.PIPE, exchange);
        assertEquals(null, exchange.getException());
        systems.road.finishProvision(exchange);
        return exchange.getIn().getBody(java.util.Map.class);
    }

    @SuppressWarnings("unchecked")
    private static java.util.Map<String, Object> step(java.util.Map<String, Object> trace, String name) {
        return ((List<java.util.Map<String, Object>>) trace.get("steps")).stream().filter(s -> name.equals(s.get("step"))).findFirst().orElseThrow();
    }

    @Test
    void anEntryProvisionedOnDemandGoesDownTheRoadAtOnceAndItsTraceSaysWhatEachStepDid() throws Exception {
        start(null);
        poll();
        long changes = lastChangeNumber();

        // out of scope: nothing is sent, and the rule that decided is named
        String contractor = systems.environment.userIdsInPopulation(systems.environment.populationIdsByName().get("Contractors")).iterator().next();
        java.util.Map<String, Object> out = provision(contractor, false);
        assertEquals("outOfScope", out.get("outcome"));
        assertEquals(false, step(out, "scope").get("inScope"));
        assertTrue(((String) step(out, "scope").get("rule")).contains("is not one of the pipe's populations: Employees"), out.toString());
        assertEquals("nothing sent to the destination", step(out, "deliver").get("summary"));
        assertEquals(changes, lastChangeNumber(), "no request to the destination");

        // a dry run of a new user: the plan, nothing written
        String newcomer = systems.admin.createUser("on.demand", "On", "Demand", "Employees");
        java.util.Map<String, Object> dry = provision("on.demand", true);
        assertEquals("create", step(dry, "plan").get("action"));
        assertEquals("not sent: a dry run", step(dry, "deliver").get("summary"));
        assertEquals(changes, lastChangeNumber(), "a dry run writes nothing");
        assertTrue(systems.state.entry(PipeFixture.PIPE, newcomer).isEmpty(), "and links nothing");

        // live, named by its username: read, in scope, mapped, no correlation match, created and linked when the call returns
        java.util.Map<String, Object> live = provision("on.demand", false);
        assertEquals("created", live.get("outcome"), live.toString());
        assertEquals(newcomer, live.get("sourceId"));
        assertEquals("on.demand", ((java.util.Map<String, Object>) step(live, "read").get("entry")).get("username"));
        assertTrue(((String) step(live, "scope").get("rule")).contains("its population is one of the pipe's: Employees"), live.toString());
        assertEquals("uid=on.demand," + DemoDirectory.PEOPLE_DN, step(live, "map").get("name"));
        assertTrue(step(live, "correlate").get("trail").toString().contains("no entry"), live.toString());
        assertEquals("done", step(live, "deliver").get("summary"));
        assertEquals(EMPLOYEES + 1, people());
        assertEquals(StateStore.Status.SYNCED, systems.state.entry(PipeFixture.PIPE, newcomer).orElseThrow().status());
        assertTrue(systems.state.auditRecords(PipeFixture.PIPE, null, "provision-on-demand", null, null, null, 0, 10).get(0).reason()
                .startsWith("carol asked for source entry " + newcomer));

        // again: linked, nothing to do
        java.util.Map<String, Object> again = provision(newcomer, false);
        assertEquals("noChange", again.get("outcome"));
        assertTrue(step(again, "correlate").get("trail").toString().contains("linked by an earlier run to uid=on.demand"), again.toString());

        java.util.NoSuchElementException unknown = assertThrows(java.util.NoSuchElementException.class, () -> provision("no.such.user", false));
        assertTrue(unknown.getMessage().contains("found no source entry named 'no.such.user'"), unknown.getMessage());
    }

    /** A new Employees user whose phone the directory's schema refuses (telephoneNumber syntax). */
    private String userWithABadPhone(String username) {
        com.fasterxml.jackson.databind.node.ObjectNode user = io.idsync.testsupport.SandboxAdmin.JSON.createObjectNode();
        user.put("username", username).put("email", username + "@example.com").put("primaryPhone", "555 {ext 7}");
        user.putObject("name").put("given", "Bad").put("family", "Phone");
        user.putObject("population").put("id", systems.admin.populationId("Employees"));
        return systems.admin.createUser(user);
    }

    @Test
    void failuresParkedByCategoryWaitForTheOperatorWhileThoseOfASystemThatCameBackSucceedByThemselves(@TempDir Path dir) throws Exception {
        try (io.idsync.testsupport.LdapProxy proxy = new io.idsync.testsupport.LdapProxy("127.0.0.1", java.net.URI.create(systems.directory.url()).getPort())) {
            java.util.function.Supplier<Pipe> restart = () -> systems.restart(PipeFixture.PIPE, "Employees", "mappings/pingone-to-directory.yaml",
                    settings -> new io.idsync.connector.ldap.LdapSettings(settings.name(), proxy.url(), settings.bindDn(), settings.bindPassword(),
                            settings.baseDn(), settings.poolSize(), settings.connectTimeout(), settings.responseTimeout()))
                    .failurePolicies(java.util.Map.of(io.idsync.connector.FailureCategory.SCHEMA, FailurePolicy.PARK));
            restart.get();
            start(null);
            poll();
            List<String> refused = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                refused.add(userWithABadPhone("bad.phone." + i));
            }
            poll();
            assertEquals(20, systems.state.figures(PipeFixture.PIPE, false).failed(), "the schema's refusals failed, parked");
            for (String id : refused) {
                StateStore.EntryState failed = systems.state.entry(PipeFixture.PIPE, id).orElseThrow();
                assertEquals("schema", failed.failureCategory(), failed.reason());
                assertTrue(systems.state.retryOf(PipeFixture.PIPE, id).isEmpty(), "parked: no retry waits for " + id);
            }
            // five more while the directory answers their adds 52 (unavailable), LDAP's 503
            proxy.unavailableFor(dn -> dn.startsWith("uid=outage."));
            for (int i = 0; i < 5; i++) {
                systems.admin.createUser("outage." + i, "Out", "Age", "Employees");
            }
            poll();
            assertEquals(EMPLOYEES, people(), "none of the five was written");
            assertTrue(systems.pipe().lastError().contains("unavailable (the test's outage)"), "the outage stopped the batch: " + systems.pipe().lastError());

            proxy.unavailableFor(dn -> false); // the directory is back: the five go through at the next poll, by themselves
            poll();
            assertEquals(EMPLOYEES + 5, people());
            assertEquals(20, systems.state.figures(PipeFixture.PIPE, false).failed(), "the parked ones still wait");
            poll();
            assertEquals(EMPLOYEES + 5, people(), "and are not retried by the polls");

            // one dismissed leaves the Failed count
            assertEquals(1, systems.state.dismissFailed(PipeFixture.PIPE, List.of(refused.get(0)), "by carol: a test account"));
            assertEquals(19, systems.state.figures(PipeFixture.PIPE, false).failed());
            assertEquals(1, systems.state.figures(PipeFixture.PIPE, false).unsynced());

            // the mapping fixed (no telephoneNumber), the parked ones retried by their category: created
            Path fixed = PipeFixture.shippedMapping(dir, "fixed.yaml", text -> text.replace(
                    "  - {to-attribute: telephoneNumber, type: direct, from-attribute: primaryPhone}\n", ""));
            systems.restart(PipeFixture.PIPE, "Employees", fixed.toString(),
                    settings -> new io.idsync.connector.ldap.LdapSettings(settings.name(), proxy.url(), settings.bindDn(), settings.bindPassword(),
                            settings.baseDn(), settings.poolSize(), settings.connectTimeout(), settings.responseTimeout()));
            assertEquals(19, systems.state.retryAllFailed(PipeFixture.PIPE, "schema"));
            poll();
            assertEquals(EMPLOYEES + 5 + 19, people());
            assertEquals(0, systems.state.figures(PipeFixture.PIPE, false).failed());
        }
    }

    @Test
    void aFailureWhosePolicyIsStopStopsThePipeNamingTheEntry() throws Exception {
        systems.pipe().failurePolicies(java.util.Map.of(io.idsync.connector.FailureCategory.SCHEMA, FailurePolicy.STOP));
        start(null);
        poll();
        String checkpoint = systems.state.checkpoint(PipeFixture.PIPE).orElseThrow();
        String bad = userWithABadPhone("stopping.phone");
        poll();
        assertEquals(checkpoint, systems.state.checkpoint(PipeFixture.PIPE).orElseThrow(), "the batch stopped: its checkpoint stays");
        assertTrue(systems.pipe().lastError().contains("entry " + bad + " failed (schema: LDAP add uid=stopping.phone"), systems.pipe().lastError());
        assertTrue(systems.pipe().lastError().contains("failure-policy.schema is stop"), systems.pipe().lastError());
    }

    @Test
    void aRunWithinTheDeletionGuardsLimitMakesItsRemovalsWhenItEnds() throws Exception {
        systems.deletionGuard = new DeletionGuard(10, 3);
        systems.restart();
        start(null);
        poll();
        systems.environment.userIdsInPopulation(systems.environment.populationIdsByName().get("Employees")).stream().limit(3)
                .forEach(systems.admin::deleteUser);
        poll();
        assertEquals(EMPLOYEES - 3, people());
        assertEquals(0, systems.state.heldCount(PipeFixture.PIPE));
        assertEquals(3, systems.pipe().counters().get("deleted"));
    }

    @Test
    void aReconciliationFindsDeletesAndScopeExitsTheFeedNeverShowed() throws Exception {
        start(null);
        poll();
        String checkpoint = systems.state.checkpoint(PipeFixture.PIPE).orElseThrow();
        String employees = systems.environment.populationIdsByName().get("Employees");
        String contractors = systems.environment.populationIdsByName().get("Contractors");
        List<String> ids = systems.environment.userIdsInPopulation(employees).stream().limit(3).toList();
        systems.environment.deleteUserWithoutActivity(ids.get(0));
        systems.environment.deleteUserWithoutActivity(ids.get(1));
        systems.environment.moveUserWithoutActivity(ids.get(2), contractors);
        poll();
        assertEquals(EMPLOYEES, people(), "the change feed shows nothing of it");

        template.sendBody("direct:reconcile", null);
        assertEquals(EMPLOYEES - 3, people(), "two deleted, one out of scope: all three entries removed");
        assertEquals(3, systems.pipe().counters().get("deleted"));
        assertEquals("reconciliation", systems.pipe().lastRun().toMap().get("kind"));
        assertEquals(EMPLOYEES - 3, systems.state.count(PipeFixture.PIPE, StateStore.Status.SYNCED));
        assertTrue(systems.state.checkpoint(PipeFixture.PIPE).orElseThrow().compareTo(checkpoint) >= 0, "the feed's checkpoint is untouched by it");
    }

    @Test
    void eachPipeHasItsOwnStepIdsAtRunTime() throws Exception {
        start(null);
        for (String step : List.of("poll", "road", "checkpoint", "reconcile", "reconcile-road", "each-change", "scope", "enrich", "map",
                "skip-when", "correlate", "plan", "deliver", "record")) {
            assertNotNull(context.getProcessor("pingone-to-directory." + step), "step pingone-to-directory." + step);
        }
    }

    /**
     * A deployment's own pipe file (as in config/routes/) adds a rule to the road without touching other pipes:
     * the users its skipWhen matches are left alone, everyone else walks the road as before.
     */
    @Test
    void aPipeFileAddsItsOwnRuleToTheRoad(@TempDir Path routes) throws Exception {
        Path file = routes.resolve("pingone-to-directory.yaml");
        Files.writeString(file, """
                - templatedRoute:
                    routeTemplateRef: idsync-poll
                    routeId: pingone-to-directory-poll
                    prefixId: pingone-to-directory.
                    parameters: [{name: pipe, value: pingone-to-directory}]
                - templatedRoute:
                    routeTemplateRef: idsync-reconcile
                    routeId: pingone-to-directory-reconcile
                    prefixId: pingone-to-directory.
                    parameters: [{name: pipe, value: pingone-to-directory}]
                - templatedRoute:
                    routeTemplateRef: idsync-road
                    routeId: pingone-to-directory
                    prefixId: pingone-to-directory.
                    parameters:
                      - {name: pipe, value: pingone-to-directory}
                      # the first two employees stay out of the directory
                      - {name: skipWhen, value: "${body.value('uid')} regex '^e00000[12][.].*'"}
                """);
        loadRoutes("file:" + file);
        AdviceWith.adviceWith(context, "pingone-to-directory-poll", a -> a.replaceFromWith("direct:poll"));
        AdviceWith.adviceWith(context, "pingone-to-directory-reconcile", a -> a.replaceFromWith("direct:reconcile"));
        context.start();
        poll();
        assertEquals(EMPLOYEES - 2, people(), "everyone but the two the rule leaves alone");
        assertEquals(2, systems.pipe().counters().get("outOfScope"));
        try (LDAPConnection connection = systems.directory.connection()) {
            assertEquals(0, connection.search(DemoDirectory.BASE_DN, SearchScope.SUB, "(|(uid=e000001.*)(uid=e000002.*))").getEntryCount());
            assertEquals(1, connection.search(DemoDirectory.BASE_DN, SearchScope.SUB, "(uid=e000003.*)").getEntryCount());
        }
    }

    @Test
    void deliverIsTheOnlyStepThatWrites() throws Exception {
        start(a -> a.weaveById("deliver").replace().to("mock:deliver"));
        MockEndpoint deliver = getMockEndpoint("mock:deliver");
        deliver.expectedMessageCount(EMPLOYEES);
        poll();
        deliver.assertIsSatisfied();
        assertEquals(0, people(), "with deliver advised away the directory is untouched");
        SyncItem item = deliver.getReceivedExchanges().get(0).getIn().getBody(SyncItem.class);
        assertEquals(Plan.Action.CREATE, item.plan().action());
        assertTrue(item.plan().ref().startsWith("uid=e0000"), item.plan().ref());
    }

    @Test
    void aCrashBetweenWritingAndRecordingReplaysWithoutDuplicates() throws Exception {
        AtomicInteger recorded = new AtomicInteger();
        // the process "dies" after 25 users were written to the directory: the 26th is written but not recorded
        start(a -> a.weaveById("record").before().process(exchange -> {
            if (recorded.incrementAndGet() > 25) {
                throw new SystemUnavailable("simulated crash");
            }
        }));
        poll();
        assertTrue(systems.state.checkpoint(PipeFixture.PIPE).isEmpty(), "no checkpoint while the initial load is unfinished");
        String firstStart = systems.state.initialLoadStart(PipeFixture.PIPE, () -> "not noted");
        int written = people();
        assertTrue(written > 25 && written <= EMPLOYEES, "some users reached the directory before the crash: " + written);

        // restart: a new pipe over the same directory and state; the initial load runs again
        context.getRouteController().stopRoute("pingone-to-directory");
        context.removeRoute("pingone-to-directory");
        context.removeRoute("pingone-to-directory-poll");
        context.getRouteController().stopRoute("pingone-to-directory-reconcile");
        context.removeRoute("pingone-to-directory-reconcile");
        systems.restart();
        loadRoutes("classpath:routes/pingone-to-directory.yaml");
        AdviceWith.adviceWith(context, "pingone-to-directory-poll", a -> a.replaceFromWith("direct:poll"));
        AdviceWith.adviceWith(context, "pingone-to-directory-reconcile", a -> a.replaceFromWith("direct:reconcile"));
        context.getRouteController().startAllRoutes();
        poll();

        assertEquals(EMPLOYEES, people(), "every user exactly once: nothing lost, nothing duplicated");
        assertEquals(firstStart, systems.state.checkpoint(PipeFixture.PIPE).orElseThrow(),
                "the restarted load kept the first attempt's feed position: what changed in between is replayed");
        assertNotEquals("not noted", firstStart);
        assertEquals(EMPLOYEES, systems.state.count(PipeFixture.PIPE, StateStore.Status.SYNCED));
    }

    @Test
    void aDirectoryOutageStopsTheBatchAndKeepsTheCheckpoint() throws Exception {
        start(null);
        poll();
        String checkpoint = systems.state.checkpoint(PipeFixture.PIPE).orElseThrow();
        String id = systems.admin.createUser("during.outage", "Dur", "Ing", "Employees");
        systems.directory.server().shutDown(true); // a real outage: listener and open connections gone
        poll();
        assertEquals(checkpoint, systems.state.checkpoint(PipeFixture.PIPE).orElseThrow(),
                "the batch stopped and the checkpoint stayed; the user was not recorded: " + systems.state.entry(PipeFixture.PIPE, id));
        assertNotNull(systems.pipe().lastError());
        assertTrue(systems.pipe().lastError().contains("LDAP"), systems.pipe().lastError());

        systems.directory.server().startListening();
        poll();
        assertEquals(EMPLOYEES + 1, people(), "the replayed batch applied the change");
        assertNotEquals(checkpoint, systems.state.checkpoint(PipeFixture.PIPE).orElseThrow());
    }

    @Test
    void anAmbiguousCorrelationFailsThatUserAloneAndWritesNothing() throws Exception {
        try (LDAPConnection ldap = systems.directory.connection()) {
            ldap.add("dn: ou=Other,dc=example,dc=com", "objectClass: organizationalUnit", "ou: Other");
            ldap.add("dn: uid=twin,ou=Other,dc=example,dc=com", "objectClass: inetOrgPerson", "uid: twin", "cn: One", "sn: One");
            ldap.add("dn: cn=twin two,ou=Other,dc=example,dc=com", "objectClass: inetOrgPerson", "uid: twin", "cn: twin two", "sn: Two");
        }
        start(null);
        poll();
        String id = systems.admin.createUser("twin", "Twin", "Twin", "Employees");
        systems.admin.createUser("single", "Sin", "Gle", "Employees");
        poll();
        StateStore.EntryState failed = systems.state.entry(PipeFixture.PIPE, id).orElseThrow();
        assertEquals(StateStore.Status.FAILED, failed.status());
        assertTrue(failed.reason().contains("correlation rule [uid] matched more than one"), failed.reason());
        assertEquals(EMPLOYEES + 1, people(), "the other new user was created; the ambiguous one was not");
        assertEquals(1, systems.pipe().counters().get("failed"));
    }

    @Test
    void aStartpointSetToEndSkipsWhatCameBeforeAndATimeBeforeReadsItAgain() throws Exception {
        start(null);
        poll();
        List<String> ids = systems.environment.userIdsInPopulation(systems.environment.populationIdsByName().get("Employees")).stream().limit(2).toList();
        java.time.Instant beforeA = java.time.Instant.now().minusMillis(1);
        systems.admin.patchUser(ids.get(0), io.idsync.testsupport.SandboxAdmin.JSON.createObjectNode().put("title", "Change A"));
        Startpoint.Position end = Startpoint.set(systems.pipe(), "end", "test-operator", 0);
        assertTrue(end.described().startsWith("PingOne activities recorded from "), end.described());
        systems.admin.patchUser(ids.get(1), io.idsync.testsupport.SandboxAdmin.JSON.createObjectNode().put("title", "Change B"));
        poll();
        assertEquals("Change B", title(ids.get(1)), "B, after the startpoint, is applied");
        assertNotEquals("Change A", title(ids.get(0)), "A, before it, is skipped");

        long changelogBefore = lastChangeNumber();
        Startpoint.set(systems.pipe(), beforeA.toString(), "test-operator", 0);
        assertEquals(Startpoint.of(systems.pipe()).orElseThrow().token(), beforeA.truncatedTo(java.time.temporal.ChronoUnit.MILLIS) + "|");
        poll();
        assertEquals("Change A", title(ids.get(0)), "A is read again and applied");
        assertEquals(changelogBefore + 1, lastChangeNumber(), "B, read again, writes nothing: one modify, A's");
        assertTrue(systems.state.auditRecords(PipeFixture.PIPE, null, "startpoint-set", null, null, null, 0, 10).stream()
                .anyMatch(r -> r.reason().startsWith("test-operator moved it from PingOne activities recorded from ")), "the move is audited with who made it");
    }

    @Test
    void aStartpointTheSourceCannotTakeIsRefusedSayingWhatItTakes() throws Exception {
        start(null);
        poll();
        String checkpoint = systems.state.checkpoint(PipeFixture.PIPE).orElseThrow();
        io.idsync.connector.Startpoints.UnsupportedStartpoint beginning = org.junit.jupiter.api.Assertions.assertThrows(
                io.idsync.connector.Startpoints.UnsupportedStartpoint.class, () -> Startpoint.set(systems.pipe(), "beginning", "test-operator", 0));
        assertTrue(beginning.getMessage().contains("give a time"), beginning.getMessage());
        for (String bad : List.of("*)(", "change 42", "2026-13-45T99:00Z", "1 fortnight ago")) {
            assertThrows(io.idsync.connector.Startpoints.UnsupportedStartpoint.class, () -> Startpoint.set(systems.pipe(), bad, "test-operator", 0), bad);
        }
        io.idsync.connector.Startpoints.UnsupportedStartpoint future = org.junit.jupiter.api.Assertions.assertThrows(
                io.idsync.connector.Startpoints.UnsupportedStartpoint.class, () -> Startpoint.set(systems.pipe(), "2999-01-01T00:00Z", "test-operator", 0));
        assertTrue(future.getMessage().contains("in the future"), future.getMessage());
        assertEquals(checkpoint, systems.state.checkpoint(PipeFixture.PIPE).orElseThrow(), "nothing moved");
    }

    private String title(String id) throws Exception {
        try (LDAPConnection ldap = systems.directory.connection()) {
            com.unboundid.ldap.sdk.SearchResultEntry entry = ldap.searchForEntry(DemoDirectory.PEOPLE_DN, SearchScope.ONE,
                    com.unboundid.ldap.sdk.Filter.createEqualityFilter("entryUUID", id), "title");
            assertNotNull(entry, "user " + id + " is in the directory");
            return entry.getAttributeValue("title");
        }
    }

    private long lastChangeNumber() throws Exception {
        try (LDAPConnection ldap = systems.directory.connection()) {
            return Long.parseLong(ldap.getRootDSE().getAttributeValue("lastChangeNumber"));
        }
    }

    private int people() throws Exception {
        try (LDAPConnection ldap = systems.directory.connection()) {
            return ldap.search(DemoDirectory.PEOPLE_DN, SearchScope.ONE, "(objectClass=inetOrgPerson)", "1.1").getEntryCount();
        }
    }

}

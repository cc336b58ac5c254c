package io.idsync.pipe;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchScope;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.state.StateStore;
import io.idsync.testsupport.PipeFixture;
import io.idsync.testsupport.PipeFixtureRouteTest;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two pipes writing into one directory, each owning the entries it created or linked: the shipped
 * {@code pingone-to-directory} ({@code Employees} → {@code ou=People}) and a second pipe, {@code contractors-to-directory}
 * ({@code Contractors} → {@code ou=Contractors}), with the same mapping but for its DN. The second pipe's correlation
 * (entryUUID, then uid, over the whole directory) finds the employees' entries; it must not take them.
 */
class EntryOwnershipRouteTest extends PipeFixtureRouteTest {

    EntryOwnershipRouteTest() {
        super(EMPLOYEES, CONTRACTORS);
    }

    private static final String CONTRACTORS_PIPE = "contractors-to-directory";
    private static final String CONTRACTORS_DN = "ou=Contractors," + DemoDirectory.BASE_DN;
    private static final int EMPLOYEES = 30;
    private static final int CONTRACTORS = 5;

    @TempDir
    Path dir;

    private void start() throws Exception {
        Path mapping = PipeFixture.shippedMapping(dir, "contractors.yaml", text -> text.replace("ou=People,dc=example", "ou=Contractors,dc=example"));
        Path routes = dir.resolve(CONTRACTORS_PIPE + ".yaml");
        StringBuilder yaml = new StringBuilder();
        for (String[] route : new String[][]{{"idsync-poll", "-poll"}, {"idsync-reconcile", "-reconcile"}, {"idsync-road", ""}}) {
            yaml.append("- templatedRoute:\n    routeTemplateRef: ").append(route[0]).append("\n    routeId: ").append(CONTRACTORS_PIPE).append(route[1])
                    .append("\n    prefixId: ").append(CONTRACTORS_PIPE).append(".\n    parameters:\n      - {name: pipe, value: ").append(CONTRACTORS_PIPE).append("}\n");
        }
        Files.writeString(routes, yaml);
        try (LDAPConnection ldap = systems.directory.connection()) {
            ldap.add("dn: " + CONTRACTORS_DN, "objectClass: organizationalUnit", "ou: Contractors");
        }
        systems.restart(CONTRACTORS_PIPE, "Contractors", mapping.toString());
        loadRoutes("classpath:routes/pingone-to-directory.yaml", "file:" + routes);
        for (String pipe : List.of(PipeFixture.PIPE, CONTRACTORS_PIPE)) {
            AdviceWith.adviceWith(context, pipe + "-poll", a -> a.replaceFromWith("direct:poll-" + pipe));
        }
        context.start();
    }

    @Test
    void employeesWhoBecomeContractorsEndWithExactlyOneEntryWhicheverPipeComesFirst() throws Exception {
        start();
        poll(PipeFixture.PIPE);
        poll(CONTRACTORS_PIPE);
        assertEquals(EMPLOYEES, count(DemoDirectory.PEOPLE_DN));
        assertEquals(CONTRACTORS, count(CONTRACTORS_DN));

        List<String> moved = new ArrayList<>(systems.environment.userIdsInPopulation(systems.environment.populationIdsByName().get("Employees")))
                .subList(0, 3);
        moved.forEach(id -> systems.admin.movePopulation(id, "Contractors"));
        // the contractors' pipe first: the entries it finds are the employees' pipe's, still linked
        poll(CONTRACTORS_PIPE);
        for (String id : moved) {
            StateStore.EntryState state = systems.state.entry(CONTRACTORS_PIPE, id).orElseThrow();
            assertEquals(StateStore.Status.FAILED, state.status());
            assertTrue(state.reason().contains("belongs to pipe 'pingone-to-directory'"), state.reason());
        }
        assertEquals(EMPLOYEES, count(DemoDirectory.PEOPLE_DN), "nothing of the employees' pipe was moved or changed");
        assertEquals(CONTRACTORS, count(CONTRACTORS_DN));

        // the employees' pipe lets them go (its scope-exit action deletes), the contractors' pipe retries and creates them
        poll(PipeFixture.PIPE);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            poll(CONTRACTORS_PIPE);
            assertEquals(CONTRACTORS + moved.size(), count(CONTRACTORS_DN));
        });
        assertEquals(EMPLOYEES - moved.size(), count(DemoDirectory.PEOPLE_DN));
        for (String id : moved) {
            assertEquals(1, countWhere(Filter.createEqualityFilter("entryUUID", id)), "one entry for " + id);
            assertEquals(StateStore.Status.SYNCED, systems.state.entry(CONTRACTORS_PIPE, id).orElseThrow().status());
            assertEquals(StateStore.Status.REMOVED, systems.state.entry(PipeFixture.PIPE, id).orElseThrow().status());
        }
        poll(CONTRACTORS_PIPE);
        assertTrue(systems.state.retriesDue(CONTRACTORS_PIPE, 10).isEmpty(), "no retry is left once they are created");
    }

    /**
     * A copy of an entry given its entryUUID (as the demo's directory → directory pipes make in o=replica) is linked by
     * another pipe writing to the same directory: an entry found by correlation with the same id under another name is
     * not that pipe's while the copy still exists under its own name; once the copy's name is gone (a rename), it is.
     */
    @Test
    void anEntryWhoseIdACopyElsewhereSharesIsNotTheCopysOwnersButARenamedEntryIs() throws Exception {
        systems.restart("replica-pipe", "Contractors", "mappings/pingone-to-directory.yaml"); // writes to the same directory
        systems.restart();
        startShippedPipeAndLoad();
        List<String> ids = new ArrayList<>(systems.environment.userIdsInPopulation(systems.environment.populationIdsByName().get("Employees"))).subList(0, 2);
        String copied = ids.get(0);
        String renamed = ids.get(1);
        try (LDAPConnection ldap = systems.directory.connection()) {
            com.unboundid.ldap.sdk.SearchResultEntry entry = ldap.searchForEntry(DemoDirectory.PEOPLE_DN, SearchScope.ONE,
                    Filter.createEqualityFilter("entryUUID", copied), "*", "entryUUID");
            com.unboundid.ldap.sdk.Entry copy = entry.duplicate();
            copy.setDN(entry.getRDN() + ",ou=People," + DemoDirectory.REPLICA_DN);
            // as PingDirectory and the demo directory take entryUUID from a sync tool (the pipes write it the same way)
            com.unboundid.ldap.sdk.AddRequest add = new com.unboundid.ldap.sdk.AddRequest(copy);
            add.addControl(new com.unboundid.ldap.sdk.unboundidds.controls.IgnoreNoUserModificationRequestControl());
            ldap.add(add);
            systems.state.recordSynced("replica-pipe", copied, copy.getDN(), copied);
        }
        // the renamed entry's link names an entry that is gone (renamed behind the replica pipe's back: the id remains)
        systems.state.recordSynced("replica-pipe", renamed, "uid=renamed-away,ou=People," + DemoDirectory.REPLICA_DN, renamed);
        for (String id : ids) {
            systems.state.recordRemoved(PipeFixture.PIPE, id); // unlinked, as a rejected removal leaves it
        }
        systems.state.flush();
        ids.forEach(id -> systems.admin.setEnabled(id, false));
        template.sendBody("direct:poll", null);

        assertEquals(StateStore.Status.SYNCED, systems.state.entry(PipeFixture.PIPE, copied).orElseThrow().status(),
                "linked again: the copy elsewhere is another entry");
        StateStore.EntryState refused = systems.state.entry(PipeFixture.PIPE, renamed).orElseThrow();
        assertEquals(StateStore.Status.FAILED, refused.status());
        assertTrue(refused.reason().contains("belongs to pipe 'replica-pipe'"), refused.reason());
    }

    private int count(String base) throws Exception {
        try (LDAPConnection ldap = systems.directory.connection()) {
            return ldap.search(base, SearchScope.ONE, "(objectClass=inetOrgPerson)", "1.1").getEntryCount();
        }
    }

    private int countWhere(Filter filter) throws Exception {
        try (LDAPConnection ldap = systems.directory.connection()) {
            return ldap.search(DemoDirectory.BASE_DN, SearchScope.SUB, filter, "1.1").getEntryCount();
        }
    }
}

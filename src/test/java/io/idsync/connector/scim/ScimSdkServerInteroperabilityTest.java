package io.idsync.connector.scim;

import io.idsync.connector.Connector;
import io.idsync.connector.Destination;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.EntryType;
import io.idsync.connector.Plan;
import io.idsync.connector.Settings;
import io.idsync.testsupport.scim.ScimSdkServer;
import io.idsync.testsupport.scim.ScimServerUnderTest;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interoperability scenario against de.captaingoldfish:scim-sdk-server 1.30.0 on the JDK's HTTP server, on
 * loopback, with HTTP basic: it insists on application/scim+json and supports ETags (idsync sends If-Match).
 */
class ScimSdkServerInteroperabilityTest extends ScimInteroperabilityScenario {

    private ScimSdkServer server;

    @Override
    ScimServerUnderTest start() {
        server = ScimSdkServer.start();
        return server;
    }

    /** Its /ServiceProviderConfig says ETags: every update carries the version it read, and a stale one is read again. */
    @Test
    void updatesCarryIfMatchAndAConcurrentChangeIsReadAgainNotOverwritten() {
        Connector connection = connect(Map.of());
        Destination users = connection.destination(EntryType.USER, new Settings("idsync.pipes.interop", key -> Optional.empty()));
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        String userName = "etag." + UUID.randomUUID().toString().substring(0, 8);
        attributes.put("userName", List.of(userName));
        attributes.put("title", List.of("Engineer"));
        String id = users.apply(new Plan(Plan.Action.CREATE, null, null, attributes, List.of())).id();

        int before = server.received().size();
        // someone else changes the user between idsync's read and its PATCH: the PATCH's If-Match is stale
        server.beforeNextPatch(() -> users.apply(new Plan(Plan.Action.MODIFY, id, null, Map.of(),
                List.of(new Plan.AttributeChange("nickName", Plan.AttributeChange.Kind.REPLACE, List.of("Someone else's"))))));
        users.apply(new Plan(Plan.Action.MODIFY, id, null, Map.of(),
                List.of(new Plan.AttributeChange("title", Plan.AttributeChange.Kind.REPLACE, List.of("Lead")))));

        List<ScimSdkServer.Received> patches = server.received().subList(before, server.received().size()).stream()
                .filter(r -> r.method().equals("PATCH")).toList();
        assertTrue(patches.stream().allMatch(r -> r.ifMatch() != null && r.ifMatch().startsWith("W/\"")), "every PATCH has If-Match: " + patches);
        assertEquals(List.of(200, 412, 200), patches.stream().map(ScimSdkServer.Received::status).toList(),
                "the other writer's PATCH, idsync's refused as stale, idsync's again after a new read");
        DestinationEntry user = users.read(id).orElseThrow();
        assertEquals(List.of("Lead"), user.values("title"));
        assertEquals(List.of("Someone else's"), user.values("nickName"), "the other writer's change is kept");
        users.apply(Plan.delete(id));
    }

    /**
     * A provider that refuses more than 100 members in one request (as AWS does): a 1,000-member group is created with
     * its first 100 and PATCHed with the rest, 100 at a time; 150 joining and 120 leaving go the same way.
     */
    @Test
    void aThousandMemberGroupReachesAProviderThatTakesAHundredPerRequest() {
        server.refuseMoreMembersThan(100);
        Connector connection = connect(Map.of());
        Settings pipe = new Settings("idsync.pipes.interop", key -> Optional.empty());
        Destination users = connection.destination(EntryType.USER, pipe);
        Destination groups = connection.destination(EntryType.GROUP, pipe);
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 1150; i++) {
            ids.add(users.apply(new Plan(Plan.Action.CREATE, null, null, Map.of("userName", List.of("big" + i + "." + UUID.randomUUID().toString().substring(0, 6))),
                    List.of())).id());
        }
        Map<String, List<String>> group = new LinkedHashMap<>();
        group.put("displayName", List.of("All Staff " + UUID.randomUUID().toString().substring(0, 6)));
        group.put("members", ids.subList(0, 1000));
        String id = groups.apply(new Plan(Plan.Action.CREATE, null, null, group, List.of())).id();
        assertEquals(new java.util.TreeSet<>(ids.subList(0, 1000)), new java.util.TreeSet<>(groups.read(id).orElseThrow().values("members")), "all 1,000 members");

        List<String> wanted = new java.util.ArrayList<>(ids.subList(120, 1150)); // 120 leave, 150 join
        groups.apply(new Plan(Plan.Action.MODIFY, id, null, Map.of(), List.of(new Plan.AttributeChange("members", Plan.AttributeChange.Kind.REPLACE, wanted))));
        assertEquals(new java.util.TreeSet<>(wanted), new java.util.TreeSet<>(groups.read(id).orElseThrow().values("members")), "1,030 members after");
        assertEquals(100, server.mostMembersInOneRequest(), "never more than max-members-per-request in one request");
        assertTrue(server.received().stream().noneMatch(r -> r.status() == 400), "nothing refused");
    }
}

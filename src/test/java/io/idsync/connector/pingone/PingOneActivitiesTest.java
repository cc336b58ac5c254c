package io.idsync.connector.pingone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.idsync.connector.Change;
import io.idsync.connector.EntryType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Activities as PingOne's audit feed shows them (Ping's docs and captured events), read as changes. */
class PingOneActivitiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-12-07T10:00:00Z");
    private static final String ENV = "https://api.pingone.com/v1/environments/e1";

    private static List<String> changes(String activity) throws Exception {
        JsonNode node = JSON.readTree(activity);
        return PingOneActivities.toChanges(node, AT).stream()
                .map(c -> c.entryType() + " " + c.kind() + " " + c.sourceId() + " by " + String.join(",", c.actors())).toList();
    }

    @Test
    void aMembershipChangesItsUserAndItsGroupWhicheverWayTheGroupIsNamed() throws Exception {
        // as captured: the resource is the membership, its id not said to be the user's or the group's; the href says both
        assertEquals(List.of("user MODIFY u1 by app", "group MODIFY g1 by app"), changes("""
                {"action":{"type":"MEMBER_OF_GROUP.CREATED"},"actors":{"client":{"id":"app"}},
                 "resources":[{"type":"MEMBER_OF_GROUP","id":"m1","name":"Sales","href":"%s/users/u1/memberOfGroups/g1"}]}
                """.formatted(ENV)));
        // the user and the group each in resources[]
        assertEquals(List.of("user MODIFY u1 by app", "group MODIFY g1 by app"), changes("""
                {"action":{"type":"MEMBER_OF_GROUP.DELETED"},"actors":{"client":{"id":"app"}},
                 "resources":[{"type":"USER","id":"u1","href":"%1$s/users/u1"},{"type":"GROUP","id":"g1","href":"%1$s/groups/g1"}]}
                """.formatted(ENV)));
    }

    @Test
    void lockAndUnlockAreChangesOfTheUserAndOtherResourcesConcernNoPipe() throws Exception {
        assertEquals(List.of("user MODIFY u1 by app"), changes("""
                {"action":{"type":"USER.UNLOCKED"},"actors":{"client":{"id":"app"}},"resources":[{"type":"USER","id":"u1"}]}"""));
        assertEquals(List.of("user MODIFY u1 by app"), changes("""
                {"action":{"type":"USER.LOCKED"},"actors":{"client":{"id":"app"}},"resources":[{"type":"USER","id":"u1"}]}"""));
        assertEquals(List.of("user DELETE u1 by app"), changes("""
                {"action":{"type":"USER.DELETED"},"actors":{"client":{"id":"app"}},"resources":[{"type":"USER","id":"u1"}]}"""));
        assertEquals(List.of("null CREATE p1 by app"), changes("""
                {"action":{"type":"POPULATION.CREATED"},"actors":{"client":{"id":"app"}},"resources":[{"type":"POPULATION","id":"p1"}]}"""));
    }
}

package io.idsync.pipe;

import com.fasterxml.jackson.databind.JsonNode;
import io.idsync.sandbox.DemoSeed;
import io.idsync.testsupport.SandboxAdmin;
import io.idsync.testsupport.TwoEnvironments;
import io.idsync.testsupport.WiredPipes;
import io.idsync.testsupport.TwoEnvironmentsRouteTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code routes/pingone-to-scim.yaml} and its mapping as shipped, wired from settings alone, into PingOne's SCIM API
 * of another environment of the sandbox (seed 004's P1-User-Destination), authenticated by OAuth 2 client
 * credentials: the users of a population are created over SCIM, their changes PATCHed, and the remove action
 * disables them.
 */
class PingOneToScimRouteTest extends TwoEnvironmentsRouteTest {

    private static final String PIPE = "pingone-to-scim";
    private static final String GROUPS = "pingone-groups-to-scim";
    private static final String DESTINATION = "p1-user-destination";

    PingOneToScimRouteTest() {
        super(DESTINATION, "Provisioned");
    }

    private void start() throws Exception {
        start("population-to-synchronize", "Contractors");
    }

    /** The pipe as shipped, its scope the one key given. */
    /** The settings the pipe was last started with. */
    private Map<String, String> wiredProperties;

    private void start(String scopeKey, String scope) throws Exception {
        Map<String, String> properties = WiredPipes.shipped("classpath:application.properties", PIPE);
        properties.put("idsync.pipes." + PIPE + ".source", "source");
        properties.put("idsync.pipes." + PIPE + ".destination", "scim");
        properties.put("idsync.pipes." + PIPE + ".mapping", "mappings/" + PIPE + ".yaml");
        properties.put("idsync.pipes." + PIPE + "." + scopeKey, scope);
        WiredPipes.connection(properties, "source", environments.pingOneConnection(DemoSeed.ENVIRONMENT));
        WiredPipes.connection(properties, "scim", scimConnection());
        loadRoutes("classpath:routes/" + PIPE + ".yaml");
        systems.wire(context, properties);
        wiredProperties = properties;
        context.start();
    }

    private Map<String, String> scimConnection() {
        return Map.of("type", "scim", "base-url", pingOne.baseUrl() + "/environments/" + DESTINATION + "/v2",
                "auth", "oauth-client-credentials", "token-url", pingOne.baseUrl() + "/" + DESTINATION + "/as/token",
                "client-id", TwoEnvironments.WORKER, "client-secret", TwoEnvironments.SECRET);
    }

    private void poll() {
        template.sendBody("direct:poll-" + PIPE, null);
    }

    @Test
    void usersAreCreatedOverScimPatchedAndDisabledByTheRemoveAction() throws Exception {
        // an account the provider already has: linked by userName, not duplicated
        String existing = TwoEnvironments.username(source, "c000002.");
        destination.createUser(existing, "Already", "There", "Provisioned");
        start();
        poll();
        assertEquals(8L, systems.pipes.get(PIPE).counters().get("created") + systems.pipes.get(PIPE).counters().get("modified"));
        JsonNode first = destination.user(TwoEnvironments.username(source, "c000001."));
        assertNotNull(first, "the initial load created the contractors over SCIM");
        assertEquals(source.user(TwoEnvironments.username(source, "c000001.")).path("email").asText(), first.path("email").asText(), "emails[type eq \"work\"].value");
        assertNull(destination.user(TwoEnvironments.username(source, "e000001.")), "employees are not in scope");
        assertEquals(source.user(existing).path("name").path("given").asText(), destination.user(existing).path("name").path("given").asText(),
                "the existing account was updated");
        assertEquals(1, destination.client().get("/users?filter=" + io.idsync.connector.pingone.PingOneClient.encode("username eq \"" + existing + "\""))
                .body().path("_embedded").path("users").size(), "one account for it");

        String id = source.createUser("scim.new", "New", "Contractor", "Contractors");
        poll();
        assertEquals("Contractor", destination.user("scim.new").path("name").path("family").asText());

        pingOne.clearRequests();
        source.patchUser(id, SandboxAdmin.JSON.createObjectNode().put("title", "Lead"));
        poll();
        assertEquals("Lead", destination.user("scim.new").path("title").asText());
        assertTrue(pingOne.requests().stream().anyMatch(r -> r.method().equals("PATCH") && r.path().startsWith("/environments/" + DESTINATION + "/v2/Users/")),
                "a PatchOp of what differs: " + pingOne.requests());

        source.setEnabled(id, false);
        poll();
        assertFalse(destination.user("scim.new").path("enabled").asBoolean(true), "active false");
        source.setEnabled(id, true);
        poll();
        assertTrue(destination.user("scim.new").path("enabled").asBoolean(false), "active true again");

        source.deleteUser(id);
        poll();
        JsonNode removed = destination.user("scim.new");
        assertNotNull(removed, "the remove action is disable: the account stays");
        assertFalse(removed.path("enabled").asBoolean(true), "disabled");
    }

    /**
     * Seed 004's provisioning rule: "Group Names Contains Provisioning Users". Joining such a group provisions the
     * user, leaving all of them deprovisions it (the remove action), and a member's changes are updated; a user in
     * two such groups is one account.
     */
    @Test
    void seed004TheMembersOfGroupsWhoseNamesContainProvisioningUsersAreProvisioned() throws Exception {
        String group = source.createGroup("Provisioning Users");
        String europe = source.createGroup("EU provisioning users");
        String first = source.user(TwoEnvironments.username(source, "e000001.")).path("id").asText();
        String second = source.user(TwoEnvironments.username(source, "c000003.")).path("id").asText();
        source.addMember(first, group);
        source.addMember(second, group);
        source.addMember(second, europe);
        source.addMember(source.user(TwoEnvironments.username(source, "e000002.")).path("id").asText(), source.groupId("Engineering"));
        start("group-names-containing", "Provisioning Users");
        poll();
        assertEquals(2L, systems.pipes.get(PIPE).counters().get("created"), "the two members, the one in both groups once");
        assertNotNull(destination.user(TwoEnvironments.username(source, "e000001.")));
        assertNotNull(destination.user(TwoEnvironments.username(source, "c000003.")));
        assertNull(destination.user(TwoEnvironments.username(source, "e000002.")), "an Engineering member is not in scope");

        String third = source.user(TwoEnvironments.username(source, "e000003.")).path("id").asText();
        source.addMember(third, europe);
        poll();
        assertTrue(destination.user(TwoEnvironments.username(source, "e000003.")).path("enabled").asBoolean(false), "joined: provisioned");

        source.patchUser(first, SandboxAdmin.JSON.createObjectNode().put("title", "Provisioned Lead"));
        poll();
        assertEquals("Provisioned Lead", destination.user(TwoEnvironments.username(source, "e000001.")).path("title").asText());

        source.removeMember(second, group);
        poll();
        assertTrue(destination.user(TwoEnvironments.username(source, "c000003.")).path("enabled").asBoolean(false),
                "still a member of EU provisioning users: still in scope");
        source.removeMember(second, europe);
        poll();
        assertFalse(destination.user(TwoEnvironments.username(source, "c000003.")).path("enabled").asBoolean(true),
                "left every such group: the remove action disabled the account");
    }

    /** PingOne's SCIM API has no /Groups: a group pipe to it does not start, and says why. */
    @Test
    void aGroupPipeToAProviderWithoutGroupsRefusesToStart() throws Exception {
        Map<String, String> properties = WiredPipes.shipped("classpath:application.properties", PIPE, GROUPS);
        for (String pipe : new String[]{PIPE, GROUPS}) {
            properties.put("idsync.pipes." + pipe + ".source", "source");
            properties.put("idsync.pipes." + pipe + ".destination", "scim");
        }
        properties.put("idsync.pipes." + PIPE + ".mapping", "mappings/" + PIPE + ".yaml");
        WiredPipes.connection(properties, "source", environments.pingOneConnection(DemoSeed.ENVIRONMENT));
        WiredPipes.connection(properties, "scim", scimConnection());
        loadRoutes("classpath:routes/" + PIPE + ".yaml", "classpath:routes/" + GROUPS + ".yaml");
        Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> systems.wire(context, properties));
        assertTrue(refused.getMessage().contains("has no Groups resource (its /ResourceTypes lists User): a group pipe cannot write to it"),
                refused.getMessage());
        assertTrue(refused.getMessage().contains("connection 'scim'"), refused.getMessage());
    }

    /**
     * Seed 004's "Deprovision on Rule Deletion": the pipe switched off with it on keeps its links, and an operator's
     * deprovisioning gives each user it provisioned the remove action, all held by the deletion guard past its limit
     * until an operator approves them.
     */
    @Test
    void aRuleSwitchedOffDeprovisionsItsUsersWhenAskedWithinTheDeletionGuard() throws Exception {
        String group = source.createGroup("Provisioning Users");
        List<String> usernames = new java.util.ArrayList<>();
        for (String prefix : new String[]{"e000001.", "e000002.", "c000001."}) {
            usernames.add(TwoEnvironments.username(source, prefix));
            source.addMember(source.user(usernames.get(usernames.size() - 1)).path("id").asText(), group);
        }
        start("group-names-containing", "Provisioning Users");
        poll();
        assertEquals(3L, systems.pipes.get(PIPE).counters().get("created"));

        // the rule is switched off: the pipe no longer polls, and waits for the operator
        Map<String, String> off = WiredPipes.shipped("classpath:application.properties", PIPE);
        off.putAll(wiredProperties);
        off.put("idsync.pipes." + PIPE + ".enabled", "false");
        off.put("idsync.pipes." + PIPE + ".deprovision-on-rule-deletion", "true");
        systems.wire(context, off);
        assertTrue(systems.pipes.get(PIPE).retired());
        context.addRoutes(new org.apache.camel.builder.RouteBuilder() {
            @Override
            public void configure() {
                from("direct:deprovision").process(exchange -> systems.road.beginDeprovisioning(exchange, systems.pipes.get(PIPE), 0))
                        .toD("direct:${exchangeProperty.idsyncPipe}").bean(systems.road, "finishRun");
            }
        });
        template.sendBody("direct:deprovision", null);
        long disabled = usernames.stream().filter(u -> !destination.user(u).path("enabled").asBoolean(true)).count();
        assertEquals(0, disabled, "the deletion guard (10 % of 3 linked: 1) held all three removals");
        List<io.idsync.state.StateStore.HeldRemoval> held = systems.state.heldRemovals(PIPE, "", 10);
        assertEquals(3, held.size());
        assertTrue(held.get(0).reason().contains("the run planned more than 1 removals (delete or disable) of the pipe's 3 linked entries"),
                held.get(0).reason());

        org.apache.camel.Exchange approval = new org.apache.camel.support.DefaultExchange(context);
        systems.road.beginApproval(approval, systems.pipes.get(PIPE), null, "alice", 0);
        template.send("direct:" + PIPE, approval);
        systems.road.finishRun(approval);
        assertEquals(0, systems.state.heldCount(PIPE));
        for (String username : usernames) {
            JsonNode user = destination.user(username);
            assertNotNull(user, "the remove action is disable: " + username + " stays");
            assertFalse(user.path("enabled").asBoolean(true), username + " disabled");
        }
        Exception running = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> {
            systems.wire(context, wiredProperties);
            template.sendBody("direct:deprovision", null);
        });
        assertTrue(messages(running).contains("is running: deprovisioning is for a rule switched off"), messages(running));
    }

    private static String messages(Throwable thrown) {
        StringBuilder all = new StringBuilder();
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            all.append(cause.getMessage()).append(" / ");
        }
        return all.toString();
    }
}

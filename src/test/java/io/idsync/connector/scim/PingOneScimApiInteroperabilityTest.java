package io.idsync.connector.scim;

import io.idsync.testsupport.scim.SandboxScimServer;
import io.idsync.testsupport.scim.ScimServerUnderTest;

/** The interoperability scenario against the sandbox's PingOne SCIM API, which has no /Groups. */
class PingOneScimApiInteroperabilityTest extends ScimInteroperabilityScenario {

    @Override
    ScimServerUnderTest start() {
        server = SandboxScimServer.start();
        populationId = server.defaultPopulationId();
        return server;
    }

    /** PingOne's own extension: the population, by id (the sandbox's environment has one, the default). */
    @Override
    String[] extensionAttribute() {
        return new String[]{ScimSchemas.PINGONE_USER + ":population.id", populationId};
    }

    private String populationId;
    private SandboxScimServer server;

    /** PingOne's family names take letters, marks, digits, apostrophes, spaces, dots and hyphens only. */
    @Override
    String awkwardFamilyName() {
        return "M\u00fcller-O'Neil \u00c5ngstr\u00f6m";
    }

    /**
     * PingOne's users need an email address: a user created without one is refused, with the attribute named; in an
     * environment set up without that requirement, the work e-mail is added later as on the other servers.
     */
    @Override
    @org.junit.jupiter.api.Test
    void aWorkEmailIsAddedWhereThereWasNone() {
        io.idsync.connector.Destination users = users(java.util.Map.<String, String>of());
        java.util.Map<String, java.util.List<String>> attributes = user(unique("no.mail"), "No", "Mail", "unused@example.com");
        attributes.remove(WORK_EMAIL);
        ScimApiException refused = org.junit.jupiter.api.Assertions.assertThrows(ScimApiException.class,
                () -> users.apply(new io.idsync.connector.Plan(io.idsync.connector.Plan.Action.CREATE, null, null, attributes, java.util.List.of())));
        org.junit.jupiter.api.Assertions.assertTrue(refused.getMessage().contains("400") && refused.getMessage().contains("(email)"), refused.getMessage());

        server.sandbox().environment(server.environmentId()).requireEmail(false);
        try {
            aWorkEmailIsAddedWhereThereWasNone(users);
        } finally {
            server.sandbox().environment(server.environmentId()).requireEmail(true);
        }
    }

    /**
     * A provider that takes eq alone (as several SaaS SCIM APIs): a userName with a quote and a backslash is first asked
     * with co (what the servers that do not undo escapes need), refused with invalidFilter, then found with eq and RFC
     * 7644's escapes; the connection remembers it, and asks eq straight away from then on.
     */
    @org.junit.jupiter.api.Test
    void quotedNamesAreFoundOnAProviderThatTakesOnlyEq() {
        server.sandbox().scimEqualityOnly(true);
        io.idsync.connector.Destination users = connect(java.util.Map.of()).destination(io.idsync.connector.EntryType.USER,
                new io.idsync.connector.Settings("idsync.pipes.interop", key -> java.util.Optional.empty()));
        String name = "o\"brien\\" + java.util.UUID.randomUUID().toString().substring(0, 6);
        String id = users.apply(new io.idsync.connector.Plan(io.idsync.connector.Plan.Action.CREATE, null, null,
                java.util.Map.of("userName", java.util.List.of(name), WORK_EMAIL, java.util.List.of("obrien@example.com")), java.util.List.of())).id();
        server.sandbox().clearRequests();
        for (int i = 0; i < 2; i++) {
            org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(id), users.find(java.util.Map.of("userName", name), 2).stream()
                    .map(io.idsync.connector.DestinationEntry::id).toList(), "found, time " + (i + 1));
        }
        java.util.List<String> asked = server.sandbox().requests().stream().filter(r -> r.path().endsWith("/Users") && r.query().containsKey("filter"))
                .map(r -> r.status() + " " + r.query().get("filter")).toList();
        org.junit.jupiter.api.Assertions.assertEquals(3, asked.size(), asked.toString());
        org.junit.jupiter.api.Assertions.assertTrue(asked.get(0).startsWith("400 userName co "), asked.toString());
        org.junit.jupiter.api.Assertions.assertTrue(asked.get(1).startsWith("200 userName eq ") && asked.get(2).startsWith("200 userName eq "),
                "eq with escapes, then eq straight away: " + asked);
    }

    @Override
    boolean hasGroups() {
        return false;
    }
}

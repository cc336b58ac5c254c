package io.idsync.connector.scim;

import io.idsync.testsupport.scim.SandboxScimServer;
import io.idsync.testsupport.scim.ScimServerUnderTest;

/** The interoperability scenario against the sandbox's PingOne SCIM API, which has no /Groups. */
class PingOneScimApiInteroperabilityTest extends ScimInteroperabilityScenario {

    @Override
    ScimServerUnderTest start() {
        SandboxScimServer server = SandboxScimServer.start();
        populationId = server.defaultPopulationId();
        return server;
    }

    /** PingOne's own extension: the population, by id (the sandbox's environment has one, the default). */
    @Override
    String[] extensionAttribute() {
        return new String[]{ScimSchemas.PINGONE_USER + ":population.id", populationId};
    }

    private String populationId;

    @Override
    boolean hasGroups() {
        return false;
    }
}

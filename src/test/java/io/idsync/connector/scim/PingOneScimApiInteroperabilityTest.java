package io.idsync.connector.scim;

import io.idsync.testsupport.scim.SandboxScimServer;
import io.idsync.testsupport.scim.ScimServerUnderTest;

/** The interoperability scenario against the sandbox's PingOne SCIM API, which has no /Groups. */
class PingOneScimApiInteroperabilityTest extends ScimInteroperabilityScenario {

    @Override
    ScimServerUnderTest start() {
        return SandboxScimServer.start();
    }

    @Override
    boolean hasGroups() {
        return false;
    }
}

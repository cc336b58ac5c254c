package io.idsync.connector.scim;

import io.idsync.testsupport.scim.ScimSdkServer;
import io.idsync.testsupport.scim.ScimServerUnderTest;

/**
 * The interoperability scenario against de.captaingoldfish:scim-sdk-server 1.30.0 on the JDK's HTTP server, on
 * loopback, with HTTP basic: it insists on application/scim+json and supports ETags (idsync sends If-Match).
 */
class ScimSdkServerInteroperabilityTest extends ScimInteroperabilityScenario {

    @Override
    ScimServerUnderTest start() {
        return ScimSdkServer.start();
    }
}

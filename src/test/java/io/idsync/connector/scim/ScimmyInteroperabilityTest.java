package io.idsync.connector.scim;

import io.idsync.testsupport.scim.ScimServerUnderTest;
import io.idsync.testsupport.RequiredTool;
import io.idsync.testsupport.scim.ScimmyServer;

/**
 * The interoperability scenario against scimmy 1.3.5 (npm, with scimmy-routers on express), a node process on
 * loopback, authenticated by a bearer token. Skipped on a machine without Node.js; failed under CI and .ci/run
 * (IDSYNC_REQUIRE_NODE), which installs it.
 */
class ScimmyInteroperabilityTest extends ScimInteroperabilityScenario {

    @Override
    ScimServerUnderTest start() {
        RequiredTool.assumeAvailable(ScimmyServer.nodeAvailable(),
                "Node.js 18 or later is not installed (Debian packages nodejs and npm; .ci/run installs them)", "IDSYNC_REQUIRE_NODE");
        return ScimmyServer.start();
    }
}

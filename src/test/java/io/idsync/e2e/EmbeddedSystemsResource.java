package io.idsync.e2e;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * Gives the test profile's embedded PingOne sandbox and demo directory free loopback ports, and points the
 * pipe's connections at them, with a state store of their own. The application starts both itself, as in the demo.
 */
public class EmbeddedSystemsResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        int pingOne = freePort();
        int directory = freePort();
        Map<String, String> overrides = new java.util.LinkedHashMap<>();
        overrides.put("idsync.sandbox.pingone-port", Integer.toString(pingOne));
        overrides.put("idsync.sandbox.directory-port", Integer.toString(directory));
        for (String connection : new String[]{"pingone", "provisioning"}) {
            overrides.put("idsync.connections." + connection + ".api-url", "http://localhost:" + pingOne + "/v1");
            overrides.put("idsync.connections." + connection + ".auth-url", "http://localhost:" + pingOne + "/demo-env/as/token");
        }
        overrides.put("idsync.connections.directory.url", "ldap://localhost:" + directory);
        // fresh systems, fresh state: an application started again (another test profile) must not find the
        // checkpoints of the systems the previous start had (an in-memory database outlives the application)
        overrides.put("quarkus.datasource.jdbc.url", "jdbc:h2:mem:idsync-test-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        overrides.put("idsync.connections.p1destination.api-url", "http://localhost:" + pingOne + "/v1");
        overrides.put("idsync.connections.p1destination.auth-url", "http://localhost:" + pingOne + "/p1-destination/as/token");
        return overrides;
    }

    @Override
    public void stop() {
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

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
        overrides.put("idsync.connections.p1-user-destination.base-url", "http://localhost:" + pingOne + "/environments/p1-user-destination/v2");
        overrides.put("idsync.connections.p1-user-destination.token-url", "http://localhost:" + pingOne + "/p1-user-destination/as/token");
        // connections no pipe uses, for the connection test: a wrong secret, a wrong base URL, nothing listening
        String scim = "http://localhost:" + pingOne + "/environments/p1-user-destination/v2";
        String token = "http://localhost:" + pingOne + "/p1-user-destination/as/token";
        for (String[] broken : new String[][]{{"scim-wrong-secret", scim, "not-the-secret"}, {"scim-wrong-url", scim.replace("/v2", "/v3"), "idsync-test-worker-secret"},
                {"scim-nothing-there", "http://127.0.0.1:" + freePort() + "/scim/v2", "idsync-test-worker-secret"}}) {
            String prefix = "idsync.connections." + broken[0] + ".";
            overrides.put(prefix + "type", "scim");
            overrides.put(prefix + "base-url", broken[1]);
            overrides.put(prefix + "token-url", broken[0].equals("scim-nothing-there") ? broken[1] + "/token" : token);
            overrides.put(prefix + "client-id", "idsync-test-worker");
            overrides.put(prefix + "client-secret", broken[2]);
        }
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

package io.idsync.e2e;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * Gives the test profile's embedded PingOne sandbox and demo directory free loopback ports, and points the
 * pipe's connections at them. The application starts both itself, as in the demo.
 */
public class EmbeddedSystemsResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        int pingOne = freePort();
        int directory = freePort();
        return Map.of(
                "idsync.sandbox.pingone-port", Integer.toString(pingOne),
                "idsync.sandbox.directory-port", Integer.toString(directory),
                "idsync.connections.pingone.api-url", "http://localhost:" + pingOne + "/v1",
                "idsync.connections.pingone.auth-url", "http://localhost:" + pingOne + "/demo-env/as/token",
                "idsync.connections.directory.url", "ldap://localhost:" + directory);
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

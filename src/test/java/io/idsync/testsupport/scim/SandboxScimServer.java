package io.idsync.testsupport.scim;

import io.idsync.sandbox.PingOneSandbox;
import io.idsync.sandbox.SandboxEnvironment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;

/**
 * The sandbox's PingOne SCIM API ({@code /environments/<env>/v2}) of an environment of its own, reached as that
 * environment's worker app with OAuth 2 client credentials: checked against the same scenario as the servers the
 * project did not write, so it cannot drift from what they accept.
 */
public final class SandboxScimServer implements ScimServerUnderTest {

    private static final String ENVIRONMENT = "scim-interop";
    public static final String CLIENT = "scim-interop-worker";
    private static final String SECRET = "scim-interop-secret";

    private final PingOneSandbox sandbox;
    private final String populationId;

    private SandboxScimServer(PingOneSandbox sandbox, String populationId) {
        this.sandbox = sandbox;
        this.populationId = populationId;
    }

    /** The environment's one population, its default. */
    public String defaultPopulationId() {
        return populationId;
    }

    public static SandboxScimServer start() {
        try {
            PingOneSandbox sandbox = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 1000, Duration.ZERO)).start();
            SandboxEnvironment environment = sandbox.createEnvironment(ENVIRONMENT);
            String population = environment.createPopulation("Provisioned", true);
            environment.addApplication(CLIENT, "idsync", SECRET, SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_BASIC);
            return new SandboxScimServer(sandbox, population);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sandbox itself: its request log, faults, token expiry. */
    /** The environment whose SCIM API this is. */
    public String environmentId() {
        return ENVIRONMENT;
    }

    public PingOneSandbox sandbox() {
        return sandbox;
    }

    @Override
    public String name() {
        return "the sandbox's PingOne SCIM API";
    }

    @Override
    public String baseUrl() {
        return sandbox.baseUrl() + "/environments/" + ENVIRONMENT + "/v2";
    }

    @Override
    public Map<String, String> connectionSettings() {
        return Map.of("base-url", baseUrl(), "auth", "oauth-client-credentials", "token-url", sandbox.baseUrl() + "/" + ENVIRONMENT + "/as/token",
                "client-id", CLIENT, "client-secret", SECRET);
    }

    @Override
    public void close() {
        sandbox.close();
    }
}

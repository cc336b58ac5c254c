package io.idsync.sandbox;

import io.idsync.config.IdsyncConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Starts the demo directory and the PingOne sandbox inside the application when
 * {@code idsync.sandbox.enabled=true} (set only by the demo and test profiles), before the pipes poll.
 * The sandbox registers the {@code pingone} connection's worker app, so the pipe authenticates exactly as
 * it would against PingOne.
 */
@ApplicationScoped
public class SandboxLauncher {

    private static final Logger LOG = Logger.getLogger(SandboxLauncher.class);

    private volatile PingOneSandbox pingOne;
    private volatile DemoDirectory directory;

    void start(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, IdsyncConfig config) {
        ensureStarted(config);
    }

    /**
     * Starts the sandbox once, if enabled. The pipes call it when they are built, which happens before Camel
     * starts the routes, so no first poll ever finds the embedded systems still starting.
     */
    public synchronized void ensureStarted(IdsyncConfig config) {
        IdsyncConfig.Sandbox sandbox = config.sandbox();
        if (!sandbox.enabled() || pingOne != null) {
            return;
        }
        IdsyncConfig.Connection worker = config.connections().get("pingone");
        if (worker == null || worker.clientId().isEmpty() || worker.clientSecret().isEmpty()) {
            throw new IllegalStateException("idsync.sandbox.enabled needs idsync.connections.pingone.client-id and client-secret: the sandbox registers that worker app");
        }
        directory = new DemoDirectory(DemoDirectory.Settings.defaults(sandbox.directoryPort())).start();
        try {
            pingOne = new PingOneSandbox(new PingOneSandbox.Settings(sandbox.pingonePort(), sandbox.requestsPerSecond(), 10,
                    sandbox.activityDelay())).start();
        } catch (IOException e) {
            directory.close();
            throw new UncheckedIOException("the PingOne sandbox cannot listen on port " + sandbox.pingonePort() + ": " + e.getMessage(), e);
        }
        SandboxEnvironment environment = DemoSeed.seed(pingOne, worker.clientId().get(), worker.clientSecret().get(),
                sandbox.employees(), sandbox.contractors());
        // every PingOne connection's worker app exists in the sandbox, with the auth method it is configured for
        config.connections().forEach((name, connection) -> {
            if (connection.type().orElse("").equalsIgnoreCase("pingone") && connection.clientId().isPresent() && connection.clientSecret().isPresent()) {
                environment.addApplication(connection.clientId().get(), "idsync " + name, connection.clientSecret().get(),
                        connection.tokenAuthMethod().equalsIgnoreCase("post") ? SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_POST
                                : SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_BASIC);
            }
        });
        try (com.unboundid.ldap.sdk.LDAPConnection ldap = directory.connection()) {
            DemoSeed.seedCorp(ldap, sandbox.corpUsers(), sandbox.corpProvisioned());
        } catch (com.unboundid.ldap.sdk.LDAPException | com.unboundid.ldif.LDIFException e) {
            throw new IllegalStateException("the demo directory cannot be seeded: " + e.getMessage(), e);
        }
        LOG.infof("Demo directory on %s (%s, bind cn=Directory Manager; %d AD-style users under %s, %d of them in %s); "
                        + "PingOne sandbox on %s, environment %s with %d employees and %d contractors; make changes by hand as client %s",
                directory.url(), DemoDirectory.BASE_DN, sandbox.corpUsers(), DemoSeed.CORP_DN, sandbox.corpProvisioned(), DemoSeed.PROVISIONING_GROUP_DN,
                pingOne.baseUrl(), DemoSeed.ENVIRONMENT, sandbox.employees(), sandbox.contractors(), DemoSeed.ADMIN_CLIENT_ID);
    }

    void stop(@Observes ShutdownEvent event) {
        if (pingOne != null) {
            pingOne.close();
        }
        if (directory != null) {
            directory.close();
        }
    }

    /** The running PingOne sandbox, or null when the sandbox is off. */
    public PingOneSandbox pingOne() {
        return pingOne;
    }

    /** The running demo directory, or null when the sandbox is off. */
    public DemoDirectory directory() {
        return directory;
    }
}

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
        IdsyncConfig.Sandbox sandbox = config.sandbox();
        if (!sandbox.enabled()) {
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
        if (worker.tokenAuthMethod().equalsIgnoreCase("post")) {
            environment.addApplication(worker.clientId().get(), "idsync worker", worker.clientSecret().get(),
                    SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_POST);
        }
        LOG.infof("Demo directory on %s (%s, bind cn=Directory Manager); PingOne sandbox on %s, environment %s with %d employees and %d contractors; "
                        + "make changes by hand as client %s",
                directory.url(), DemoDirectory.BASE_DN, pingOne.baseUrl(), DemoSeed.ENVIRONMENT, sandbox.employees(), sandbox.contractors(),
                DemoSeed.ADMIN_CLIENT_ID);
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

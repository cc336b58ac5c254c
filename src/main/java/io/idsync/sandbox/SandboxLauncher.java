package io.idsync.sandbox;

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
 * {@code idsync.sandbox.enabled=true} (set only by the demo and test profiles), before the application
 * serves or polls. The sandbox registers the worker apps of {@code idsync.sandbox.worker-apps}, so the pipes
 * authenticate exactly as they would against PingOne. Nothing else in the product knows the sandbox.
 */
@ApplicationScoped
public class SandboxLauncher {

    private static final Logger LOG = Logger.getLogger(SandboxLauncher.class);

    private volatile PingOneSandbox pingOne;
    private volatile DemoDirectory directory;

    @jakarta.inject.Inject
    SandboxConfig config;

    /** Camel Quarkus fires this before it starts any route, so no first poll finds the embedded systems still starting. */
    void beforeCamel(@Observes org.apache.camel.spi.CamelEvent.CamelContextStartingEvent event) {
        ensureStarted(config);
    }

    /** In case Camel did not start (no routes at all): the systems still come up with the application. */
    void start(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        ensureStarted(config);
    }

    /** Starts the sandbox once, if enabled. */
    public synchronized void ensureStarted(SandboxConfig sandbox) {
        if (!sandbox.enabled() || pingOne != null) {
            return;
        }
        if (sandbox.workerApps().isEmpty()) {
            throw new IllegalStateException("idsync.sandbox.enabled needs idsync.sandbox.worker-apps.<client-id>=<secret>: the worker apps the pipes use");
        }
        directory = new DemoDirectory(DemoDirectory.Settings.defaults(sandbox.directoryPort())).start();
        try {
            pingOne = new PingOneSandbox(new PingOneSandbox.Settings(sandbox.pingonePort(), sandbox.requestsPerSecond(), 10,
                    sandbox.activityDelay())).start();
        } catch (IOException e) {
            directory.close();
            throw new UncheckedIOException("the PingOne sandbox cannot listen on port " + sandbox.pingonePort() + ": " + e.getMessage(), e);
        }
        java.util.Iterator<java.util.Map.Entry<String, String>> workers = new java.util.TreeMap<>(sandbox.workerApps()).entrySet().iterator();
        java.util.Map.Entry<String, String> first = workers.next();
        SandboxEnvironment environment = DemoSeed.seed(pingOne, first.getKey(), first.getValue(), sandbox.employees(), sandbox.contractors());
        workers.forEachRemaining(worker -> environment.addApplication(worker.getKey(), "idsync " + worker.getKey(), worker.getValue(),
                SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_BASIC));
        if (sandbox.provisioningGroupMembers() > 0) {
            DemoSeed.seedProvisioningGroup(environment, sandbox.provisioningGroupMembers());
        }
        for (String name : sandbox.extraEnvironments().orElse(java.util.List.of())) {
            SandboxEnvironment extra = pingOne.createEnvironment(name);
            extra.createPopulation("Employees", true);
            extra.createPopulation("Contractors", false);
            sandbox.workerApps().forEach((clientId, secret) -> extra.addApplication(clientId, "idsync " + clientId, secret,
                    SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_BASIC));
        }
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

    /**
     * After Camel has stopped (Quarkus's shutdown event comes before), so no poll still in flight finds the systems
     * gone and retries until its timeout.
     */
    void afterCamel(@Observes org.apache.camel.spi.CamelEvent.CamelContextStoppedEvent event) {
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

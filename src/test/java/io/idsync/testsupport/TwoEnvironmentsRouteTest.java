package io.idsync.testsupport;

import io.idsync.sandbox.PingOneSandbox;
import org.junit.jupiter.api.AfterEach;

/** A wired route test between two environments of one PingOne sandbox ({@link TwoEnvironments}), built before the context. */
public abstract class TwoEnvironmentsRouteTest extends WiredRouteTest {

    private final String destinationEnvironment;
    private final String[] populations;
    protected TwoEnvironments environments;
    protected PingOneSandbox pingOne;
    protected SandboxAdmin source;
    protected SandboxAdmin destination;

    protected TwoEnvironmentsRouteTest(String destinationEnvironment, String... populations) {
        this.destinationEnvironment = destinationEnvironment;
        this.populations = populations;
    }

    @Override
    protected void doPreSetup() throws Exception {
        environments = new TwoEnvironments(destinationEnvironment, populations);
        pingOne = environments.pingOne;
        source = environments.source;
        destination = environments.destination;
    }

    @AfterEach
    void closeEnvironments() {
        environments.close();
    }
}

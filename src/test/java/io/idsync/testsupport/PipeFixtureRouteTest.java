package io.idsync.testsupport;

import org.junit.jupiter.api.AfterEach;

/**
 * A route-level test of the pingone-to-directory road over a {@link PipeFixture} (sandbox, demo directory,
 * in-memory state) seeded with this many employees and contractors, built before the context and closed after
 * each test.
 */
public abstract class PipeFixtureRouteTest extends RoadRouteTest {

    private final int employees;
    private final int contractors;
    protected PipeFixture systems;

    protected PipeFixtureRouteTest(int employees, int contractors) {
        this.employees = employees;
        this.contractors = contractors;
    }

    @Override
    protected RoadFixture fixture() {
        return systems;
    }

    @Override
    protected void doPreSetup() throws Exception {
        systems = new PipeFixture(employees, contractors);
    }

    /**
     * The shipped pingone-to-directory route file with its triggers replaced by {@code direct:poll} and
     * {@code direct:reconcile}, started, and its first poll (the initial load) run.
     */
    protected void startShippedPipeAndLoad() throws Exception {
        loadRoutes("classpath:routes/pingone-to-directory.yaml");
        org.apache.camel.builder.AdviceWith.adviceWith(context, "pingone-to-directory-poll", a -> a.replaceFromWith("direct:poll"));
        org.apache.camel.builder.AdviceWith.adviceWith(context, "pingone-to-directory-reconcile", a -> a.replaceFromWith("direct:reconcile"));
        context.start();
        template.sendBody("direct:poll", null);
    }

    @AfterEach
    void closeSystems() {
        systems.close();
    }
}

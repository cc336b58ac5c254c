package io.idsync.testsupport;

import io.idsync.pipe.Road;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;

import java.util.concurrent.ExecutorService;

/**
 * A route-level test of a shipped route file: the context starts only once the test has advised it, and
 * the beans the routes name ({@code road}, {@code idsyncWorkers}) come from the test's fixture, which
 * {@code doPreSetup} builds.
 */
public abstract class RoadRouteTest extends CamelTestSupport {

    protected abstract Road road();

    protected abstract ExecutorService workers();

    @Override
    public void configureTest(TestExecutionConfiguration configuration) {
        super.configureTest(configuration);
        configuration.withUseAdviceWith(true);
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("road", road());
        registry.bind("idsyncWorkers", workers());
    }
}

package io.idsync.testsupport;

import org.apache.camel.spi.Registry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;

/**
 * A route-level test of a shipped route file: the context starts only once the test has advised it, and
 * the beans the routes name ({@code road}, {@code idsyncWorkers}) come from the test's fixture, which
 * {@code doPreSetup} builds.
 */
public abstract class RoadRouteTest extends CamelTestSupport {

    /** The fixture {@code doPreSetup} built. */
    protected abstract RoadFixture fixture();

    @Override
    public void configureTest(TestExecutionConfiguration configuration) {
        super.configureTest(configuration);
        configuration.withUseAdviceWith(true);
    }

    /** Loads the road's templates, then these route files ({@code classpath:routes/pingone-to-directory.yaml}, a file path...). */
    protected void loadRoutes(String... locations) throws Exception {
        loadPipeRoutes(context, locations);
    }

    /** As {@link #loadRoutes}, into any context. */
    public static void loadPipeRoutes(org.apache.camel.CamelContext context, String... locations) throws Exception {
        PluginHelper.getRoutesLoader(context).loadRoutes(PluginHelper.getResourceLoader(context).resolveResource("classpath:templates/road.yaml"));
        for (String location : locations) {
            PluginHelper.getRoutesLoader(context).loadRoutes(PluginHelper.getResourceLoader(context).resolveResource(location));
        }
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("road", fixture().road());
        registry.bind("idsyncWorkers", fixture().workers());
    }

    /** One poll of a pipe whose trigger was replaced by {@code direct:poll-<pipe>} (as {@link WiredPipes#wire} does). */
    protected void poll(String pipe) {
        template.sendBody("direct:poll-" + pipe, null);
    }
}

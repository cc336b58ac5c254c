package io.idsync.testsupport;

import org.junit.jupiter.api.AfterEach;

/** A route-level test of pipes wired from settings alone ({@link WiredPipes}); the subclass brings the systems. */
public abstract class WiredRouteTest extends RoadRouteTest {

    protected final WiredPipes systems = new WiredPipes();

    @Override
    protected RoadFixture fixture() {
        return systems;
    }

    @AfterEach
    void closeWiredPipes() {
        systems.close();
    }
}

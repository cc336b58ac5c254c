package io.idsync.testsupport;

import io.idsync.pipe.Road;

import java.util.concurrent.ExecutorService;

/** What a shipped route file needs from a test's fixture: the beans it names, {@code road} and {@code idsyncWorkers}. */
public interface RoadFixture {

    Road road();

    ExecutorService workers();
}

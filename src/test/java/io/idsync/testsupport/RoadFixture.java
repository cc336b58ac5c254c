package io.idsync.testsupport;

import io.idsync.pipe.Pipes;
import io.idsync.pipe.Retry;
import io.idsync.pipe.Road;
import io.idsync.state.StateStore;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What a shipped route file needs from a test's fixture, the beans it names ({@code road}, {@code idsyncWorkers}),
 * and what every fixture has around them: the pipes, an in-memory state store migrated by the product's scripts,
 * four workers and quick retries.
 */
public abstract class RoadFixture implements AutoCloseable {

    public final Pipes pipes = new Pipes();
    /** the state store's database: a new StateStore on it is the state a restarted process reads */
    public final javax.sql.DataSource stateDatabase = PipeFixture.memoryDatabase();
    public final StateStore state = new StateStore(stateDatabase);
    public final Road road = new Road(pipes, new Retry(2, 10));
    public final ExecutorService workers = new ThreadPoolExecutor(4, 4, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(16),
            new ThreadPoolExecutor.CallerRunsPolicy());

    public Road road() {
        return road;
    }

    public ExecutorService workers() {
        return workers;
    }

    /** Stops the workers; a fixture closes its own systems after calling this. */
    @Override
    public void close() {
        workers.shutdownNow();
    }
}

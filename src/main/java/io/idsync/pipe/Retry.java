package io.idsync.pipe;

import io.idsync.state.LeaseLost;
import io.idsync.state.StateStoreException;
import org.jboss.logging.Logger;

import java.util.function.Supplier;

/**
 * Retries a step whose state store failed (the engine's own database has no retry layer beneath it) with exponential
 * backoff; when the failure outlives its retries it propagates: the batch stops and its checkpoint stays, so nothing
 * is lost. A connector's failures pass straight through: an HTTP connection has retried already ({@code max-attempts},
 * {@code Retry-After}), and the next poll is the retry of everything else, so a persistent outage costs a poll
 * {@code max-attempts} requests and refused credentials none at all.
 * <p>
 * In Java rather than Camel redelivery because the road's steps run inside a doTry (so an entry's own
 * failure can be recorded), and Camel's error handler does not act inside doTry.
 */
public final class Retry {

    private static final Logger LOG = Logger.getLogger(Retry.class);
    private static final long MAX_DELAY_MS = 30_000;

    private final int maxRetries;
    private final long initialDelayMs;

    public Retry(int maxRetries, long initialDelayMs) {
        this.maxRetries = maxRetries;
        this.initialDelayMs = initialDelayMs;
    }

    /** Told of each failed attempt while it is retried: a pipe's status says what is wrong from the first one. */
    public interface Watcher {
        void retrying(String problem);
    }

    public <T> T call(Watcher watcher, String what, Supplier<T> action) {
        for (int retry = 0; ; retry++) {
            try {
                return action.get();
            } catch (StateStoreException e) {
                if (retry >= maxRetries || e instanceof LeaseLost) {
                    throw e;
                }
                long delay = Math.min(MAX_DELAY_MS, initialDelayMs << Math.min(retry, 16));
                watcher.retrying(what + " failed: " + e.getMessage() + " (retry " + (retry + 1) + " of " + maxRetries + ")");
                LOG.warnf("%s failed (%s); retry %d of %d in %d ms", what, e.getMessage(), retry + 1, maxRetries, delay);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    public void run(Watcher watcher, String what, Runnable action) {
        call(watcher, what, () -> {
            action.run();
            return null;
        });
    }
}

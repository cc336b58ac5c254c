package io.idsync.pipe;

import io.idsync.connector.TransientFailure;
import org.jboss.logging.Logger;

import java.util.function.Supplier;

/**
 * Retries a step that failed transiently (server down or busy, timeout) with exponential backoff. When the
 * failure outlives its retries it propagates: the batch stops and its checkpoint stays, so nothing is lost.
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
            } catch (TransientFailure e) {
                if (retry >= maxRetries) {
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

package io.idsync.connector.pingone;

import io.idsync.connector.SystemUnavailable;

/** Spaces requests evenly to at most {@code perSecond} (0 = no limit), so a large run never trips PingOne's limit. */
final class RateLimiter {

    private final long intervalNanos;
    private long nextFree = System.nanoTime();

    RateLimiter(int perSecond) {
        this.intervalNanos = perSecond <= 0 ? 0 : 1_000_000_000L / perSecond;
    }

    void acquire() {
        if (intervalNanos == 0) {
            return;
        }
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            long slot = Math.max(now, nextFree);
            nextFree = slot + intervalNanos;
            wait = slot - now;
        }
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SystemUnavailable("interrupted while waiting for the request rate limit");
            }
        }
    }
}

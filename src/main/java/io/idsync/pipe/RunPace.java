package io.idsync.pipe;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

import java.time.Duration;

/**
 * How fast a run hands entries to the road (PingDataSync's {@code resync --ratePerSecond}): at most so many per
 * second, changeable while it runs; unpaced when no rate is given. A paced run spares a production destination
 * (and a rate-limited API) what a resync at full speed would cost it.
 */
public final class RunPace {

    static final int MAX_RATE = 100_000;

    private volatile RateLimiter limiter;
    private volatile Integer ratePerSecond;

    private RunPace(Integer ratePerSecond) {
        this.ratePerSecond = ratePerSecond;
        this.limiter = ratePerSecond == null ? null : limiter(ratePerSecond);
    }

    /** One entry per slot of 1/rate s (a thousand-th of the rate per millisecond above 1,000/s): even, not in bursts. */
    private static RateLimiter limiter(int perSecond) {
        Duration period = perSecond <= 1000 ? Duration.ofNanos(1_000_000_000L / perSecond) : Duration.ofMillis(1);
        return RateLimiter.of("run", RateLimiterConfig.custom().limitForPeriod(perSecond <= 1000 ? 1 : perSecond / 1000)
                .limitRefreshPeriod(period).timeoutDuration(Duration.ofSeconds(2)).build());
    }

    /**
     * @param ratePerSecond entries per second, or null for no pace
     * @throws IllegalArgumentException when the rate is not from 1 to {@value #MAX_RATE}
     */
    static RunPace of(Integer ratePerSecond) {
        if (ratePerSecond != null && (ratePerSecond < 1 || ratePerSecond > MAX_RATE)) {
            throw new IllegalArgumentException("ratePerSecond " + ratePerSecond + " is not from 1 to " + MAX_RATE);
        }
        return new RunPace(ratePerSecond);
    }

    /** The rate asked, or null for a run at full speed. */
    public Integer ratePerSecond() {
        return ratePerSecond;
    }

    /**
     * A new rate, from the next entry on.
     *
     * @throws IllegalArgumentException when the run was started without a rate, or the rate is out of range
     */
    public void change(int perSecond) {
        if (limiter == null) {
            throw new IllegalArgumentException("this run was started without a rate (ratePerSecond): it runs at full speed");
        }
        if (perSecond < 1 || perSecond > MAX_RATE) {
            throw new IllegalArgumentException("ratePerSecond " + perSecond + " is not from 1 to " + MAX_RATE);
        }
        limiter = limiter(perSecond);
        ratePerSecond = perSecond;
    }

    /** Waits for the next entry's slot (a cancelled run is seen between waits of at most two seconds). */
    void await(RunReport report) {
        if (limiter == null) {
            return;
        }
        while (!limiter.acquirePermission() && !report.cancelled()) {
            // no slot within the wait: try again, unless the run was cancelled meanwhile
        }
    }
}

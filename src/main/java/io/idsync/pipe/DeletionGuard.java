package io.idsync.pipe;

import io.idsync.connector.SystemUnavailable;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stops a pipe before one run deletes or disables more than a share or a count of the entries it has
 * linked (default 10 % or 500, whichever is lower). A source that suddenly returns nothing, a filter typed
 * wrong, a group emptied by mistake: the run stops at the limit, its checkpoint stays, the status says why,
 * and nothing more is removed until an operator confirms through the HTTP API. The confirmation lets one
 * run through; the guard arms again for the next.
 */
public final class DeletionGuard {

    /** The run stopped at the guard; like a transient failure it leaves the checkpoint where it was. */
    public static final class Tripped extends BatchStopped {
        Tripped(String message) {
            super(message);
        }
    }

    private final int maxPercent;
    private final int maxCount;
    private volatile String tripped;
    private volatile boolean confirmed;

    public DeletionGuard(int maxPercent, int maxCount) {
        this.maxPercent = maxPercent;
        this.maxCount = maxCount;
    }

    public static DeletionGuard defaults() {
        return new DeletionGuard(10, 500);
    }

    /** The removals one run may make, from the number of linked entries when the run starts. */
    public int limitFor(long linked) {
        if (confirmed) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.min(maxCount, Math.max(1, linked * maxPercent / 100));
    }

    /** Called for each removal the run plans; past the limit the run stops and the guard holds the pipe. */
    void removal(AtomicInteger removals, int limit, long linked) {
        if (removals.incrementAndGet() > limit) {
            tripped = "this run would delete or disable more than " + limit + " of the pipe's " + linked + " linked entries (limit: "
                    + maxPercent + " % or " + maxCount + "); confirm with POST /api/pipes/{pipe}/confirm-deletions to go on";
            throw new Tripped(tripped);
        }
    }

    /** Why the guard holds the pipe, or null when it does not. */
    public String tripped() {
        return tripped;
    }

    /** An operator confirmed: the next run may remove without limit. */
    public void confirm() {
        confirmed = true;
        tripped = null;
    }

    /** A run finished: the confirmation is used up. */
    void runFinished() {
        confirmed = false;
    }
}

package io.idsync.pipe;

/**
 * Holds back a run that would delete or disable more than a share or a count of the entries a pipe has linked (default
 * 10 % or 500, whichever is lower). A source that suddenly returns nothing, a filter typed wrong, a group emptied by
 * mistake: such a run makes none of its removals; each is held ({@code GET /api/pipes/{pipe}/held}) until an operator
 * approves or rejects it, and the pipe goes on with everything else meanwhile ({@link Run#removal}).
 */
public final class DeletionGuard {

    private final int maxPercent;
    private final int maxCount;

    public DeletionGuard(int maxPercent, int maxCount) {
        this.maxPercent = maxPercent;
        this.maxCount = maxCount;
    }

    public static DeletionGuard defaults() {
        return new DeletionGuard(10, 500);
    }

    /** The removals one run may make, from the number of linked entries when the run starts. */
    public int limitFor(long linked) {
        if (maxPercent >= 100) {
            return maxCount; // the share is off: a pipe with nothing linked yet (an initial load) is limited by the count alone
        }
        return (int) Math.min(maxCount, Math.max(1, linked * maxPercent / 100));
    }

    /** Why a run's removals are held: it planned more than {@code limit} of the {@code linked} entries. */
    String heldBecause(int limit, long linked) {
        return "held by the deletion guard: the run planned more than " + limit + " removals (delete or disable) of the pipe's " + linked
                + " linked entries (at most " + maxPercent + " % or " + maxCount + ")";
    }
}

package io.idsync.pipe;

import io.idsync.state.StateStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An operator's decisions on the removals the deletion guard held, apart from approving (an approval is a run:
 * {@link Runs#approval}): which are held, and rejecting them. A rejected removal is not made: the destination entry
 * is kept as it is, no longer linked to the pipe, so no later run removes it (midPoint's "unlink"); should its source
 * entry come back in scope, correlation links it again.
 */
final class HeldDecisions {

    private HeldDecisions() {
    }

    /** The source ids of every removal the pipe holds, a page at a time. */
    static List<String> allHeld(Pipe pipe) {
        List<String> ids = new ArrayList<>();
        for (String after = ""; ; ) {
            List<StateStore.HeldRemoval> page = pipe.state().heldRemovals(pipe.name(), after, 1000);
            if (page.isEmpty()) {
                return ids;
            }
            page.forEach(held -> ids.add(held.sourceId()));
            after = page.get(page.size() - 1).sourceId();
        }
    }

    /** @throws IllegalArgumentException when one of these entries has no held removal, naming them */
    static void requireHeld(Pipe pipe, List<String> sourceIds) {
        List<String> notHeld = sourceIds.stream().filter(id -> !pipe.state().isHeld(pipe.name(), id)).toList();
        if (!notHeld.isEmpty()) {
            throw new IllegalArgumentException("pipe '" + pipe.name() + "' holds no removal of " + String.join(", ", notHeld)
                    + " (GET /api/pipes/" + pipe.name() + "/held lists those it holds)");
        }
    }

    /**
     * Rejects these held removals: each destination entry is kept and unlinked, each decision audited with the
     * operator's name and why.
     *
     * @throws IllegalArgumentException when one of them has no held removal (nothing is rejected)
     * @throws PipeBusy                 when a run still holds the pipe after {@code waitMillis}
     */
    static int reject(Pipe pipe, List<String> sourceIds, String operator, String why, long waitMillis) {
        requireHeld(pipe, sourceIds);
        if (!pipe.tryAcquire("rejecting held removals", waitMillis)) {
            throw new PipeBusy("pipe '" + pipe.name() + "' is still busy (" + pipe.activity() + "); try again when it is idle");
        }
        try {
            StateStore state = pipe.state();
            String reason = operator + " rejected the removal" + (why == null || why.isBlank() ? "" : ": " + why)
                    + "; the destination entry is kept, no longer linked";
            for (String id : sourceIds) {
                String destination = state.entry(pipe.name(), id).map(StateStore.EntryState::destinationRef).orElse(null);
                state.recordRemoved(pipe.name(), id);
                AuditTrail.write(state, new StateStore.AuditRecord(0, Instant.now(), pipe.name(), id, destination, "unlink", "rejected", null, reason));
            }
            state.flush();
            state.releaseHeld(pipe.name(), sourceIds);
            return sourceIds.size();
        } finally {
            pipe.release();
        }
    }
}

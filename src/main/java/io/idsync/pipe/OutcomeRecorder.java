package io.idsync.pipe;

import io.idsync.connector.Change;
import io.idsync.connector.SourceEntry;
import io.idsync.state.StateStore;
import org.jboss.logging.Logger;

/**
 * Writes down what happened to one entry: its link and status in the state store (buffered, committed with its page),
 * the group pipes' member refreshes it owes, its audit record, the pipe's counters and the run's report, and its line
 * in the sync log. Camel-free: the road's record step calls it.
 */
final class OutcomeRecorder {

    private static final Logger SYNC_LOG = Logger.getLogger("io.idsync.sync");

    private final Pipes pipes;

    OutcomeRecorder(Pipes pipes) {
        this.pipes = pipes;
    }

    private static String caveat(String members, String written) {
        return members == null ? written : written == null ? members : members + "; " + written;
    }

    void record(Pipe pipe, SyncItem item, Run run) {
        RunReport report = run.report;
        if (run.dryRun) {
            report.add(item);
            return;
        }
        String id = item.change.sourceId();
        StateStore state = pipe.state();
        boolean gone = item.source == null || !item.inScope;
        switch (item.outcome) {
            case CREATED, MODIFIED, NO_CHANGE -> {
                if (gone && item.outcome == Outcome.NO_CHANGE && item.plan != null && item.destination == null) {
                    state.recordRemoved(pipe.name(), id);
                    break;
                }
                String ref = item.delivered != null ? item.delivered.name() : item.plan.newRef() != null ? item.plan.newRef() : item.plan.ref();
                String destinationId = item.destination != null ? item.destination.id()
                        : item.delivered != null && item.delivered.id() != null ? item.delivered.id() : ref;
                String caveat = gone ? null : caveat(unsyncedMembers(pipe, item), item.delivered == null ? null : item.delivered.caveat());
                boolean unchanged = item.outcome == Outcome.NO_CHANGE && item.settledIntent == null && item.link != null
                        && item.link.status() == StateStore.Status.SYNCED && ref.equals(item.link.destinationRef())
                        && item.link.inScope() == !gone && java.util.Objects.equals(item.link.reason(), caveat);
                if (!unchanged) {
                    state.recordSynced(pipe.name(), id, ref, destinationId, !gone, caveat);
                }
            }
            case DELETED -> state.recordRemoved(pipe.name(), id);
            case FAILED -> {
                // an entry that could not be read keeps the scope it had: it is still counted where it was
                boolean inScope = item.source == null ? item.link == null || item.link.inScope() : item.inScope;
                io.idsync.connector.FailureCategory category = item.failureCategory == null ? io.idsync.connector.FailureCategory.REJECTED : item.failureCategory;
                state.recordFailed(pipe.name(), id, item.reason, inScope, category.key());
                if (item.retrying == SyncItem.Retrying.WHEN_LET_GO) {
                    state.requestRetry(pipe.name(), id, item.reason);
                } else if (pipe.failurePolicy(category) == FailurePolicy.RETRY) {
                    state.retryFailed(pipe.name(), id, item.reason, pipe.retryFailedAttempts(), pipe.retryFailedInterval());
                } // parked: it waits for an operator
            }
            case NOT_SYNCHRONIZED -> {
                boolean linked = item.link != null && item.link.destinationRef() != null;
                if (item.settledIntent != null) {
                    state.recordRemoved(pipe.name(), id);
                } else if (linked) {
                    // the account stays as it was, which may not be the source's: partly synced, and why
                    state.recordSynced(pipe.name(), id, item.link.destinationRef(), item.link.destinationId(), !gone, "not synchronized: " + item.reason);
                } else if (!gone) {
                    state.recordUnsynced(pipe.name(), id, item.reason);
                } else {
                    withdrawNotedCreate(state, pipe, item);
                }
            }
            case HELD -> state.hold(pipe.name(), java.util.List.of(new StateStore.HeldRemoval(id, item.plan.ref(),
                    item.plan.action() == io.idsync.connector.Plan.Action.DELETE ? "delete" : "disable", item.reason, java.time.Instant.now())));
            case OUT_OF_SCOPE -> {
                if (item.settledIntent != null) {
                    state.recordRemoved(pipe.name(), id); // the intent is settled: nothing of it is at the destination
                } else {
                    withdrawNotedCreate(state, pipe, item);
                }
            }
        }
        if (run.holdsExist && item.outcome != Outcome.HELD && item.outcome != Outcome.FAILED && item.outcome != Outcome.OUT_OF_SCOPE) {
            // removed now, approved or not, or back in scope: its held removal, if it had one, no longer waits
            state.releaseHeld(pipe.name(), java.util.List.of(id));
        }
        boolean linked = item.outcome == Outcome.CREATED || item.outcome == Outcome.MODIFIED || item.outcome == Outcome.NO_CHANGE;
        if (linked && !gone && (item.link == null || item.link.status() != StateStore.Status.SYNCED || item.link.destinationId() == null)) {
            // newly provisioned: the group pipes taking their members from this one add it to its groups
            for (Pipe groups : pipes.takingMembersFrom(pipe.name())) {
                state.requestMemberRefresh(groups.name(), id);
            }
        }
        StateStore.AuditRecord audited = AuditTrail.of(pipe, item);
        if (audited != null) {
            AuditTrail.write(state, audited);
        }
        pipe.counters().count(item.outcome);
        if (report != null) {
            report.add(item);
        }
        pipe.recorded(item.change, item.outcome);
        logOutcome(pipe, item);
    }

    /** The scan noted a create this entry did not make: its state goes back to what it was. */
    private static void withdrawNotedCreate(StateStore state, Pipe pipe, SyncItem item) {
        if (item.notedCreate != null) {
            state.withdrawIntent(pipe.name(), item.change.sourceId(), item.link);
        }
    }

    /** For a group: why it is not fully synced, when some of its members are not synchronized by its members-from pipe. */
    private static String unsyncedMembers(Pipe pipe, SyncItem item) {
        if (pipe.membersFrom() == null || item.source == null) {
            return null;
        }
        int members = item.source.document().path(SourceEntry.MEMBER_IDS).size();
        int provisioned = item.source.document().path(Road.PROVISIONED_MEMBERS).size();
        return provisioned >= members ? null : (members - provisioned) + " of its " + members + " members are not synchronized by pipe '"
                + pipe.membersFrom() + "' (out of its scope, failed, or not provisioned yet)";
    }

    private static void logOutcome(Pipe pipe, SyncItem item) {
        boolean quiet = item.outcome == Outcome.NO_CHANGE || item.outcome == Outcome.OUT_OF_SCOPE
                || (item.change.kind() == Change.Kind.SCAN && item.outcome != Outcome.FAILED);
        Logger.Level level = item.outcome == Outcome.FAILED ? Logger.Level.WARN : quiet ? Logger.Level.DEBUG : Logger.Level.INFO;
        if (!SYNC_LOG.isEnabled(level)) {
            return; // a full scan of a large directory logs nothing per entry unless asked to
        }
        String what = item.plan != null && item.outcome != Outcome.FAILED ? item.plan.describe() : "";
        SYNC_LOG.logf(level, "%s %s %s %s%s", pipe.name(), item.outcome.counter(), item.change.sourceId(), what,
                item.reason == null ? "" : " (" + item.reason + ")");
    }
}

package io.idsync.pipe;

import io.idsync.connector.Change;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.Plan;
import io.idsync.connector.SourceEntry;
import io.idsync.mapping.MappedEntry;
import io.idsync.state.StateStore;

/**
 * One change on its way down the road; each step fills in its part. Once {@link #outcome} is set the
 * remaining steps let it pass untouched, and {@code record} writes it down.
 */
public final class SyncItem {

    final Change change;
    SourceEntry source;
    boolean inScope;
    /** the entry came from a scan its source scoped itself ({@link io.idsync.connector.SourceReader#scansOnlyInScope}) */
    boolean scopedByScan;
    MappedEntry mapped;
    /** the link as the state store has it (null: none), once looked up: by the feed with its page, else by correlate */
    StateStore.EntryState link;
    private boolean linkKnown;
    DestinationEntry destination;
    Plan plan;
    /** the destination entry's name and id after deliver (a create's new id) */
    io.idsync.connector.Destination.Written delivered;
    Outcome outcome;
    String reason;
    /** the correlation criteria the mapped entry gave (a create notes them in its intent) */
    java.util.List<java.util.Map<String, String>> criteria = java.util.List.of();
    /** the intent a crash left on the link, settled by correlate (null: none): the outcome is written even when nothing changed */
    StateStore.Intent settledIntent;
    /** the create intent the feed committed with this entry's page (null: none): the create needs no commit of its own */
    StateStore.Intent notedCreate;
    /** a removal the run makes when it ends (within the deletion guard's limit): deliver and record pass it by until then */
    boolean deferred;
    /** what correlation found, step by step, for an operator's trace (provision on demand); null: not traced */
    java.util.List<String> trail;
    /** what kind of failure the entry's is, once it failed (its pipe's policy for the kind decides what follows) */
    io.idsync.connector.FailureCategory failureCategory;
    /** how a failure of this entry is tried again */
    Retrying retrying = Retrying.WITH_BACKOFF;

    /** How a failed entry is tried again. */
    enum Retrying {
        /** at the pipe's retry-failed interval, up to its attempts: the entry's own failure may be fixed meanwhile */
        WITH_BACKOFF,
        /** until the destination entry's owner (another pipe, or another source entry) lets it go */
        WHEN_LET_GO
    }

    SyncItem(Change change) {
        this.change = change;
    }

    public Change change() {
        return change;
    }

    public Plan plan() {
        return plan;
    }

    public Outcome outcome() {
        return outcome;
    }

    public String reason() {
        return reason;
    }

    /**
     * The entry's first mapped value of {@code attribute}, or null (before the map, or for an entry that is gone):
     * what a pipe's {@code skipWhen} rule reads, e.g. {@code ${body.value('uid')}}.
     */
    public String value(String attribute) {
        return mapped == null ? null : mapped.first(attribute);
    }

    /** The link looked up with the feed's page (null: none). */
    void linkFound(StateStore.EntryState found) {
        link = found;
        linkKnown = true;
    }

    boolean linkKnown() {
        return linkKnown;
    }

    /** Notes a step for the trace, when the entry is traced. */
    void note(String step) {
        if (trail != null) {
            trail.add(step);
        }
    }

    boolean decided() {
        return outcome != null;
    }

    void decide(Outcome outcome, String reason) {
        this.outcome = outcome;
        this.reason = reason;
    }

    @Override
    public String toString() {
        return change.entryType() + " " + change.sourceId() + (outcome == null ? "" : " " + outcome);
    }
}

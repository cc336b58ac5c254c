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
    MappedEntry mapped;
    StateStore.EntryState link;
    /** set when a scan already looked the link up with its page */
    boolean linkLoaded;
    DestinationEntry destination;
    Plan plan;
    /** the destination entry's name and id after deliver (a create's new id) */
    io.idsync.connector.Destination.Written delivered;
    Outcome outcome;
    String reason;
    /** the correlation criteria the mapped entry gave (a create notes them in its intent) */
    java.util.List<java.util.Map<String, String>> criteria = java.util.List.of();
    /** the link carried an intent a crash left: the outcome is written even when nothing changed */
    boolean intentResolved;
    /** a scan committed this entry's create intent with its page: the create needs no commit of its own */
    boolean createNoted;
    /** another pipe (or another source entry) holds the destination entry: asked again later */
    boolean retryLater;

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

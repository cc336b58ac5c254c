package io.idsync.pipe;

/** How a change ended; every change ends as exactly one of these (PingDataSync's sync log message types). */
public enum Outcome {
    CREATED("created"),
    MODIFIED("modified"),
    DELETED("deleted"),
    /** the destination already matched: nothing was written */
    NO_CHANGE("noChange"),
    /** not a change this pipe handles: another entry type, an ignored actor, an entry outside the scope */
    OUT_OF_SCOPE("outOfScope"),
    /** the sync class switches this operation off ({@code synchronize-creates/modifies/deletes}) */
    NOT_SYNCHRONIZED("notSynchronized"),
    /** a removal the deletion guard held for an operator: nothing was written, the link stays */
    HELD("held"),
    FAILED("failed");

    private final String counter;

    Outcome(String counter) {
        this.counter = counter;
    }

    public String counter() {
        return counter;
    }
}

package io.idsync.pipe;

import io.idsync.connector.DestinationEntry;
import io.idsync.connector.EntryRejected;
import io.idsync.mapping.CorrelationRule;
import io.idsync.state.StateStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the destination entry a source entry is: its link from an earlier run (an intent a crash left settled
 * first, by {@link IntentSettlement}), else the mapping's correlation rules in order, over one search shared with
 * the other workers; an entry found that another pipe writing to the same place, or another source entry, is linked
 * to is not taken. Camel-free: the road's correlate step calls it.
 */
final class Correlator {

    private final Pipes pipes;
    private final Retry retry;
    private final IntentSettlement settlement;

    Correlator(Pipes pipes, Retry retry) {
        this.pipes = pipes;
        this.retry = retry;
        this.settlement = new IntentSettlement(retry);
    }

    /**
     * The link from an earlier run first (resolving an intent a crash left), then the correlation rules in order;
     * several matches fail the change. An entry found by correlation that another pipe writing to the same place,
     * or another source entry, is linked to is not this entry's: it fails, naming its owner, and is tried again later.
     */
    void correlate(Pipe pipe, SyncItem item) {
        if (item.decided()) {
            return;
        }
        if (!item.linkKnown()) {
            item.linkFound(retry.call(pipe, "read the link of " + item.change.sourceId(),
                    () -> pipe.state().entry(pipe.name(), item.change.sourceId())).orElse(null));
        }
        List<CorrelationRule> rules = new ArrayList<>();
        List<Map<String, String>> alternatives = new ArrayList<>();
        for (CorrelationRule rule : pipe.mapping().correlation()) {
            rule.criteria(item.mapped).ifPresent(criteria -> {
                rules.add(rule);
                alternatives.add(criteria);
            });
        }
        item.criteria = alternatives;
        if (item.link != null && item.link.intent() != null) {
            settlement.settle(pipe, item);
        }
        if (item.destination == null && item.link != null && item.link.destinationRef() != null) {
            String ref = item.link.destinationRef();
            item.destination = retry.call(pipe, "read " + ref, () -> pipe.destination().read(ref)).orElse(null);
            item.note("linked by an earlier run to " + ref + (item.destination != null ? "" : ", which is gone from the destination"));
        }
        if (item.destination != null) {
            return;
        }
        if (alternatives.isEmpty()) {
            item.note("no correlation rule applies (the mapped entry has no value for any rule's attributes): a new entry");
            return;
        }
        // every applicable rule in one search (shared with other workers'), then the rules in their order over the candidates
        int limit = 2 * alternatives.size() + 1;
        List<DestinationEntry> candidates = retry.call(pipe, "correlate " + item.change.sourceId(),
                () -> pipe.correlationSearches().findAny(alternatives, limit));
        boolean truncated = candidates.size() >= limit;
        for (int i = 0; i < rules.size(); i++) {
            Map<String, String> criteria = alternatives.get(i);
            List<DestinationEntry> matches = (truncated
                    ? retry.call(pipe, "correlate " + item.change.sourceId(), () -> pipe.destination().find(criteria, 2))
                    : candidates).stream().filter(candidate -> CorrelationSearches.matches(candidate, criteria)).toList();
            item.note("rule [" + rules.get(i) + "] with " + criteria + ": " + (matches.isEmpty() ? "no entry"
                    : matches.size() + (matches.size() == 1 ? " entry, " : " entries, ") + String.join("; ", matches.stream().map(DestinationEntry::name).toList())));
            if (matches.size() == 1) {
                claim(pipe, item, matches.get(0));
                return;
            }
            if (matches.size() > 1) {
                throw new EntryRejected(io.idsync.connector.FailureCategory.CONFLICT, "correlation rule [" + rules.get(i) + "] matched more than one destination entry ("
                        + String.join("; ", matches.stream().map(DestinationEntry::name).toList()) + "); nothing was written");
            }
        }
        item.note("no correlation rule found an entry: a new one");
    }

    /**
     * The owner's link matched the found entry by its id alone, and the entry the link names still exists with that id:
     * two entries share the id (a copy that was given its source's entryUUID, as the demo's replicas are), so the
     * found one is not the owner's. A link whose entry is gone under its name was renamed: the found entry is it.
     */
    private boolean anotherEntryWithTheSameId(Pipe pipe, StateStore.Owner owner, DestinationEntry found) {
        if (owner.destinationRef() == null || owner.destinationRef().equalsIgnoreCase(found.name()) || found.id() == null) {
            return false;
        }
        Optional<DestinationEntry> named = retry.call(pipe, "read " + owner.destinationRef(), () -> pipe.destination().read(owner.destinationRef()));
        return named.isPresent() && found.id().equals(named.get().id());
    }

    /** Takes a destination entry found by correlation, unless another pipe or source entry holds it. */
    private void claim(Pipe pipe, SyncItem item, DestinationEntry found) {
        String id = item.change.sourceId();
        Optional<StateStore.Owner> owner = retry.call(pipe, "read who owns " + found.name(),
                () -> pipe.state().owner(pipes.writingWith(pipe), pipe.name(), id, found.id(), found.name()));
        if (owner.isEmpty() || anotherEntryWithTheSameId(pipe, owner.get(), found)) {
            item.destination = found;
            return;
        }
        StateStore.Owner holder = owner.get();
        item.retrying = SyncItem.Retrying.WHEN_LET_GO;
        item.failureCategory = io.idsync.connector.FailureCategory.CONFLICT;
        item.decide(Outcome.FAILED, "the destination entry " + found.name() + " belongs to "
                + (holder.pipe().equals(pipe.name()) ? "this pipe's source entry " + holder.sourceId()
                : "pipe '" + holder.pipe() + "' (its source entry " + holder.sourceId() + ")")
                + "; nothing was written, tried again until it is let go");
    }
}

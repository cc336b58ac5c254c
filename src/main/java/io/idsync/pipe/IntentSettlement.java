package io.idsync.pipe;

import io.idsync.connector.DestinationEntry;
import io.idsync.state.StateStore;

import java.util.List;
import java.util.Map;

/**
 * Settles the intent a crash left on a link (a create, delete or rename noted before its write, whose outcome was
 * never recorded): what the destination holds now tells which happened, and the link becomes what is true.
 */
final class IntentSettlement {

    private final Retry retry;

    IntentSettlement(Retry retry) {
        this.retry = retry;
    }

    /**
     * The link carries an intent: a crash came between a create, delete or rename and its outcome. What the
     * destination holds now tells which happened; the link becomes what is true, and the road goes on from there
     * (a delete that happened leaves the entry unlinked, so a source back in scope is created again).
     */
    void settle(Pipe pipe, SyncItem item) {
        StateStore.EntryState link = item.link;
        StateStore.Intent intent = link.intent();
        item.settledIntent = intent;
        DestinationEntry found = switch (intent.action()) {
            case CREATE -> created(pipe, item, intent);
            case DELETE -> read(pipe, link.destinationRef());
            case RENAME -> {
                DestinationEntry renamed = read(pipe, intent.ref());
                yield renamed != null ? renamed : read(pipe, link.destinationRef());
            }
        };
        if (found == null) {
            // created nothing, deleted what it meant to, or a renamed entry gone: nothing is linked (correlation may still find one)
            item.link = new StateStore.EntryState(link.sourceId(), null, null, StateStore.Status.REMOVED, null, link.updatedAt());
            return;
        }
        item.destination = found;
        item.link = new StateStore.EntryState(link.sourceId(), found.name(), found.id() != null ? found.id() : link.destinationId(),
                StateStore.Status.SYNCED, null, link.updatedAt());
    }

    /**
     * What an interrupted create wrote: the entry under the name it gave, or (a destination that names entries
     * itself) the one its correlation criteria find. An entry under that name that the criteria do not match is not
     * the create's (the create failed: the name was taken).
     */
    private DestinationEntry created(Pipe pipe, SyncItem item, StateStore.Intent intent) {
        List<Map<String, String>> criteria = intent.criteria() == null ? item.criteria : Intents.criteria(intent.criteria());
        DestinationEntry named = read(pipe, intent.ref());
        if (named != null) {
            return criteria.isEmpty() || criteria.stream().anyMatch(c -> CorrelationSearches.matches(named, c)) ? named : null;
        }
        for (Map<String, String> alternative : criteria) {
            List<DestinationEntry> matches = retry.call(pipe, "find what " + item.change.sourceId() + " created", () -> pipe.destination().find(alternative, 2))
                    .stream().filter(candidate -> CorrelationSearches.matches(candidate, alternative)).toList();
            if (matches.size() == 1) {
                return matches.get(0);
            }
        }
        return null;
    }

    private DestinationEntry read(Pipe pipe, String ref) {
        return ref == null ? null : retry.call(pipe, "read " + ref, () -> pipe.destination().read(ref)).orElse(null);
    }
}

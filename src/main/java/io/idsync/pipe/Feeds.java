package io.idsync.pipe;

import io.idsync.connector.Change;
import io.idsync.connector.ChangeBatch;
import io.idsync.connector.Paging;
import io.idsync.connector.SourceEntry;
import io.idsync.mapping.MappedEntry;
import io.idsync.state.StateStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The three feeds of the road, each a stream of items: the change feed after a checkpoint (with the member
 * refreshes a group pipe owes and the retries that are due), a full scan of the source (initial load, resync), and the pipe's links (the
 * reconciliation). Scans and links come a page at a time, so memory stays flat.
 */
final class Feeds {

    /** Entries a scan reads ahead to look their links up together; bounds the scan's memory too. */
    static final int PAGE = 2000;

    private final Retry retry;

    Feeds(Retry retry) {
        this.retry = retry;
    }

    /**
     * The changes after {@code checkpoint}, coalesced per entry (one read of the current entry covers every
     * change to it in the batch); a group pipe's member refreshes are among them. Notes the next token and the
     * refreshes on the run.
     */
    Iterator<SyncItem> changes(Pipe pipe, String checkpoint, Run run) {
        ChangeBatch batch = pipe.changes().changesSince(checkpoint);
        List<Change> changes = new ArrayList<>(batch.changes());
        if (pipe.membersFrom() != null) {
            // users the members-from pipe newly provisioned: their groups are synchronized again. Each user's groups
            // cost a request; when the users outnumber the pipe's groups (the members-from pipe's initial load) every
            // linked group is read afresh instead: a few reads rather than one rate-limited request per user, which
            // kept the batch (and the feed's own changes) waiting for minutes.
            List<StateStore.MemberRefresh> refreshes = pipe.state().memberRefreshes(pipe.name(), PAGE);
            List<String> groups = refreshes.size() < 2 ? List.of()
                    : retry.call(pipe, "read the links", () -> pipe.state().linkedIds(pipe.name(), "", refreshes.size()));
            if (!refreshes.isEmpty() && groups.size() < refreshes.size() && !groups.isEmpty()) {
                groups.forEach(id -> changes.add(new Change(id, pipe.entryType(), Change.Kind.SCAN, Instant.now(), Set.of(), null)));
            } else {
                for (StateStore.MemberRefresh refresh : refreshes) {
                    changes.addAll(pipe.changes().changesForMember(refresh.memberId()));
                }
            }
            run.memberRefreshes = refreshes.stream().map(StateStore.MemberRefresh::id).toList();
        }
        // entries asked for again (another pipe owned their destination entry): read afresh, as a scan reads them
        List<StateStore.RetryDue> retries = pipe.state().retriesDue(pipe.name(), PAGE);
        for (StateStore.RetryDue retry : retries) {
            changes.add(new Change(retry.sourceId(), pipe.entryType(), Change.Kind.SCAN, Instant.now(), Set.of(), null));
        }
        run.retries = retries;
        pipe.counters().seen(changes.size());
        run.nextToken = batch.nextToken();
        // each page's links in one lookup, as a scan's: one query per entry cost more than its write
        Iterator<List<SyncItem>> pages = Paging.chunks(coalesce(changes).stream().map(SyncItem::new).iterator(), PAGE);
        return Paging.flatMap(pages, items -> {
            Map<String, StateStore.EntryState> links = retry.call(pipe, "read the links of a page",
                    () -> pipe.state().entries(pipe.name(), items.stream().map(i -> i.change.sourceId()).toList()));
            for (SyncItem item : items) {
                item.linkFound(links.get(item.change.sourceId()));
            }
            return items.iterator();
        });
    }

    /**
     * The source's scan as items, a page at a time: each page's links are looked up in one query. A pipe that has
     * never recorded an entry (its first load) has no links to look up, and skips those queries. Unless
     * {@code dryRun}, the creates the page's unlinked in-scope entries would make are noted in one commit before
     * any of them goes down the road (a load is mostly creates: one commit per page, not per entry). Each such entry
     * is mapped here once; the map step uses that mapping (unless the road adds to the entry first: a group's
     * provisioned members).
     */
    Iterator<SyncItem> scan(Pipe pipe, boolean dryRun) {
        return scan(pipe, dryRun, null);
    }

    /**
     * As {@link #scan(Pipe, boolean)}, of the in-scope entries the source's own {@code filter} matches (null: all).
     *
     * @throws IllegalArgumentException when the source cannot filter, or not by this filter
     */
    Iterator<SyncItem> scan(Pipe pipe, boolean dryRun, String filter) {
        // asked once, before the scan records anything: an entry the source lists twice is found the second
        // time by correlation, as it would be by its link
        boolean linksExist = retry.call(pipe, "read whether any link exists", () -> pipe.state().hasEntries(pipe.name()));
        Iterator<SourceEntry> scanned;
        if (filter == null) {
            scanned = pipe.reader().scan();
        } else if (pipe.reader() instanceof io.idsync.connector.FilteredScan filtered) {
            scanned = filtered.scan(filter);
        } else {
            throw new IllegalArgumentException("the source of pipe '" + pipe.name() + "' cannot filter a run; name its entries by their ids");
        }
        Iterator<List<SourceEntry>> pages = Paging.chunks(scanned, PAGE);
        return Paging.flatMap(pages, entries -> {
            boolean scoped = pipe.reader().scansOnlyInScope();
            List<SyncItem> items = entries.stream().map(entry -> new SyncItem(Change.scanned(entry, pipe.entryType()))).toList();
            Map<String, StateStore.EntryState> links = !linksExist ? Map.of() : retry.call(pipe, "read the links of a page",
                    () -> pipe.state().entries(pipe.name(), items.stream().map(i -> i.change.sourceId()).toList()));
            Map<String, StateStore.Intent> creates = new LinkedHashMap<>();
            for (SyncItem item : items) {
                item.linkFound(links.get(item.change.sourceId()));
                item.scopedByScan = scoped;
                if (!dryRun && (item.link == null || (item.link.destinationRef() == null && item.link.intent() == null))
                        && (scoped || pipe.reader().inScope(item.change.preloaded()))) {
                    MappedEntry mapped = mapOrNull(pipe, item.change.preloaded());
                    if (mapped != null && pipe.membersFrom() == null) {
                        item.mapped = mapped;
                    }
                    StateStore.Intent create = mapped == null ? null : Intents.create(pipe.mapping(), mapped);
                    if (create != null) {
                        creates.put(item.change.sourceId(), create);
                        item.notedCreate = create;
                    }
                }
            }
            if (!creates.isEmpty()) {
                retry.run(pipe, "note the creates of a page", () -> pipe.state().recordIntents(pipe.name(), creates, links));
            }
            return items.iterator();
        });
    }

    /** The entry as the mapping maps it, or null when it cannot be mapped (the road's map step then fails it, with the reason). */
    private static MappedEntry mapOrNull(Pipe pipe, SourceEntry entry) {
        try {
            return pipe.mapping().map(entry.document());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The linked entries, a page at a time from the state store, as SCAN changes read afresh from the source. */
    Iterator<SyncItem> linked(Pipe pipe) {
        Iterator<String> ids = Paging.pages("", after -> {
            List<String> page = retry.call(pipe, "read the links", () -> pipe.state().linkedIds(pipe.name(), after, PAGE));
            return page.size() < PAGE ? Paging.Page.last(page) : Paging.Page.then(page, page.get(page.size() - 1));
        });
        return Paging.map(ids, id -> new SyncItem(new Change(id, pipe.entryType(), Change.Kind.SCAN, Instant.now(), Set.of(), null)));
    }

    /** The entries these source ids name, as SCAN changes read afresh from the source (a run of a subset). */
    Iterator<SyncItem> named(Pipe pipe, List<String> sourceIds) {
        return Paging.map(new LinkedHashSet<>(sourceIds).iterator(),
                id -> new SyncItem(new Change(id, pipe.entryType(), Change.Kind.SCAN, Instant.now(), Set.of(), null)));
    }

    /** One change per entry, in the order of each entry's last change; kinds and actors merged. */
    static Collection<Change> coalesce(List<Change> changes) {
        Map<String, Change> byEntry = new LinkedHashMap<>();
        for (Change change : changes) {
            String key = change.entryType() + "/" + change.sourceId();
            Change earlier = byEntry.remove(key);
            if (earlier == null) {
                byEntry.put(key, change);
                continue;
            }
            Change.Kind kind = change.kind() == Change.Kind.DELETE ? Change.Kind.DELETE
                    : earlier.kind() == Change.Kind.CREATE || change.kind() == Change.Kind.CREATE ? Change.Kind.CREATE : Change.Kind.MODIFY;
            Set<String> actors = new LinkedHashSet<>(earlier.actors());
            actors.addAll(change.actors());
            byEntry.put(key, new Change(change.sourceId(), change.entryType(), kind, change.at(), actors, null));
        }
        return new ArrayList<>(byEntry.values());
    }
}

package io.idsync.state;

import javax.sql.DataSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pipes' durable state in any JDBC database (H2 embedded by default, PostgreSQL; the schema comes from Flyway
 * migrations in {@code db/migration}): what the road and the API ask of it, each concern kept by a small store over
 * one JDBC helper ({@link Jdbc}): {@link Checkpoints} (feed positions and counters), {@link EntryStates} (links,
 * outcomes and intents, written behind), {@link Retries}, {@link MemberRefreshes} and the {@link AuditLog}; the sync
 * status rule is {@link SyncFigure}.
 * <p>
 * A checkpoint and the counters are saved in one transaction with the batch's last outcomes, after every change of the
 * batch has been recorded, so a crash replays a batch rather than losing it. A crash can lose buffered
 * outcomes, never a change: the batch replays. What the lost window wrote is told by the {@link Intent}s, committed
 * before each create, delete and rename: the replay finds what idsync created and knows what it deleted.
 */
public class StateStore {

    /**
     * An entry's last outcome; PENDING: none yet, only an {@link Intent}; UNSYNCED: in scope, nothing at the
     * destination, not synchronized (a switch is off). A SYNCED entry with a reason is synced with a caveat (a group
     * some of whose members are not synchronized, a change the pipe's switches kept from the destination).
     */
    public enum Status {
        SYNCED, FAILED, REMOVED, PENDING, UNSYNCED
    }

    /**
     * What the pipe is about to do to an entry's destination entry, made durable before it does it: after a crash
     * the replay reads it to tell what the lost window did (see {@link #recordIntent}).
     *
     * @param ref      the entry's name afterwards (a create's or a rename's); null where the destination names it
     * @param criteria a create's correlation criteria (a JSON array of objects), to find what it created by
     */
    public record Intent(Action action, String ref, String criteria) {
        public enum Action {
            CREATE, DELETE, RENAME
        }
    }

    /** What the pipe knows of one source entry: its link, its last outcome, and an intent not yet resolved. */
    public record EntryState(String sourceId, String destinationRef, String destinationId, Status status, String reason, Instant updatedAt,
                             Intent intent, boolean inScope, String failureCategory) {
        public EntryState(String sourceId, String destinationRef, String destinationId, Status status, String reason, Instant updatedAt,
                          Intent intent, boolean inScope) {
            this(sourceId, destinationRef, destinationId, status, reason, updatedAt, intent, inScope, null);
        }

        public EntryState(String sourceId, String destinationRef, String destinationId, Status status, String reason, Instant updatedAt) {
            this(sourceId, destinationRef, destinationId, status, reason, updatedAt, null, true);
        }

        public EntryState(String sourceId, String destinationRef, String destinationId, Status status, String reason, Instant updatedAt,
                          Intent intent) {
            this(sourceId, destinationRef, destinationId, status, reason, updatedAt, intent, true);
        }

        /** The same state with another intent (the rest as it was). */
        EntryState withIntent(Intent other, Instant at) {
            return new EntryState(sourceId, destinationRef, destinationId, status, reason, at, other, inScope, failureCategory);
        }
    }

    /** One audit record: an operation idsync performed or was asked to, its outcome and why. Attribute names, never values. */
    public record AuditRecord(long id, Instant at, String pipe, String sourceId, String destination, String operation, String outcome,
                              String attributes, String reason) {
    }

    /** A pipe's sync status (seed 003), counted over its whole scope from the entries' rows. */
    public record Figures(long impacted, long success, long unsynced, long partial, long failed) {
    }

    /** The pipe and source entry whose link is a given destination entry. */
    public record Owner(String pipe, String sourceId, String destinationRef) {
    }

    /** An entry due to go down the road again, and the attempt it is. */
    public record RetryDue(String sourceId, int attempts) {
    }

    /** outcomes (and audit records) written per commit */
    static final int WRITE_BATCH = EntryStates.WRITE_BATCH;

    private final Checkpoints checkpoints;
    private final EntryStates entries;
    private final Retries retries;
    private final MemberRefreshes memberRefreshes;
    private final AuditLog audit;
    private final HeldRemovals held;

    public StateStore(DataSource dataSource) {
        Jdbc jdbc = new Jdbc(dataSource);
        this.checkpoints = new Checkpoints(jdbc);
        this.audit = new AuditLog(jdbc);
        this.entries = new EntryStates(jdbc, audit);
        this.retries = new Retries(jdbc);
        this.memberRefreshes = new MemberRefreshes(jdbc);
        this.held = new HeldRemovals(jdbc);
    }

    /**
     * The check every write of outcomes and checkpoints makes in its transaction: that this instance still holds the
     * pipes it writes (several instances on one database).
     */
    public StateStore fence(Fence fence) {
        entries.fence(fence);
        return this;
    }

    // --- checkpoints and counters -------------------------------------------------------------------

    public Optional<String> checkpoint(String pipe) {
        return checkpoints.checkpoint(pipe);
    }

    /**
     * Where the feed stood when the pipe's initial load first started, saving {@code now} as that position if no
     * attempt has: a restarted load keeps the first attempt's position, so the changes made while it ran (and
     * while it was down) are replayed from the feed once it finishes.
     */
    public String initialLoadStart(String pipe, java.util.function.Supplier<String> now) {
        return checkpoints.initialLoadStart(pipe, now);
    }

    /**
     * Saves the checkpoint and the counters with the batch's outcomes not yet written, in one transaction: a batch ends
     * in one commit; an initial load's start position goes with its first checkpoint.
     */
    public void saveCheckpoint(String pipe, String token, Map<String, Long> counters) {
        entries.flushWith(pipe, c -> checkpoints.save(c, pipe, token, counters));
        audit.purgeWhenDue();
    }

    /** Saves the counters alone (after a resync, which does not move the checkpoint). */
    public void saveCounters(String pipe, Map<String, Long> counters) {
        flush();
        checkpoints.saveCounters(pipe, counters);
    }

    public void clearCheckpoint(String pipe) {
        checkpoints.clear(pipe);
    }

    public Map<String, Long> counters(String pipe) {
        return checkpoints.counters(pipe);
    }

    // --- entries -------------------------------------------------------------------------------------

    public Optional<EntryState> entry(String pipe, String sourceId) {
        return entries.entry(pipe, sourceId);
    }

    /** Whether the pipe has recorded any entry at all (a pipe that has not needs no link look-ups). */
    public boolean hasEntries(String pipe) {
        return entries.hasEntries(pipe);
    }

    /** Up to {@code limit} linked source ids (and ids with an intent a crash left unresolved) after {@code afterId}, in id order: a reconciliation pages through them. */
    public List<String> linkedIds(String pipe, String afterId, int limit) {
        return entries.linkedIds(pipe, afterId, limit);
    }

    /** The states of several entries in one query (a scan looks up a page of links at once). */
    public Map<String, EntryState> entries(String pipe, java.util.Collection<String> sourceIds) {
        return entries.entries(pipe, sourceIds);
    }

    public void recordSynced(String pipe, String sourceId, String destinationRef, String destinationId) {
        recordSynced(pipe, sourceId, destinationRef, destinationId, true, null);
    }

    /**
     * @param inScope whether the source entry is in the pipe's scope (one the remove action disabled is not)
     * @param caveat  null when the destination entry is fully in step; else why it may not be (it is partly synced)
     */
    public void recordSynced(String pipe, String sourceId, String destinationRef, String destinationId, boolean inScope, String caveat) {
        entries.buffer(pipe, new EntryState(sourceId, destinationRef, destinationId, Status.SYNCED, Jdbc.trim(caveat), Instant.now(), null, inScope));
    }

    /** Records a failure; the link, if any, is kept so the next attempt finds the same entry. */
    public void recordFailed(String pipe, String sourceId, String reason) {
        recordFailed(pipe, sourceId, reason, true);
    }

    public void recordFailed(String pipe, String sourceId, String reason, boolean inScope) {
        recordFailed(pipe, sourceId, reason, inScope, null);
    }

    /** @param category what kind of failure it is ({@code schema}, {@code conflict}...), for policies and bulk decisions */
    public void recordFailed(String pipe, String sourceId, String reason, boolean inScope, String category) {
        String trimmed = reason == null ? "unknown" : Jdbc.trim(reason);
        EntryState previous = entry(pipe, sourceId).orElse(null);
        entries.buffer(pipe, new EntryState(sourceId, previous == null ? null : previous.destinationRef(),
                previous == null ? null : previous.destinationId(), Status.FAILED, trimmed, Instant.now(), null, inScope, category));
    }

    /**
     * An operator dismissed these failed entries: they leave the Failed figure (a linked one counts as partly synced, one
     * without an entry at the destination as unsynced, each with why) and no retry waits for them any more.
     *
     * @return how many of them were failed (the others are left as they are)
     */
    public int dismissFailed(String pipe, List<String> sourceIds, String why) {
        List<String> dismissed = new ArrayList<>();
        for (String sourceId : sourceIds) {
            EntryState failed = entry(pipe, sourceId).filter(state -> state.status() == Status.FAILED).orElse(null);
            if (failed == null) {
                continue;
            }
            String reason = Jdbc.trim("failure dismissed (" + why + "): " + failed.reason());
            entries.buffer(pipe, failed.destinationRef() != null
                    ? new EntryState(sourceId, failed.destinationRef(), failed.destinationId(), Status.SYNCED, reason, Instant.now(), null, failed.inScope())
                    : new EntryState(sourceId, null, null, Status.UNSYNCED, reason, Instant.now(), null, failed.inScope()));
            dismissed.add(sourceId);
        }
        retries.cancel(pipe, dismissed);
        entries.flush();
        return dismissed.size();
    }

    /** The failed entries of this category ({@code schema}...; null: all), a page of 1,000 ids after {@code afterId}. */
    public List<String> failedIds(String pipe, String category, String afterId) {
        return entries.failedIds(pipe, afterId, category);
    }

    /** An entry in scope the pipe does not create (a switch is off): counted as unsynced, with why. */
    public void recordUnsynced(String pipe, String sourceId, String reason) {
        entries.buffer(pipe, new EntryState(sourceId, null, null, Status.UNSYNCED, Jdbc.trim(reason), Instant.now(), null, true));
    }

    /** The destination entry is gone: the link is dropped, the row remembers that it was removed. */
    public void recordRemoved(String pipe, String sourceId) {
        entries.buffer(pipe, new EntryState(sourceId, null, null, Status.REMOVED, null, Instant.now()));
    }

    /**
     * Notes what the pipe is about to do to the entry's destination entry, and returns once that is committed:
     * the write it announces may then happen, and a crash after it is told apart on replay. Workers' intents
     * share commits (a worker waiting for the commit in progress finds its intent in the next). The outcome
     * recorded after the write replaces it.
     */
    public void recordIntent(String pipe, String sourceId, Intent intent) {
        EntryState previous = entry(pipe, sourceId).orElse(null);
        entries.bufferIntents(pipe, List.of(previous == null ? new EntryState(sourceId, null, null, Status.PENDING, null, Instant.now(), intent)
                : previous.withIntent(intent, Instant.now())));
        entries.flushIntents();
    }

    /**
     * As {@link #recordIntent}, for many entries in one commit: a scan notes the creates of a page of entries
     * that have no link yet before any of them goes down the road. {@code previous}: their states as the scan
     * read them (absent: none).
     */
    public void recordIntents(String pipe, Map<String, Intent> intents, Map<String, EntryState> previous) {
        List<EntryState> noted = new ArrayList<>();
        intents.forEach((sourceId, intent) -> {
            EntryState before = previous.get(sourceId);
            noted.add(before == null ? new EntryState(sourceId, null, null, Status.PENDING, null, Instant.now(), intent)
                    : before.withIntent(intent, Instant.now()));
        });
        entries.bufferIntents(pipe, noted);
        entries.flushIntents();
    }

    /** Puts the entry back as it was before an intent that came to nothing: {@code before}, or no row at all. */
    public void withdrawIntent(String pipe, String sourceId, EntryState before) {
        if (before != null) {
            entries.buffer(pipe, before.withIntent(null, before.updatedAt()));
            return;
        }
        entries.forget(pipe, sourceId);
    }

    /**
     * Who, among {@code pipes}, is linked to the destination entry with this id (or name), other than
     * {@code self}'s {@code sourceId}: the entry's owner, or empty when it is nobody's.
     */
    public Optional<Owner> owner(java.util.Collection<String> pipes, String self, String sourceId, String destinationId, String destinationRef) {
        return entries.owner(pipes, self, sourceId, destinationId, destinationRef);
    }

    // --- retries -------------------------------------------------------------------------------------

    /**
     * Asks for the entry to go down the pipe's road again at a poll after a backoff that doubles with each
     * attempt (from 1 s, at most 5 min): an entry another pipe owns, until that pipe lets it go.
     */
    public void requestRetry(String pipe, String sourceId, String reason) {
        requestRetry(pipe, sourceId, reason, java.time.Duration.ofSeconds(1));
    }

    /** As {@link #requestRetry(String, String, String)}, the backoff starting at {@code firstDelay}. */
    public void requestRetry(String pipe, String sourceId, String reason, java.time.Duration firstDelay) {
        retries.request(pipe, sourceId, reason, firstDelay);
    }

    /** The pipe's retries that are due, oldest first, at most {@code limit}. */
    public List<RetryDue> retriesDue(String pipe, int limit) {
        return retries.due(pipe, limit);
    }

    /** These retries went down the road and their outcomes are saved; one asked for again meanwhile (a later attempt) stays. */
    public void retriesDone(String pipe, List<RetryDue> done) {
        retries.done(pipe, done);
    }

    /** How many times the entry has been retried, and when it is next due; empty when no retry is waiting. */
    public Optional<Map.Entry<Integer, Instant>> retryOf(String pipe, String sourceId) {
        return retries.of(pipe, sourceId);
    }

    /**
     * A failed entry retried at the pipe's next polls, with a backoff from {@code firstDelay} that doubles (at most
     * 5 min), at most {@code maxAttempts} times in all; answers whether a retry is waiting now.
     */
    public boolean retryFailed(String pipe, String sourceId, String reason, int maxAttempts, java.time.Duration firstDelay) {
        return retries.retryFailed(pipe, sourceId, reason, maxAttempts, firstDelay);
    }

    /** An operator's retry: these entries go down the road at the pipe's next poll, attempts counted afresh. */
    public int retryNow(String pipe, List<String> sourceIds) {
        return retries.now(pipe, sourceIds);
    }

    /** Every failed entry of the pipe retried at its next poll (a page of ids at a time). */
    public int retryAllFailed(String pipe) {
        return retryAllFailed(pipe, null);
    }

    /** Every failed entry of this category ({@code schema}...; null: all) retried at the pipe's next poll. */
    public int retryAllFailed(String pipe, String category) {
        int total = 0;
        String after = "";
        while (true) {
            List<String> ids = entries.failedIds(pipe, after, category);
            if (ids.isEmpty()) {
                return total;
            }
            total += retryNow(pipe, ids);
            after = ids.get(ids.size() - 1);
        }
    }

    // --- sync status, entries, audit ----------------------------------------------------------------

    /** The pipe's sync status over its whole scope, from the rows alone (one grouped query on an index): see {@link SyncFigure}. */
    public Figures figures(String pipe, boolean groups) {
        return entries.figures(pipe, groups);
    }

    /** Which of the figures an entry is counted in ({@code success}, {@code partial}, {@code unsynced}, {@code failed}), or {@code outOfScope}. */
    public static String category(EntryState state, boolean groups) {
        SyncFigure figure = SyncFigure.of(state, groups);
        return figure == null ? "outOfScope" : figure.label();
    }

    /**
     * A page of the pipe's entries of one figure ({@code success}, {@code partial}, {@code unsynced}, {@code failed}, or
     * {@code any}), by source id after {@code afterId}; {@code text}, when given, must be in the source id, the
     * destination name or the reason (ignoring case: a failed create has no destination name, its reason names it).
     *
     * @throws IllegalArgumentException when {@code category} names no figure
     */
    public List<EntryState> entries(String pipe, String category, boolean groups, String text, String afterId, int limit) {
        return entries(pipe, category, groups, text, afterId, limit, null);
    }

    /** As {@link #entries(String, String, boolean, String, String, int)}, of one failure category ({@code schema}...; null: any). */
    public List<EntryState> entries(String pipe, String category, boolean groups, String text, String afterId, int limit, String failureCategory) {
        return entries.page(pipe, category.equals("any") ? null : SyncFigure.parse(category), groups, text, afterId, limit, failureCategory);
    }

    /** Adds an audit record; it is written with the outcomes it goes with (at the next flush). */
    public void audit(AuditRecord record) {
        audit.add(record);
        entries.flushWhenFull();
    }

    /**
     * Audit records, newest first, before id {@code beforeId} (0: from the newest), filtered by what is not null:
     * pipe, source id, operation, outcome, and a time range.
     */
    public List<AuditRecord> auditRecords(String pipe, String sourceId, String operation, String outcome, Instant from, Instant to,
                                          long beforeId, int limit) {
        entries.flushBeforeReading();
        return audit.page(pipe, sourceId, operation, outcome, from, to, beforeId, limit);
    }

    /** Keeps audit records this long; older ones are deleted at most once an hour, after a checkpoint. */
    public StateStore auditRetention(java.time.Duration retention) {
        audit.retention(retention);
        return this;
    }

    /** Deletes audit records older than {@code before} (the retention); answers how many went. */
    public int purgeAudit(Instant before) {
        return audit.purge(before);
    }

    public long count(String pipe, Status status) {
        return entries.count(pipe, status);
    }

    /** The most recent failures, newest first, for the status API. */
    public List<EntryState> failures(String pipe, int limit) {
        return entries.failures(pipe, limit);
    }

    // --- member refreshes ----------------------------------------------------------------------------

    /** A user newly provisioned by another pipe, for the group pipe {@code pipe} to re-synchronize its groups. */
    public record MemberRefresh(long id, String memberId) {
    }

    /** Asks {@code pipe} (a group pipe) to re-synchronize the groups naming {@code memberId}. */
    public void requestMemberRefresh(String pipe, String memberId) {
        memberRefreshes.request(pipe, memberId);
    }

    /** The oldest {@code limit} refreshes waiting for {@code pipe}. */
    public List<MemberRefresh> memberRefreshes(String pipe, int limit) {
        return memberRefreshes.oldest(pipe, limit);
    }

    public long memberRefreshCount(String pipe) {
        return memberRefreshes.count(pipe);
    }

    /**
     * These refreshes were applied by a finished batch. Deleted by id, not as a range: a refresh committed
     * late with a lower id than one already read stays for the next poll.
     */
    public void memberRefreshesDone(String pipe, List<Long> ids) {
        memberRefreshes.done(pipe, ids);
    }

    // --- removals the deletion guard held -----------------------------------------------------------

    /**
     * A removal the deletion guard held: {@code action} delete or disable, of the destination entry {@code destination}
     * (its link stays as it was).
     */
    public record HeldRemoval(String sourceId, String destination, String action, String reason, Instant heldAt) {
    }

    /** Holds these removals, committed before this returns: the run's checkpoint may then move past them. */
    public void hold(String pipe, java.util.Collection<HeldRemoval> removals) {
        held.hold(pipe, removals);
    }

    /** The held removals after source id {@code afterId} ("" or null: from the first), in id order, at most {@code limit}. */
    public List<HeldRemoval> heldRemovals(String pipe, String afterId, int limit) {
        return held.page(pipe, afterId, limit);
    }

    public boolean isHeld(String pipe, String sourceId) {
        return held.isHeld(pipe, sourceId);
    }

    public long heldCount(String pipe) {
        return held.count(pipe);
    }

    /** These entries' removals are held no more (approved and done, rejected, or no longer due). */
    public void releaseHeld(String pipe, java.util.Collection<String> sourceIds) {
        held.release(pipe, sourceIds);
    }

    /** Writes every buffered outcome, and the audit records that go with them, in one transaction. */
    public void flush() {
        entries.flush();
    }
}

package io.idsync.state;

import io.idsync.state.StateStore.EntryState;
import io.idsync.state.StateStore.Owner;
import io.idsync.state.StateStore.Status;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each source entry's row ({@code entry_state}: its link, its last outcome, whether it is in the pipe's scope) and its
 * intent not yet settled ({@code entry_intent}, a table of the writes in flight: an entry with an intent and no outcome
 * yet has no row). Outcomes are written behind: buffered (the newest per entry wins, and reads see the buffer) and
 * written in JDBC batches of {@value #WRITE_BATCH} with the audit records that go with them, in one transaction, always
 * before a checkpoint is saved. A crash can lose buffered outcomes, never a change: the batch replays, and what the lost
 * window wrote is told by the intents, committed before each create, delete and rename.
 */
final class EntryStates {

    /** outcomes (and audit records) written per commit: eight scan pages' (each page's intents commit on their own) */
    static final int WRITE_BATCH = 16000;
    private static final String COLUMNS = "source_id, destination_ref, destination_id, status, reason, updated_at, in_scope, failure_category";
    private static final String[] KEYS = {"pipe", "source_id"};
    private static final String[] ROW = {"destination_ref", "destination_id", "status", "reason", "updated_at", "in_scope", "failure_category"};
    private static final String[] INTENT = {"action", "ref", "criteria", "noted_at"};

    /**
     * A buffered write: the entry as readers now see it; {@code outcome} whether its row is to be written (an intent
     * alone writes only the intent; an intent buffered over an outcome not yet written writes both); {@code state} null:
     * the row and the intent go (an intent made for nothing).
     */
    private record Pending(String pipe, String sourceId, EntryState state, boolean outcome) {
    }

    private final Jdbc jdbc;
    private final AuditLog audit;
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    /** the buffer's keys by the destination id their entry is linked to: who owns a found entry, without walking the buffer */
    private final ConcurrentHashMap<String, java.util.Set<String>> bufferedByDestination = new ConcurrentHashMap<>();
    private final Object flushLock = new Object();
    private volatile Fence fence = Fence.NONE;

    EntryStates(Jdbc jdbc, AuditLog audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    void fence(Fence fence) {
        this.fence = fence;
    }

    // --- reads (the buffer first) ---------------------------------------------------------------------

    Optional<EntryState> entry(String pipe, String sourceId) {
        Pending buffered = pending.get(key(pipe, sourceId));
        if (buffered != null) {
            return Optional.ofNullable(buffered.state());
        }
        Optional<NotedIntent> intent = jdbc.queryOne("SELECT " + INTENT_COLUMNS + " FROM entry_intent WHERE pipe = ? AND source_id = ?", EntryStates::intent, pipe, sourceId);
        Optional<EntryState> row = jdbc.queryOne("SELECT " + COLUMNS + " FROM entry_state WHERE pipe = ? AND source_id = ?", EntryStates::entryState, pipe, sourceId);
        return Optional.ofNullable(withIntent(sourceId, row.orElse(null), intent.orElse(null)));
    }

    private static final String INTENT_COLUMNS = "action, ref, criteria, noted_at";

    /** The entry from its row and its intent, either possibly missing; null when both are. */
    private static EntryState withIntent(String sourceId, EntryState row, NotedIntent intent) {
        if (intent == null) {
            return row;
        }
        if (row == null) {
            return new EntryState(sourceId, null, null, Status.PENDING, null, intent.notedAt(), intent.intent());
        }
        return row.withIntent(intent.intent(), row.updatedAt());
    }

    /** An intent as its table holds it: when it was noted stands for the outcome an entry without a row has not had yet. */
    private record NotedIntent(StateStore.Intent intent, java.time.Instant notedAt) {
    }

    boolean hasEntries(String pipe) {
        String prefix = key(pipe, "");
        return pending.keySet().stream().anyMatch(k -> k.startsWith(prefix))
                || jdbc.queryOne("SELECT 1 FROM entry_state WHERE pipe = ? FETCH FIRST 1 ROWS ONLY", rs -> rs.getInt(1), pipe).isPresent()
                || jdbc.queryOne("SELECT 1 FROM entry_intent WHERE pipe = ? FETCH FIRST 1 ROWS ONLY", rs -> rs.getInt(1), pipe).isPresent();
    }

    List<String> linkedIds(String pipe, String afterId, int limit) {
        flushBeforeReading();
        // the linked rows' ids and the intents' ids (an intent may have no row), merged in id order
        java.util.TreeSet<String> ids = new java.util.TreeSet<>();
        jdbc.query("SELECT source_id FROM entry_state WHERE pipe = ? AND destination_ref IS NOT NULL AND source_id > ?"
                + " ORDER BY source_id FETCH FIRST " + limit + " ROWS ONLY", rs -> ids.add(rs.getString(1)), pipe, afterId);
        jdbc.query("SELECT source_id FROM entry_intent WHERE pipe = ? AND source_id > ? ORDER BY source_id FETCH FIRST " + limit + " ROWS ONLY",
                rs -> ids.add(rs.getString(1)), pipe, afterId);
        return ids.stream().limit(limit).toList();
    }

    Map<String, EntryState> entries(String pipe, Collection<String> sourceIds) {
        Map<String, EntryState> states = new java.util.HashMap<>();
        if (sourceIds.isEmpty()) {
            return states;
        }
        // one connection and one prepared statement for the page: far cheaper in H2 than an IN list
        try (Connection c = jdbc.connection();
             PreparedStatement rows = c.prepareStatement("SELECT " + COLUMNS + " FROM entry_state WHERE pipe = ? AND source_id = ?");
             PreparedStatement intents = c.prepareStatement("SELECT " + INTENT_COLUMNS + " FROM entry_intent WHERE pipe = ? AND source_id = ?")) {
            for (String id : sourceIds) {
                EntryState row = null;
                NotedIntent intent = null;
                Jdbc.bind(rows, pipe, id);
                try (ResultSet rs = rows.executeQuery()) {
                    row = rs.next() ? entryState(rs) : null;
                }
                Jdbc.bind(intents, pipe, id);
                try (ResultSet rs = intents.executeQuery()) {
                    intent = rs.next() ? intent(rs) : null;
                }
                EntryState state = withIntent(id, row, intent);
                if (state != null) {
                    states.put(id, state);
                }
            }
        } catch (SQLException e) {
            throw new StateStoreException("the state store cannot be read: " + e.getMessage(), e);
        }
        for (String id : sourceIds) {
            Pending buffered = pending.get(key(pipe, id));
            if (buffered != null && buffered.state() != null) {
                states.put(id, buffered.state());
            } else if (buffered != null) {
                states.remove(id);
            }
        }
        return states;
    }

    /**
     * Who among {@code pipes} is linked to the destination entry with this id, other than {@code self}'s {@code sourceId}; by
     * its name only when it has no id. One index lookup, and the buffer's by the same id: the found entry of every
     * correlation is checked, so a first run against a destination that holds its entries asks this once per entry
     * (a walk of every link and of the buffer each time made that run quadratic). A link with the same name and another
     * id is to another entry (the one it named was replaced or renamed away): not the owner.
     */
    Optional<Owner> owner(Collection<String> pipes, String self, String sourceId, String destinationId, String destinationRef) {
        java.util.function.Predicate<EntryState> isLink = s -> s != null && s.destinationRef() != null
                && (destinationId != null ? destinationId.equals(s.destinationId()) : destinationRef != null && destinationRef.equalsIgnoreCase(s.destinationRef()));
        java.util.function.Predicate<Owner> other = o -> !(o.pipe().equals(self) && o.sourceId().equals(sourceId));
        java.util.Collection<String> buffered = destinationId != null ? bufferedByDestination.getOrDefault(destinationId, java.util.Set.of()) : pending.keySet();
        for (String key : buffered) {
            Pending p = pending.get(key);
            if (p != null && p.state() != null && pipes.contains(p.pipe()) && isLink.test(p.state())) {
                Owner owner = new Owner(p.pipe(), p.sourceId(), p.state().destinationRef());
                if (other.test(owner)) {
                    return Optional.of(owner);
                }
            }
        }
        if (pipes.isEmpty() || (destinationId == null && destinationRef == null)) {
            return Optional.empty();
        }
        String in = String.join(", ", java.util.Collections.nCopies(pipes.size(), "?"));
        List<Object> values = new ArrayList<>();
        values.add(destinationId != null ? destinationId : destinationRef);
        values.addAll(pipes);
        List<Owner> linked = new ArrayList<>();
        jdbc.query("SELECT pipe, source_id, destination_ref FROM entry_state WHERE " + (destinationId != null ? "destination_id" : "destination_ref") + " = ?"
                        + " AND pipe IN (" + in + ") AND destination_ref IS NOT NULL",
                rs -> linked.add(new Owner(rs.getString(1), rs.getString(2), rs.getString(3))), values.toArray());
        // a newer outcome still in the buffer may have let the entry go
        return linked.stream().filter(other)
                .filter(o -> {
                    Pending newer = pending.get(key(o.pipe(), o.sourceId()));
                    return newer == null || isLink.test(newer.state());
                }).findFirst();
    }

    // --- the sync status figures ---------------------------------------------------------------------

    /** The pipe's figures over its whole scope, from one grouped query of the rows, classified by {@link SyncFigure}. */
    StateStore.Figures figures(String pipe, boolean groups) {
        flushBeforeReading();
        Map<SyncFigure, Long> counts = new java.util.EnumMap<>(SyncFigure.class);
        jdbc.query("SELECT status, CASE WHEN destination_ref IS NULL THEN 0 ELSE 1 END, CASE WHEN reason IS NULL THEN 0 ELSE 1 END, COUNT(*)"
                + " FROM entry_state WHERE pipe = ? AND in_scope = TRUE AND status <> 'REMOVED'"
                + " GROUP BY status, CASE WHEN destination_ref IS NULL THEN 0 ELSE 1 END, CASE WHEN reason IS NULL THEN 0 ELSE 1 END",
                rs -> counts.merge(SyncFigure.of(Status.valueOf(rs.getString(1)), rs.getInt(2) == 1, rs.getInt(3) == 1, groups), rs.getLong(4), Long::sum),
                pipe);
        long impacted = counts.values().stream().mapToLong(Long::longValue).sum();
        return new StateStore.Figures(impacted, counts.getOrDefault(SyncFigure.SUCCESS, 0L), counts.getOrDefault(SyncFigure.UNSYNCED, 0L),
                counts.getOrDefault(SyncFigure.PARTIAL, 0L), counts.getOrDefault(SyncFigure.FAILED, 0L));
    }

    /** A page of the entries of one figure (or of any, for {@code null}), by source id after {@code afterId}, with a text in them. */
    List<EntryState> page(String pipe, SyncFigure figure, boolean groups, String text, String afterId, int limit, String failureCategory) {
        flushBeforeReading();
        String where = figure == null ? "1 = 1" : figure.where(groups);
        List<Object> values = new ArrayList<>(List.of(pipe, afterId == null ? "" : afterId));
        String match = "";
        if (text != null && !text.isBlank()) {
            String like = "%" + text.toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            match = " AND (LOWER(s.source_id) LIKE ? ESCAPE '\\' OR LOWER(destination_ref) LIKE ? ESCAPE '\\' OR LOWER(reason) LIKE ? ESCAPE '\\')";
            values.add(like);
            values.add(like);
            values.add(like);
        }
        if (failureCategory != null) {
            match += " AND s.failure_category = ?";
            values.add(failureCategory);
        }
        List<EntryState> page = new ArrayList<>();
        // the entries with a row (one with an intent alone has had no outcome yet), each with its intent
        jdbc.query("SELECT s." + COLUMNS.replace(", ", ", s.") + ", " + INTENT_COLUMNS + " FROM entry_state s"
                + " LEFT JOIN entry_intent i ON i.pipe = s.pipe AND i.source_id = s.source_id"
                + " WHERE s.pipe = ? AND s.source_id > ? AND " + where + match
                + " ORDER BY s.source_id FETCH FIRST " + Math.max(1, Math.min(limit, 1000)) + " ROWS ONLY",
                rs -> page.add(withIntent(rs.getString(1), entryState(rs), rs.getString(9) == null ? null : intent(rs, 9))), values.toArray());
        return page;
    }

    long count(String pipe, Status status) {
        flushBeforeReading();
        return jdbc.queryOne("SELECT COUNT(*) FROM entry_state WHERE pipe = ? AND status = ?", rs -> rs.getLong(1), pipe, status.name()).orElse(0L);
    }

    List<EntryState> failures(String pipe, int limit) {
        flushBeforeReading();
        List<EntryState> failures = new ArrayList<>();
        jdbc.query("SELECT " + COLUMNS + " FROM entry_state WHERE pipe = ? AND status = ? ORDER BY updated_at DESC",
                rs -> {
                    if (failures.size() < limit) {
                        failures.add(entryState(rs));
                    }
                }, pipe, Status.FAILED.name());
        return failures;
    }

    /** Up to 1,000 failed source ids after {@code afterId}, in id order. */
    /** The failed entries' ids after {@code afterId}, of one failure category ({@code null}: any), 1,000 at most. */
    List<String> failedIds(String pipe, String afterId, String category) {
        flush();
        List<String> ids = new ArrayList<>();
        Object[] values = category == null ? new Object[]{pipe, afterId} : new Object[]{pipe, afterId, category};
        jdbc.query("SELECT source_id FROM entry_state WHERE pipe = ? AND status = 'FAILED' AND source_id > ?"
                        + (category == null ? "" : " AND failure_category = ?") + " ORDER BY source_id FETCH FIRST 1000 ROWS ONLY",
                rs -> ids.add(rs.getString(1)), values);
        return ids;
    }

    // --- writes (buffered) ---------------------------------------------------------------------------

    /** An outcome: the entry's row is written (and its intent, settled by it, goes). */
    void buffer(String pipe, EntryState state) {
        indexed(key(pipe, state.sourceId()), pending.put(key(pipe, state.sourceId()), new Pending(pipe, state.sourceId(), state, true)));
        flushWhenFull();
    }

    /**
     * Intents (each entry as it is with its intent), to be written in one commit: only the intents, unless an outcome
     * of the entry waits in the buffer (both then).
     */
    void bufferIntents(String pipe, Collection<EntryState> states) {
        for (EntryState state : states) {
            Pending[] replaced = new Pending[1];
            pending.compute(key(pipe, state.sourceId()), (k, waiting) -> {
                replaced[0] = waiting;
                return new Pending(pipe, state.sourceId(), state, waiting != null && waiting.outcome());
            });
            indexed(key(pipe, state.sourceId()), replaced[0]);
        }
    }

    /** The entry's row and intent go at the next flush. */
    void forget(String pipe, String sourceId) {
        indexed(key(pipe, sourceId), pending.put(key(pipe, sourceId), new Pending(pipe, sourceId, null, true)));
        flushWhenFull();
    }

    void flushWhenFull() {
        if (pending.size() >= WRITE_BATCH || audit.waiting() >= WRITE_BATCH) {
            flush();
        }
    }

    /** Writes every buffered outcome, and the audit records that go with them, in one transaction. */
    void flush() {
        flushWith(null, null);
    }

    /**
     * Before a read (the API's figures and pages): writes what is buffered. The outcomes of a pipe this instance has
     * lost are dropped by the refused write, which is no error to a reader: the others are written on the next try.
     */
    void flushBeforeReading() {
        for (int attempt = 1; ; attempt++) {
            try {
                flush();
                return;
            } catch (LeaseLost lost) {
                if (attempt >= 3) {
                    throw lost;
                }
            }
        }
    }

    /**
     * Writes every buffered outcome and the audit records that go with them, and then {@code more} (a checkpoint), all in
     * one transaction: a batch's last outcomes and its checkpoint commit together or not at all. The transaction
     * first checks the {@link Fence}: an instance that lost a pipe writes none of its outcomes (they are dropped: the
     * new holder replays them), and the other pipes' go on.
     *
     * @param pipe the pipe whose checkpoint {@code more} saves, or null
     * @throws LeaseLost when this instance no longer holds a pipe it would write
     */
    void flushWith(String pipe, Jdbc.Work more) {
        synchronized (flushLock) {
            if (pending.isEmpty() && audit.waiting() == 0 && more == null) {
                return;
            }
            commit(new LinkedHashMap<>(pending), audit.take(WRITE_BATCH * 4), pipe, more);
        }
    }

    /**
     * Commits the intents waiting (with the rows of their entries whose outcomes wait too), and no other outcome: an
     * intent must be durable before its write, the outcomes may wait for a larger commit (an entry's rows in the
     * indexes cost a page each per commit: fewer commits, fewer pages).
     *
     * @throws LeaseLost when this instance no longer holds a pipe it would write
     */
    void flushIntents() {
        synchronized (flushLock) {
            Map<String, Pending> intents = new LinkedHashMap<>();
            pending.forEach((key, p) -> {
                if (p.state() != null && p.state().intent() != null) {
                    intents.put(key, p);
                }
            });
            if (!intents.isEmpty()) {
                commit(intents, List.of(), null, null);
            }
        }
    }

    /** Writes these buffered writes and audit records, and {@code more}, in one transaction (see {@link #flushWith}). */
    private void commit(Map<String, Pending> written, List<StateStore.AuditRecord> audited, String pipe, Jdbc.Work more) {
        List<Pending> batch = written.values().stream().filter(p -> p.state() != null).toList();
        List<Pending> forgotten = written.values().stream().filter(p -> p.state() == null).toList();
        java.util.Set<String> pipes = new java.util.TreeSet<>();
        written.values().forEach(p -> pipes.add(p.pipe()));
        if (pipe != null) {
            pipes.add(pipe);
        }
        try {
            jdbc.inTransaction(c -> {
                fence.check(c, pipes);
                write(c, audited, forgotten, batch);
                if (more != null) {
                    more.run(c);
                }
            });
        } catch (LeaseLost lost) {
            written.values().stream().filter(p -> lost.pipes().contains(p.pipe())).forEach(p -> unbuffer(key(p.pipe(), p.sourceId()), p));
            audited.stream().filter(r -> !lost.pipes().contains(r.pipe())).forEach(audit::add);
            throw lost;
        }
        // only once committed: a reader always finds an outcome in the buffer or in the database; a newer
        // outcome put meanwhile stays for the next flush
        written.forEach(this::unbuffer);
    }

    /** Notes the buffered write under its destination id, for {@link #owner}, and forgets the one it replaced. */
    private void indexed(String key, Pending replaced) {
        Pending now = pending.get(key);
        String id = now == null || now.state() == null ? null : now.state().destinationId();
        if (id != null) {
            // added inside compute: a concurrent unindex that empties the set cannot drop it between get and add
            bufferedByDestination.compute(id, (k, keys) -> {
                java.util.Set<String> set = keys == null ? ConcurrentHashMap.newKeySet() : keys;
                set.add(key);
                return set;
            });
            unindex(key, id); // written and dropped meanwhile: not left behind
        }
        if (replaced != null && replaced.state() != null && replaced.state().destinationId() != null) {
            unindex(key, replaced.state().destinationId());
        }
    }

    /** Drops this buffered write once written (a newer one of the entry stays for the next flush). */
    private void unbuffer(String key, Pending written) {
        pending.remove(key, written);
        if (written.state() != null && written.state().destinationId() != null) {
            unindex(key, written.state().destinationId());
        }
    }

    /** Forgets that the buffer links {@code key} to destination {@code id}, unless its write now buffered does. */
    private void unindex(String key, String id) {
        bufferedByDestination.computeIfPresent(id, (k, keys) -> {
            Pending now = pending.get(key);
            if (now == null || now.state() == null || !id.equals(now.state().destinationId())) {
                keys.remove(key);
            }
            return keys.isEmpty() ? null : keys;
        });
    }

    private void write(Connection c, List<StateStore.AuditRecord> audited, List<Pending> forgotten, List<Pending> batch) throws SQLException {
        AuditLog.write(c, audited);
        List<Pending> settled = new ArrayList<>(forgotten);
        batch.stream().filter(p -> p.outcome() && p.state().intent() == null).forEach(settled::add);
        delete(c, "entry_state", forgotten);
        delete(c, "entry_intent", settled);
        jdbc.upsertAll(c, "entry_state", KEYS, ROW, batch.stream().filter(Pending::outcome).map(EntryStates::row).toList());
        jdbc.upsertAll(c, "entry_intent", KEYS, INTENT, batch.stream().filter(p -> p.state().intent() != null).map(EntryStates::intentRow).toList());
    }

    private static void delete(Connection c, String table, List<Pending> gone) throws SQLException {
        if (gone.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE pipe = ? AND source_id = ?")) {
            for (Pending p : gone) {
                Jdbc.bind(ps, p.pipe(), p.sourceId());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static Object[] row(Pending p) {
        EntryState s = p.state();
        return new Object[]{p.pipe(), s.sourceId(), s.destinationRef(), s.destinationId(), s.status().name(), s.reason(), Timestamp.from(s.updatedAt()),
                s.inScope(), s.status() == Status.FAILED ? s.failureCategory() : null};
    }

    private static Object[] intentRow(Pending p) {
        StateStore.Intent intent = p.state().intent();
        return new Object[]{p.pipe(), p.sourceId(), intent.action().name(), intent.ref(), intent.criteria(), Timestamp.from(p.state().updatedAt())};
    }

    private static String key(String pipe, String sourceId) {
        return pipe + '\u0000' + sourceId;
    }

    private static EntryState entryState(ResultSet rs) throws SQLException {
        return new EntryState(rs.getString(1), rs.getString(2), rs.getString(3), Status.valueOf(rs.getString(4)), rs.getString(5),
                rs.getTimestamp(6).toInstant(), null, rs.getBoolean(7), rs.getString(8));
    }

    private static NotedIntent intent(ResultSet rs) throws SQLException {
        return intent(rs, 1);
    }

    /** The intent in the four columns from {@code first} ({@value #INTENT_COLUMNS}). */
    private static NotedIntent intent(ResultSet rs, int first) throws SQLException {
        return new NotedIntent(new StateStore.Intent(StateStore.Intent.Action.valueOf(rs.getString(first)), rs.getString(first + 1), rs.getString(first + 2)),
                rs.getTimestamp(first + 3).toInstant());
    }
}

package io.idsync.state;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pipes' durable state in any JDBC database (H2 embedded by default; the schema comes from Flyway
 * migrations in {@code db/migration}): checkpoints, links and per-entry outcomes, counters.
 * <p>
 * A checkpoint and the counters are saved in one transaction, after every change of the batch has been
 * recorded, so a crash replays a batch rather than losing it.
 * <p>
 * Entry outcomes are written behind: they are buffered (the newest per entry wins, and reads see the
 * buffer) and written in JDBC batches of {@value #WRITE_BATCH}, always before a checkpoint is saved. A
 * crash can lose buffered outcomes, never a change: the batch replays. What the lost window wrote is told
 * by the {@link Intent}s, committed before each create, delete and rename: the replay finds what idsync
 * created and knows what it deleted.
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
                             Intent intent, boolean inScope) {
        public EntryState(String sourceId, String destinationRef, String destinationId, Status status, String reason, Instant updatedAt) {
            this(sourceId, destinationRef, destinationId, status, reason, updatedAt, null, true);
        }

        public EntryState(String sourceId, String destinationRef, String destinationId, Status status, String reason, Instant updatedAt,
                          Intent intent) {
            this(sourceId, destinationRef, destinationId, status, reason, updatedAt, intent, true);
        }

        /** The same state with another intent (the rest as it was). */
        EntryState withIntent(Intent other, Instant at) {
            return new EntryState(sourceId, destinationRef, destinationId, status, reason, at, other, inScope);
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
    public record Owner(String pipe, String sourceId) {
    }

    /** An entry due to go down the road again, and the attempt it is. */
    public record RetryDue(String sourceId, int attempts) {
    }

    private static final String COLUMNS = "source_id, destination_ref, destination_id, status, reason, updated_at, pending_action, pending_ref, pending_criteria, in_scope";

    /** larger than a scan's page: a page's outcomes go in the commit of the next page's intents */
    static final int WRITE_BATCH = 1000;

    private final DataSource dataSource;
    private final boolean mergeSyntax;
    private final java.util.concurrent.ConcurrentHashMap<String, Pending> pending = new java.util.concurrent.ConcurrentHashMap<>();
    private final Object flushLock = new Object();
    private final java.util.concurrent.ConcurrentLinkedQueue<AuditRecord> audit = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile java.time.Duration auditRetention;
    private volatile Instant lastAuditPurge;

    /** A buffered outcome; {@code state} null: the entry's row goes (an intent made for nothing). */
    private record Pending(String pipe, String sourceId, EntryState state) {
    }

    public StateStore(DataSource dataSource) {
        this.dataSource = dataSource;
        this.mergeSyntax = detectH2(dataSource);
    }

    // --- checkpoints and counters -------------------------------------------------------------------

    public Optional<String> checkpoint(String pipe) {
        return queryOne("SELECT token FROM pipe_checkpoint WHERE pipe = ?", rs -> rs.getString(1), pipe);
    }

    /**
     * Where the feed stood when the pipe's initial load first started, saving {@code now} as that position if no
     * attempt has: a restarted load keeps the first attempt's position, so the changes made while it ran (and
     * while it was down) are replayed from the feed once it finishes.
     */
    public String initialLoadStart(String pipe, java.util.function.Supplier<String> now) {
        Optional<String> started = queryOne("SELECT token FROM pipe_initial_load WHERE pipe = ?", rs -> rs.getString(1), pipe);
        if (started.isPresent()) {
            return started.get();
        }
        String token = now.get();
        update("INSERT INTO pipe_initial_load (pipe, token, started_at) VALUES (?, ?, ?)", pipe, token, Timestamp.from(Instant.now()));
        return token;
    }

    /** Saves the checkpoint and the counters together; an initial load's start position goes with its first checkpoint. */
    public void saveCheckpoint(String pipe, String token, Map<String, Long> counters) {
        flush();
        inTransaction(c -> {
            upsert(c, "pipe_checkpoint", new String[]{"pipe"}, new String[]{"token", "updated_at"},
                    pipe, token, Timestamp.from(Instant.now()));
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM pipe_initial_load WHERE pipe = ?")) {
                bind(ps, pipe);
                ps.executeUpdate();
            }
            for (Map.Entry<String, Long> counter : counters.entrySet()) {
                upsert(c, "pipe_counter", new String[]{"pipe", "counter_name"}, new String[]{"counter_value"}, pipe, counter.getKey(), counter.getValue());
            }
        });
        purgeAuditWhenDue();
    }

    /** Saves the counters alone (after a resync, which does not move the checkpoint). */
    public void saveCounters(String pipe, Map<String, Long> counters) {
        flush();
        inTransaction(c -> {
            for (Map.Entry<String, Long> counter : counters.entrySet()) {
                upsert(c, "pipe_counter", new String[]{"pipe", "counter_name"}, new String[]{"counter_value"}, pipe, counter.getKey(), counter.getValue());
            }
        });
    }

    public void clearCheckpoint(String pipe) {
        update("DELETE FROM pipe_checkpoint WHERE pipe = ?", pipe);
    }

    public Map<String, Long> counters(String pipe) {
        Map<String, Long> counters = new LinkedHashMap<>();
        query("SELECT counter_name, counter_value FROM pipe_counter WHERE pipe = ?", rs -> counters.put(rs.getString(1), rs.getLong(2)), pipe);
        return counters;
    }

    // --- entries -------------------------------------------------------------------------------------

    public Optional<EntryState> entry(String pipe, String sourceId) {
        Pending buffered = pending.get(key(pipe, sourceId));
        if (buffered != null) {
            return Optional.ofNullable(buffered.state());
        }
        return queryOne("SELECT " + COLUMNS + " FROM entry_state WHERE pipe = ? AND source_id = ?",
                StateStore::entryState, pipe, sourceId);
    }

    /** Whether the pipe has recorded any entry at all (a pipe that has not needs no link look-ups). */
    public boolean hasEntries(String pipe) {
        String prefix = key(pipe, "");
        return pending.keySet().stream().anyMatch(k -> k.startsWith(prefix))
                || queryOne("SELECT 1 FROM entry_state WHERE pipe = ? FETCH FIRST 1 ROWS ONLY", rs -> rs.getInt(1), pipe).isPresent();
    }

    /** Up to {@code limit} linked source ids (and ids with an intent a crash left unresolved) after {@code afterId}, in id order: a reconciliation pages through them. */
    public List<String> linkedIds(String pipe, String afterId, int limit) {
        flush();
        List<String> ids = new ArrayList<>(limit);
        query("SELECT source_id FROM entry_state WHERE pipe = ? AND (destination_ref IS NOT NULL OR pending_action IS NOT NULL) AND source_id > ? ORDER BY source_id",
                rs -> {
                    if (ids.size() < limit) {
                        ids.add(rs.getString(1));
                    }
                }, pipe, afterId);
        return ids;
    }

    /** The states of several entries in one query (a scan looks up a page of links at once). */
    public Map<String, EntryState> entries(String pipe, java.util.Collection<String> sourceIds) {
        Map<String, EntryState> states = new java.util.HashMap<>();
        if (sourceIds.isEmpty()) {
            return states;
        }
        // one connection and one prepared statement for the page: far cheaper in H2 than an IN list
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM entry_state WHERE pipe = ? AND source_id = ?")) {
            for (String id : sourceIds) {
                bind(ps, pipe, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        states.put(id, entryState(rs));
                    }
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

    public void recordSynced(String pipe, String sourceId, String destinationRef, String destinationId) {
        recordSynced(pipe, sourceId, destinationRef, destinationId, true, null);
    }

    /**
     * @param inScope whether the source entry is in the pipe's scope (one the remove action disabled is not)
     * @param caveat  null when the destination entry is fully in step; else why it may not be (it is partly synced)
     */
    public void recordSynced(String pipe, String sourceId, String destinationRef, String destinationId, boolean inScope, String caveat) {
        buffer(pipe, new EntryState(sourceId, destinationRef, destinationId, Status.SYNCED, trim(caveat), Instant.now(), null, inScope));
    }

    /** Records a failure; the link, if any, is kept so the next attempt finds the same entry. */
    public void recordFailed(String pipe, String sourceId, String reason) {
        recordFailed(pipe, sourceId, reason, true);
    }

    public void recordFailed(String pipe, String sourceId, String reason, boolean inScope) {
        String trimmed = reason == null ? "unknown" : trim(reason);
        EntryState previous = entry(pipe, sourceId).orElse(null);
        buffer(pipe, new EntryState(sourceId, previous == null ? null : previous.destinationRef(),
                previous == null ? null : previous.destinationId(), Status.FAILED, trimmed, Instant.now(), null, inScope));
    }

    /** An entry in scope the pipe does not create (a switch is off): counted as unsynced, with why. */
    public void recordUnsynced(String pipe, String sourceId, String reason) {
        buffer(pipe, new EntryState(sourceId, null, null, Status.UNSYNCED, trim(reason), Instant.now(), null, true));
    }

    /** The destination entry is gone: the link is dropped, the row remembers that it was removed. */
    public void recordRemoved(String pipe, String sourceId) {
        buffer(pipe, new EntryState(sourceId, null, null, Status.REMOVED, null, Instant.now()));
    }

    /**
     * Notes what the pipe is about to do to the entry's destination entry, and returns once that is committed:
     * the write it announces may then happen, and a crash after it is told apart on replay. Workers' intents
     * share commits (a worker waiting for the commit in progress finds its intent in the next). The outcome
     * recorded after the write replaces it.
     */
    public void recordIntent(String pipe, String sourceId, Intent intent) {
        EntryState previous = entry(pipe, sourceId).orElse(null);
        buffer(pipe, previous == null ? new EntryState(sourceId, null, null, Status.PENDING, null, Instant.now(), intent)
                : previous.withIntent(intent, Instant.now()));
        flush();
    }

    /**
     * As {@link #recordIntent}, for many entries in one commit: a scan notes the creates of a page of entries
     * that have no link yet before any of them goes down the road. {@code previous}: their states as the scan
     * read them (absent: none).
     */
    public void recordIntents(String pipe, Map<String, Intent> intents, Map<String, EntryState> previous) {
        intents.forEach((sourceId, intent) -> {
            EntryState before = previous.get(sourceId);
            EntryState noted = before == null ? new EntryState(sourceId, null, null, Status.PENDING, null, Instant.now(), intent)
                    : before.withIntent(intent, Instant.now());
            pending.put(key(pipe, sourceId), new Pending(pipe, sourceId, noted));
        });
        flush();
    }

    /** Puts the entry back as it was before an intent that came to nothing: {@code before}, or no row at all. */
    public void withdrawIntent(String pipe, String sourceId, EntryState before) {
        if (before != null) {
            buffer(pipe, before.withIntent(null, before.updatedAt()));
            return;
        }
        pending.put(key(pipe, sourceId), new Pending(pipe, sourceId, null));
        flushWhenFull();
    }

    /**
     * Who, among {@code pipes}, is linked to the destination entry with this id (or name), other than
     * {@code self}'s {@code sourceId}: the entry's owner, or empty when it is nobody's.
     */
    public Optional<Owner> owner(java.util.Collection<String> pipes, String self, String sourceId, String destinationId, String destinationRef) {
        java.util.function.Predicate<EntryState> isLink = s -> s != null && s.destinationRef() != null
                && ((destinationId != null && destinationId.equals(s.destinationId())) || (destinationRef != null && destinationRef.equalsIgnoreCase(s.destinationRef())));
        java.util.function.Predicate<Owner> other = o -> !(o.pipe().equals(self) && o.sourceId().equals(sourceId));
        for (Pending p : pending.values()) {
            Owner owner = new Owner(p.pipe(), p.sourceId());
            if (pipes.contains(p.pipe()) && other.test(owner) && isLink.test(p.state())) {
                return Optional.of(owner);
            }
        }
        if (pipes.isEmpty()) {
            return Optional.empty();
        }
        String in = String.join(", ", java.util.Collections.nCopies(pipes.size(), "?"));
        List<Object> values = new ArrayList<>(pipes);
        values.add(destinationId == null ? "" : destinationId);
        values.add(destinationRef == null ? "" : destinationRef);
        List<Owner> linked = new ArrayList<>();
        query("SELECT pipe, source_id FROM entry_state WHERE pipe IN (" + in + ") AND destination_ref IS NOT NULL AND (destination_id = ? OR destination_ref = ?)",
                rs -> linked.add(new Owner(rs.getString(1), rs.getString(2))), values.toArray());
        // a newer outcome still in the buffer may have let the entry go
        return linked.stream().filter(other)
                .filter(o -> {
                    Pending buffered = pending.get(key(o.pipe(), o.sourceId()));
                    return buffered == null || isLink.test(buffered.state());
                }).findFirst();
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
        inTransaction(c -> {
            int attempts = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT attempts FROM entry_retry WHERE pipe = ? AND source_id = ?")) {
                bind(ps, pipe, sourceId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        attempts = rs.getInt(1);
                    }
                }
            }
            long delayMillis = Math.min(300_000L, Math.max(1, firstDelay.toMillis()) << Math.min(attempts, 9));
            upsert(c, "entry_retry", new String[]{"pipe", "source_id"}, new String[]{"attempts", "next_attempt", "reason"},
                    pipe, sourceId, attempts + 1, Timestamp.from(Instant.now().plusMillis(delayMillis)), trim(reason));
        });
    }

    /** The pipe's retries that are due, oldest first, at most {@code limit}. */
    public List<RetryDue> retriesDue(String pipe, int limit) {
        List<RetryDue> due = new ArrayList<>();
        query("SELECT source_id, attempts FROM entry_retry WHERE pipe = ? AND next_attempt <= ? ORDER BY next_attempt FETCH FIRST " + limit + " ROWS ONLY",
                rs -> due.add(new RetryDue(rs.getString(1), rs.getInt(2))), pipe, Timestamp.from(Instant.now()));
        return due;
    }

    /** These retries went down the road and their outcomes are saved; one asked for again meanwhile (a later attempt) stays. */
    public void retriesDone(String pipe, List<RetryDue> done) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM entry_retry WHERE pipe = ? AND source_id = ? AND attempts = ?")) {
                for (RetryDue retry : done) {
                    bind(ps, pipe, retry.sourceId(), retry.attempts());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    // --- sync status, entries, audit ----------------------------------------------------------------

    /**
     * The pipe's sync status over its whole scope, from the rows alone (one grouped query on an index): Success is
     * synced with no caveat; Partial has an account at the destination that may be out of step (its last update
     * failed, or a caveat); Unsynced has none and was not synchronized; Failed has none because of an error. For a
     * group pipe ({@code groups}), a group with members that are not synchronized is Failed, as PingOne counts it.
     */
    public Figures figures(String pipe, boolean groups) {
        flush();
        long[] f = new long[5]; // impacted, success, unsynced, partial, failed
        query("SELECT status, CASE WHEN destination_ref IS NULL THEN 0 ELSE 1 END, CASE WHEN reason IS NULL THEN 0 ELSE 1 END, COUNT(*)"
                + " FROM entry_state WHERE pipe = ? AND in_scope = TRUE AND status <> 'REMOVED'"
                + " GROUP BY status, CASE WHEN destination_ref IS NULL THEN 0 ELSE 1 END, CASE WHEN reason IS NULL THEN 0 ELSE 1 END", rs -> {
            Status status = Status.valueOf(rs.getString(1));
            boolean linked = rs.getInt(2) == 1;
            boolean caveat = rs.getInt(3) == 1;
            long n = rs.getLong(4);
            f[0] += n;
            int category = switch (status) {
                case SYNCED -> caveat ? (groups ? 4 : 3) : 1;
                case FAILED -> linked && !groups ? 3 : 4;
                default -> groups ? 4 : 2;
            };
            f[category] += n;
        }, pipe);
        return new Figures(f[0], f[1], f[2], f[3], f[4]);
    }

    /** Which of the figures an entry is counted in, by the same rules as {@link #figures}. */
    public static String category(EntryState state, boolean groups) {
        if (!state.inScope() || state.status() == Status.REMOVED) {
            return "outOfScope";
        }
        return switch (state.status()) {
            case SYNCED -> state.reason() == null ? "success" : groups ? "failed" : "partial";
            case FAILED -> state.destinationRef() != null && !groups ? "partial" : "failed";
            default -> groups ? "failed" : "unsynced";
        };
    }

    /** The SQL condition on entry_state of a figure's entries (for a user pipe). */
    private static String condition(String category) {
        return switch (category) {
            case "success" -> "in_scope = TRUE AND status = 'SYNCED' AND reason IS NULL";
            case "partial" -> "in_scope = TRUE AND ((status = 'SYNCED' AND reason IS NOT NULL) OR (status = 'FAILED' AND destination_ref IS NOT NULL))";
            case "unsynced" -> "in_scope = TRUE AND status IN ('UNSYNCED', 'PENDING')";
            case "failed" -> "in_scope = TRUE AND status = 'FAILED' AND destination_ref IS NULL";
            case "any" -> "1 = 1";
            default -> throw new IllegalArgumentException("status '" + category + "' is not one of success, partial, unsynced, failed");
        };
    }

    /**
     * A page of the pipe's entries of one figure ({@code success}, {@code partial}, {@code unsynced}, {@code failed}, or
     * {@code any}), by source id after {@code afterId}; {@code text}, when given, must be in the source id, the
     * destination name or the reason (ignoring case: a failed create has no destination name, its reason names it). For a group pipe, {@code failed} also holds the groups with a caveat.
     */
    public List<EntryState> entries(String pipe, String category, boolean groups, String text, String afterId, int limit) {
        flush();
        String where = groups && category.equals("failed")
                ? "in_scope = TRUE AND (status = 'FAILED' OR status IN ('UNSYNCED', 'PENDING') OR (status = 'SYNCED' AND reason IS NOT NULL))"
                : groups && category.equals("partial") ? "1 = 0" : condition(category);
        List<Object> values = new ArrayList<>(List.of(pipe, afterId == null ? "" : afterId));
        String match = "";
        if (text != null && !text.isBlank()) {
            String like = "%" + text.toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            match = " AND (LOWER(source_id) LIKE ? ESCAPE '\\' OR LOWER(destination_ref) LIKE ? ESCAPE '\\' OR LOWER(reason) LIKE ? ESCAPE '\\')";
            values.add(like);
            values.add(like);
            values.add(like);
        }
        List<EntryState> page = new ArrayList<>();
        query("SELECT " + COLUMNS + " FROM entry_state WHERE pipe = ? AND source_id > ? AND " + where + match
                + " ORDER BY source_id FETCH FIRST " + Math.max(1, Math.min(limit, 1000)) + " ROWS ONLY", rs -> page.add(entryState(rs)), values.toArray());
        return page;
    }

    /** How many times the entry has been retried, and when it is next due; empty when no retry is waiting. */
    public Optional<Map.Entry<Integer, Instant>> retryOf(String pipe, String sourceId) {
        return queryOne("SELECT attempts, next_attempt FROM entry_retry WHERE pipe = ? AND source_id = ?",
                rs -> Map.entry(rs.getInt(1), rs.getTimestamp(2).toInstant()), pipe, sourceId);
    }

    /**
     * A failed entry retried at the pipe's next polls, with a backoff from {@code firstDelay} that doubles (at most
     * 5 min), at most {@code maxAttempts} times in all; answers
     * whether a retry is waiting now.
     */
    public boolean retryFailed(String pipe, String sourceId, String reason, int maxAttempts, java.time.Duration firstDelay) {
        int attempts = retryOf(pipe, sourceId).map(Map.Entry::getKey).orElse(0);
        if (attempts >= maxAttempts) {
            return false;
        }
        requestRetry(pipe, sourceId, reason, firstDelay);
        return true;
    }

    /** An operator's retry: these entries go down the road at the pipe's next poll, attempts counted afresh. */
    public int retryNow(String pipe, List<String> sourceIds) {
        inTransaction(c -> {
            for (String sourceId : sourceIds) {
                upsert(c, "entry_retry", new String[]{"pipe", "source_id"}, new String[]{"attempts", "next_attempt", "reason"},
                        pipe, sourceId, 0, Timestamp.from(Instant.now()), "retry asked by an operator");
            }
        });
        return sourceIds.size();
    }

    /** Every failed entry of the pipe retried at its next poll (a page of ids at a time). */
    public int retryAllFailed(String pipe) {
        flush();
        int total = 0;
        String after = "";
        while (true) {
            List<String> ids = new ArrayList<>();
            String from = after;
            query("SELECT source_id FROM entry_state WHERE pipe = ? AND status = 'FAILED' AND source_id > ? ORDER BY source_id FETCH FIRST 1000 ROWS ONLY",
                    rs -> ids.add(rs.getString(1)), pipe, from);
            if (ids.isEmpty()) {
                return total;
            }
            total += retryNow(pipe, ids);
            after = ids.get(ids.size() - 1);
        }
    }

    /** Adds an audit record; it is written with the outcomes it goes with (at the next flush). */
    public void audit(AuditRecord record) {
        audit.add(record);
        if (audit.size() >= WRITE_BATCH) {
            flush();
        }
    }

    /**
     * Audit records, newest first, before id {@code beforeId} (0: from the newest), filtered by what is not null:
     * pipe, source id, operation, outcome, and a time range.
     */
    public List<AuditRecord> auditRecords(String pipe, String sourceId, String operation, String outcome, Instant from, Instant to,
                                          long beforeId, int limit) {
        flush();
        StringBuilder where = new StringBuilder("1 = 1");
        List<Object> values = new ArrayList<>();
        Object[][] filters = {{"pipe", pipe}, {"source_id", sourceId}, {"operation", operation}, {"outcome", outcome}};
        for (Object[] filter : filters) {
            if (filter[1] != null) {
                where.append(" AND ").append(filter[0]).append(" = ?");
                values.add(filter[1]);
            }
        }
        if (from != null) {
            where.append(" AND recorded_at >= ?");
            values.add(Timestamp.from(from));
        }
        if (to != null) {
            where.append(" AND recorded_at < ?");
            values.add(Timestamp.from(to));
        }
        if (beforeId > 0) {
            where.append(" AND id < ?");
            values.add(beforeId);
        }
        // the filter's own columns lead the order (constant within the filter): the database then walks the filter's index
        // (V6__audit_pages.sql) in page order instead of sorting every record the filter matches
        String leading = pipe != null ? (sourceId != null ? "pipe, source_id, " : "pipe, ") : outcome != null ? "outcome, " : operation != null ? "operation, " : "";
        List<AuditRecord> records = new ArrayList<>();
        query("SELECT id, recorded_at, pipe, source_id, destination, operation, outcome, attributes, reason FROM audit_record WHERE " + where
                        + " ORDER BY " + leading + "id DESC FETCH FIRST " + Math.max(1, Math.min(limit, 1000)) + " ROWS ONLY",
                rs -> records.add(new AuditRecord(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9))), values.toArray());
        return records;
    }

    /** Keeps audit records this long; older ones are deleted at most once an hour, after a checkpoint. */
    public StateStore auditRetention(java.time.Duration retention) {
        this.auditRetention = retention;
        return this;
    }

    private void purgeAuditWhenDue() {
        Instant now = Instant.now();
        Instant last = lastAuditPurge;
        if (auditRetention != null && (last == null || last.plus(java.time.Duration.ofHours(1)).isBefore(now))) {
            lastAuditPurge = now;
            purgeAudit(now.minus(auditRetention));
        }
    }

    /** Deletes audit records older than {@code before} (the retention); answers how many went. */
    public int purgeAudit(Instant before) {
        int[] deleted = new int[1];
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM audit_record WHERE recorded_at < ?")) {
                bind(ps, Timestamp.from(before));
                deleted[0] = ps.executeUpdate();
            }
        });
        return deleted[0];
    }

    public long count(String pipe, Status status) {
        flush();
        return queryOne("SELECT COUNT(*) FROM entry_state WHERE pipe = ? AND status = ?", rs -> rs.getLong(1), pipe, status.name()).orElse(0L);
    }

    /** The most recent failures, newest first, for the status API. */
    public List<EntryState> failures(String pipe, int limit) {
        flush();
        List<EntryState> failures = new ArrayList<>();
        query("SELECT " + COLUMNS + " FROM entry_state WHERE pipe = ? AND status = ? ORDER BY updated_at DESC",
                rs -> {
                    if (failures.size() < limit) {
                        failures.add(entryState(rs));
                    }
                }, pipe, Status.FAILED.name());
        return failures;
    }

    // --- member refreshes ----------------------------------------------------------------------------

    /** A user newly provisioned by another pipe, for the group pipe {@code pipe} to re-synchronize its groups. */
    public record MemberRefresh(long id, String memberId) {
    }

    /** Asks {@code pipe} (a group pipe) to re-synchronize the groups naming {@code memberId}. */
    public void requestMemberRefresh(String pipe, String memberId) {
        update("INSERT INTO member_refresh (pipe, member_id, requested_at) VALUES (?, ?, ?)", pipe, memberId, Timestamp.from(Instant.now()));
    }

    /** The oldest {@code limit} refreshes waiting for {@code pipe}. */
    public List<MemberRefresh> memberRefreshes(String pipe, int limit) {
        List<MemberRefresh> refreshes = new ArrayList<>();
        query("SELECT id, member_id FROM member_refresh WHERE pipe = ? ORDER BY id FETCH FIRST " + limit + " ROWS ONLY",
                rs -> refreshes.add(new MemberRefresh(rs.getLong(1), rs.getString(2))), pipe);
        return refreshes;
    }

    public long memberRefreshCount(String pipe) {
        return queryOne("SELECT COUNT(*) FROM member_refresh WHERE pipe = ?", rs -> rs.getLong(1), pipe).orElse(0L);
    }

    /**
     * These refreshes were applied by a finished batch. Deleted by id, not as a range: a refresh committed
     * late with a lower id than one already read stays for the next poll.
     */
    public void memberRefreshesDone(String pipe, List<Long> ids) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM member_refresh WHERE pipe = ? AND id = ?")) {
                for (Long id : ids) {
                    bind(ps, pipe, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    private void buffer(String pipe, EntryState state) {
        pending.put(key(pipe, state.sourceId()), new Pending(pipe, state.sourceId(), state));
        flushWhenFull();
    }

    private void flushWhenFull() {
        if (pending.size() >= WRITE_BATCH) {
            flush();
        }
    }

    /** Writes every buffered outcome, and the audit records that go with them, in one transaction. */
    public void flush() {
        synchronized (flushLock) {
            if (pending.isEmpty() && audit.isEmpty()) {
                return;
            }
            Map<String, Pending> written = new LinkedHashMap<>(pending);
            List<Pending> batch = written.values().stream().filter(p -> p.state() != null).toList();
            List<Pending> forgotten = written.values().stream().filter(p -> p.state() == null).toList();
            List<AuditRecord> audited = new ArrayList<>();
            for (AuditRecord record; audited.size() < WRITE_BATCH * 4 && (record = audit.poll()) != null; ) {
                audited.add(record);
            }
            inTransaction(c -> {
                if (!audited.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_record (recorded_at, pipe, source_id, destination, operation,"
                            + " outcome, attributes, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                        for (AuditRecord r : audited) {
                            bind(ps, Timestamp.from(r.at()), r.pipe(), r.sourceId(), trim(r.destination()), r.operation(), r.outcome(),
                                    trim(r.attributes()), trim(r.reason()));
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM entry_state WHERE pipe = ? AND source_id = ?")) {
                    for (Pending p : forgotten) {
                        bind(ps, p.pipe(), p.sourceId());
                        ps.addBatch();
                    }
                    if (!forgotten.isEmpty()) {
                        ps.executeBatch();
                    }
                }
                if (mergeSyntax) {
                    try (PreparedStatement ps = c.prepareStatement("MERGE INTO entry_state (pipe, " + COLUMNS + ")"
                            + " KEY (pipe, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                        for (Pending p : batch) {
                            bind(ps, row(p));
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                } else {
                    for (Pending p : batch) {
                        upsert(c, "entry_state", new String[]{"pipe", "source_id"}, new String[]{"destination_ref", "destination_id", "status",
                                "reason", "updated_at", "pending_action", "pending_ref", "pending_criteria", "in_scope"}, row(p));
                    }
                }
            });
            // only once committed: a reader always finds an outcome in the buffer or in the database; a newer
            // outcome put meanwhile stays for the next flush
            written.forEach(pending::remove);
        }
    }

    private static String trim(String reason) {
        return reason == null || reason.length() <= 3900 ? reason : reason.substring(0, 3900) + "...";
    }

    private static Object[] row(Pending p) {
        EntryState s = p.state();
        Intent intent = s.intent();
        return new Object[]{p.pipe(), s.sourceId(), s.destinationRef(), s.destinationId(), s.status().name(), s.reason(), Timestamp.from(s.updatedAt()),
                intent == null ? null : intent.action().name(), intent == null ? null : intent.ref(), intent == null ? null : intent.criteria(),
                s.inScope()};
    }

    private static String key(String pipe, String sourceId) {
        return pipe + '\u0000' + sourceId;
    }

    private static EntryState entryState(ResultSet rs) throws SQLException {
        Intent intent = rs.getString(7) == null ? null : new Intent(Intent.Action.valueOf(rs.getString(7)), rs.getString(8), rs.getString(9));
        return new EntryState(rs.getString(1), rs.getString(2), rs.getString(3), Status.valueOf(rs.getString(4)), rs.getString(5),
                rs.getTimestamp(6).toInstant(), intent, rs.getBoolean(10));
    }

    // --- JDBC plumbing -------------------------------------------------------------------------------

    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private interface RowHandler {
        void handle(ResultSet rs) throws SQLException;
    }

    private interface Work {
        void run(Connection connection) throws SQLException;
    }

    /** Insert-or-update: H2's MERGE ... KEY, or the standard UPDATE-then-INSERT elsewhere. */
    private void upsert(Connection c, String table, String[] keys, String[] columns, Object... values) throws SQLException {
        String[] all = new String[keys.length + columns.length];
        System.arraycopy(keys, 0, all, 0, keys.length);
        System.arraycopy(columns, 0, all, keys.length, columns.length);
        if (mergeSyntax) {
            String sql = "MERGE INTO " + table + " (" + String.join(", ", all) + ") KEY (" + String.join(", ", keys) + ") VALUES ("
                    + "?, ".repeat(all.length - 1) + "?)";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, values);
                ps.executeUpdate();
            }
            return;
        }
        StringBuilder update = new StringBuilder("UPDATE ").append(table).append(" SET ");
        for (int i = 0; i < columns.length; i++) {
            update.append(i == 0 ? "" : ", ").append(columns[i]).append(" = ?");
        }
        update.append(" WHERE ");
        for (int i = 0; i < keys.length; i++) {
            update.append(i == 0 ? "" : " AND ").append(keys[i]).append(" = ?");
        }
        Object[] updateValues = new Object[values.length];
        System.arraycopy(values, keys.length, updateValues, 0, columns.length);
        System.arraycopy(values, 0, updateValues, columns.length, keys.length);
        try (PreparedStatement ps = c.prepareStatement(update.toString())) {
            bind(ps, updateValues);
            if (ps.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + String.join(", ", all) + ") VALUES ("
                + "?, ".repeat(all.length - 1) + "?)")) {
            bind(ps, values);
            ps.executeUpdate();
        }
    }

    private void inTransaction(Work work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new StateStoreException("the state store cannot be written: " + e.getMessage(), e);
        }
    }

    private void update(String sql, Object... values) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(ps, values);
                ps.executeUpdate();
            }
        });
    }

    private <T> Optional<T> queryOne(String sql, RowReader<T> reader, Object... values) {
        List<T> results = new ArrayList<>(1);
        query(sql, rs -> {
            if (results.isEmpty()) {
                results.add(reader.read(rs));
            }
        }, values);
        return results.stream().findFirst();
    }

    private void query(String sql, RowHandler handler, Object... values) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, values);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    handler.handle(rs);
                }
            }
        } catch (SQLException e) {
            throw new StateStoreException("the state store cannot be read: " + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement ps, Object... values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            ps.setObject(i + 1, values[i]);
        }
    }

    private static boolean detectH2(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName().toLowerCase().contains("h2");
        } catch (SQLException e) {
            throw new StateStoreException("the state store is unreachable: " + e.getMessage(), e);
        }
    }
}

package io.idsync.pipe;

import io.idsync.connector.Startpoints;
import io.idsync.connector.Startpoints.UnsupportedStartpoint;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a pipe's change feed reads from, and an operator's move of it (PingDataSync's {@code realtime-sync
 * set-startpoint}): {@code end} (from now on), {@code beginning} (every change the source keeps), a time
 * ({@code 2026-12-07T09:00Z}, {@code 10 minutes ago}) for sources whose positions are times, or a position of the
 * source's own. The move is the pipe's checkpoint: the next poll reads the changes after it; a pipe that had not loaded
 * yet follows the feed from there without an initial load.
 */
public final class Startpoint {

    /** A position: the token as the feed reads it, and in the source's words. */
    public record Position(String token, String described) {
    }

    private static final Logger LOG = Logger.getLogger(Startpoint.class);
    private static final Pattern AGO = Pattern.compile("(\\d{1,9})\\s*(second|minute|hour|day)s?\\s+ago");

    private Startpoint() {
    }

    /** Where the pipe reads from now: its checkpoint, or empty before its first poll saved one. */
    public static Optional<Position> of(Pipe pipe) {
        Startpoints startpoints = startpoints(pipe);
        return pipe.state().checkpoint(pipe.name()).map(token -> new Position(token, describe(startpoints, token)));
    }

    /**
     * Moves the pipe's feed to {@code requested}, once the poll in progress (if any) has ended; audited with who moved
     * it from where.
     *
     * @param operator who asks, for the audit log
     * @return the new position
     * @throws UnsupportedStartpoint when the source cannot start there (a time for a changelog, a token of another kind)
     * @throws PipeBusy              while a resync, reconciliation or deprovisioning runs, when the poll does not end
     *                               within {@code waitMillis}, or when another instance runs the pipe
     * @throws io.idsync.connector.SystemFailure when the source cannot say where its feed stands (end, beginning)
     */
    public static Position set(Pipe pipe, String requested, String operator, long waitMillis) {
        Startpoints startpoints = startpoints(pipe);
        RunReport run = pipe.running();
        if (run != null) {
            throw new PipeBusy("pipe '" + pipe.name() + "' is running a " + run.kind() + " (" + run.id() + "): set the startpoint when it ends, or cancel it");
        }
        String token = token(pipe, startpoints, requested == null ? "" : requested.trim());
        if (!pipe.tryAcquire("setting its startpoint", waitMillis)) {
            throw new PipeBusy("pipe '" + pipe.name() + "' is still busy (" + pipe.activity() + ") after " + waitMillis / 1000 + " s; try again when it is idle");
        }
        try {
            String before = pipe.state().checkpoint(pipe.name()).map(t -> describe(startpoints, t)).orElse("no checkpoint (the initial load to come)");
            Position after = new Position(token, describe(startpoints, token));
            try {
                pipe.state().saveCheckpoint(pipe.name(), token, pipe.counters().snapshot());
            } catch (io.idsync.state.LeaseLost elsewhere) {
                throw new PipeBusy("pipe '" + pipe.name() + "' runs on another instance: set its startpoint there (GET /api/pipes/"
                        + pipe.name() + " says which, in heldBy)");
            }
            String why = operator + " moved it from " + before + " to " + after.described() + " (asked: " + requested + ")";
            LOG.warnf("%s: startpoint set: %s", pipe.name(), why);
            AuditTrail.note(pipe, "startpoint-set", "set", why);
            pipe.state().flush();
            return after;
        } finally {
            pipe.release();
        }
    }

    /** The token {@code requested} names. */
    private static String token(Pipe pipe, Startpoints startpoints, String requested) {
        String word = requested.toLowerCase(Locale.ROOT);
        if (word.isEmpty()) {
            throw new UnsupportedStartpoint("say where to start: end, beginning, a time (2026-12-07T09:00Z, 10 minutes ago) or a position of the source");
        }
        if (word.equals("end")) {
            // from now on: a source of times starts just after this instant (its feed's own position may lag behind it,
            // as PingOne's polling offset or a directory's settle time do; a change in this very millisecond came
            // before the request); another at its last change
            try {
                return startpoints.at(Instant.now().plusMillis(1));
            } catch (UnsupportedStartpoint notTimes) {
                return pipe.changes().currentToken();
            }
        }
        if (word.equals("beginning")) {
            return startpoints.beginning();
        }
        Instant time = time(word);
        if (time != null) {
            if (time.isAfter(Instant.now())) {
                throw new UnsupportedStartpoint(requested + " is in the future: the feed would skip the changes until then; give end instead");
            }
            return startpoints.at(time);
        }
        return startpoints.parse(requested);
    }

    /** {@code 2026-12-07T09:00Z}, {@code 2026-12-07T10:00+01:00} or {@code 10 minutes ago}; null when it is no time. */
    static Instant time(String text) {
        Matcher ago = AGO.matcher(text);
        if (ago.matches()) {
            long amount = Long.parseLong(ago.group(1));
            Duration unit = switch (ago.group(2)) {
                case "second" -> Duration.ofSeconds(1);
                case "minute" -> Duration.ofMinutes(1);
                case "hour" -> Duration.ofHours(1);
                default -> Duration.ofDays(1);
            };
            return Instant.now().minus(unit.multipliedBy(amount));
        }
        if (!text.matches("\\d{4}-\\d{2}-\\d{2}t.*")) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text.toUpperCase(Locale.ROOT)).toInstant();
        } catch (DateTimeParseException e) {
            throw new UnsupportedStartpoint("'" + text + "' is not a time: write it as 2026-12-07T09:00Z or 2026-12-07T10:00+01:00");
        }
    }

    private static String describe(Startpoints startpoints, String token) {
        try {
            return startpoints.describe(token);
        } catch (UnsupportedStartpoint e) {
            return "'" + token + "' (not a position of this source: " + e.getMessage() + ")";
        }
    }

    private static Startpoints startpoints(Pipe pipe) {
        if (pipe.changes() instanceof Startpoints startpoints) {
            return startpoints;
        }
        throw new UnsupportedStartpoint("pipe '" + pipe.name() + "' reads a source whose feed cannot be moved");
    }
}

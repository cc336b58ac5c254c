package io.idsync.connector;

import java.time.Instant;

/**
 * Where a change feed can be told to start (PingDataSync's {@code realtime-sync set-startpoint}), in the source's own
 * positions: a change number, a CSN, a USN, a PingOne time. A pipe's checkpoint is such a position; setting it makes
 * the next poll read the changes after it.
 */
public interface Startpoints {

    /**
     * The position in the source's words ("change number 1234", "entryCSN 20261207090000.000000Z...").
     *
     * @param token a position of this source (a checkpoint)
     * @throws UnsupportedStartpoint when it is not one
     */
    String describe(String token);

    /**
     * The position before the oldest change the source keeps: every change it still has is read again.
     *
     * @throws UnsupportedStartpoint when the source has no such position (it keeps changes for a time only)
     * @throws SystemUnavailable     when the system cannot answer now
     * @throws AccessRefused         when it refuses idsync's credentials
     */
    String beginning();

    /**
     * The position just before {@code time}: the changes made at or after it are read again (a change applied twice is
     * applied from the entry as it is: the second time changes nothing).
     *
     * @throws UnsupportedStartpoint when the source's positions are not times (a change number, a USN)
     */
    String at(Instant time);

    /**
     * A position as an operator gives it, checked.
     *
     * @return the token, as the feed reads it
     * @throws UnsupportedStartpoint when it is not a position of this source
     */
    String parse(String token);

    /** A startpoint the source cannot take, and why: the operator's to change (the API answers 400). */
    final class UnsupportedStartpoint extends IllegalArgumentException {
        public UnsupportedStartpoint(String message) {
            super(message);
        }
    }
}

package io.idsync.pipe;

import io.idsync.connector.FailureCategory;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a pipe does with an entry that failed, per failure category ({@code idsync.pipes.<pipe>.failure-policy.<category>},
 * midPoint's error handling): retry it with backoff (the default), park it for an operator, or stop the pipe.
 */
public enum FailurePolicy {
    /** tried again at later polls, with a backoff, up to {@code retry-failed-attempts} times (for an entry's own failure);
     * a system failure stops the batch, replayed at the next poll */
    RETRY,
    /** recorded failed and left for an operator ({@code POST .../retry-failed?category=}, {@code POST .../dismiss}); the
     * batch goes on, even for a system failure */
    PARK,
    /** the batch stops and its checkpoint stays: the pipe is Failed, naming the entry, until the cause is fixed */
    STOP;

    /** @throws IllegalArgumentException for anything but retry, park or stop */
    public static FailurePolicy parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a failure policy (retry, park or stop)");
        }
    }

    /** Every category retried: today's behaviour, the default. */
    public static Map<FailureCategory, FailurePolicy> defaults() {
        Map<FailureCategory, FailurePolicy> policies = new EnumMap<>(FailureCategory.class);
        for (FailureCategory category : FailureCategory.values()) {
            policies.put(category, RETRY);
        }
        return policies;
    }

    /** The batch stopped on an entry's failure because the pipe's policy for its category says stop. */
    public static final class Stopped extends BatchStopped {
        Stopped(String message) {
            super(message);
        }
    }
}

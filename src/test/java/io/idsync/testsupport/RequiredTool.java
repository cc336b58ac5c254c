package io.idsync.testsupport;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A test that needs a program from outside Maven (slapd, Node.js, Chromium): skipped, with the reason, on a
 * machine without it; failed where the run requires it (.ci/run sets {@code IDSYNC_REQUIRE_<TOOL>}, and so does any
 * {@code CI}), so that a CI run never passes by skipping.
 */
public final class RequiredTool {

    private RequiredTool() {
    }

    /** @param requiredBy the environment variable that makes the tool required */
    public static void assumeAvailable(boolean available, String why, String requiredBy) {
        if (!available && (System.getenv(requiredBy) != null || System.getenv("CI") != null)) {
            Assertions.fail(why + ", and this run requires it (" + requiredBy + ")");
        }
        Assumptions.assumeTrue(available, why);
    }
}

package io.idsync.connector.ldap;

import io.idsync.connector.ChangeBatch;
import io.idsync.connector.ConfigurationError;
import io.idsync.connector.Startpoints;
import io.idsync.connector.SystemUnavailable;

/**
 * How a directory tells idsync what changed, behind one contract: the changelog ({@link ChangelogFeed}), or a stamp
 * every write sets ({@link StampFeed}: entryCSN, uSNChanged, modifyTimestamp). Chosen once, when the source first asks
 * ({@code change-detection}, or for {@code auto} what the root DSE offers); each keeps its own token format, so a
 * checkpoint says which detection wrote it, and each says what its positions are ({@link Startpoints}).
 */
interface ChangeDetection extends Startpoints {

    /**
     * Where the feed stands now, as a token: a new pipe's initial load starts after it.
     *
     * @throws ConfigurationError when the server does not offer this detection
     * @throws SystemUnavailable  when the directory cannot answer
     */
    String currentToken();

    /**
     * The next batch after {@code token} (one of {@link #owns}), oldest first, with the token after it.
     *
     * @throws SystemUnavailable when the directory cannot answer
     */
    ChangeBatch changesSince(String token);

    /** Whether {@code token} is in this detection's format. */
    boolean owns(String token);
}

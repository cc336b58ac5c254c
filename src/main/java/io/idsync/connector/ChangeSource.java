package io.idsync.connector;

/**
 * Detects changes (ConnId's SyncOp): a position token, and the changes after a token. Tokens are opaque to
 * the pipe; the state store keeps them.
 */
public interface ChangeSource {

    /**
     * The feed's position now: a new pipe saves it before its initial load, so no change during the load is missed.
     *
     * @throws SystemUnavailable  the system cannot answer now (after the connection's own retries): the batch stops
     * @throws AccessRefused      the system refused idsync's credentials or their rights: the batch stops, not retried
     * @throws ConfigurationError the system refused what the configuration asks (a filter, a base): the batch stops
     */
    String currentToken();

    /**
     * The next batch of changes after {@code token}.
     *
     * @throws SystemUnavailable  the system cannot answer now (after the connection's own retries): the batch stops
     * @throws AccessRefused      the system refused idsync's credentials or their rights: the batch stops, not retried
     * @throws ConfigurationError the system refused what the configuration asks (a filter, a base): the batch stops
     */
    ChangeBatch changesSince(String token);

    /**
     * Whether a change concerns the entries this source synchronizes and was made by someone it does not
     * ignore (PingDataSync's {@code actor-id-to-ignore}: the other direction's worker app, against echoes).
     */
    boolean inScope(Change change);

    /**
     * Changes to the entries that name {@code memberId} as a member (the groups of a user): a group pipe
     * re-synchronizes them when another pipe has newly provisioned that user. Sources without groups have none.
     *
     * @throws SystemFailure as {@link #changesSince}
     */
    default java.util.List<Change> changesForMember(String memberId) {
        return java.util.List.of();
    }
}

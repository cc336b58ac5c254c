package io.idsync.connector;

import java.util.Iterator;
import java.util.Optional;

/** Reads source entries (ConnId's GetApiOp and SearchOp): one by id, or every one in scope, page by page. */
public interface SourceReader {

    /**
     * The current full entry, or empty when it no longer exists.
     *
     * @throws SystemUnavailable  the system cannot answer now (after the connection's own retries): the batch stops
     * @throws AccessRefused      the system refused idsync's credentials or their rights: the batch stops, not retried
     * @throws ConfigurationError the system refused what the configuration asks (a filter, a base): the batch stops
     * @throws EntryRejected     the system answered this entry with something that is not one (garbage for a user)
     */
    Optional<SourceEntry> read(String id);

    /**
     * The entry an operator names by what they know of it, for provisioning on demand (ConnId's ResolveUsernameApiOp):
     * its source id, or what this source can also find it by (a PingOne username; an LDAP DN, or a uid, cn or mail
     * value). Empty when nothing is found.
     *
     * @throws SystemFailure  as {@link #read}
     * @throws EntryRejected  the identifier names more than one entry, or the system answered with garbage
     */
    default Optional<SourceEntry> lookup(String identifier) {
        return read(identifier);
    }

    /**
     * The rule of the source's scope that puts this entry in it or leaves it out, in the configuration's words (the
     * population, the group, the filter), for an operator's trace.
     *
     * @throws SystemFailure as {@link #inScope}
     */
    default String scopeRule(SourceEntry entry) {
        return inScope(entry) ? "inside the source's scope" : "outside the source's scope";
    }

    /**
     * Whether the entry is inside the source's scope (PingOne: the populations to synchronize).
     *
     * @throws SystemFailure as {@link #read}, where the scope needs the system (a group's members, a population's id)
     */
    boolean inScope(SourceEntry entry);

    /**
     * Whether every entry {@link #scan()} returns is in scope by construction (the system applied the scope's rule itself,
     * as an LDAP search does its base and filter): the road then does not check a scanned entry's scope again. A source
     * whose scan returns more than its scope (a rule evaluated here, such as PingOne's group names) answers false.
     */
    default boolean scansOnlyInScope() {
        return false;
    }

    /**
     * Every in-scope entry, fetched a page at a time as the iterator advances (its {@code next} throws as {@link #read}).
     *
     * @throws SystemUnavailable  the system cannot answer now (after the connection's own retries): the batch stops
     * @throws AccessRefused      the system refused idsync's credentials or their rights: the batch stops, not retried
     * @throws ConfigurationError the system refused what the configuration asks (a filter, a base): the batch stops
     */
    Iterator<SourceEntry> scan();

    /**
     * Which of these source paths (a mapping's placeholders: {@code mail}, {@code name.given}) can never have a
     * value, one sentence each, checked once at start: a typo would otherwise leave the attribute empty on every
     * entry, silently. Empty when all can, or when the source cannot tell now.
     */
    default java.util.List<String> schemaProblems(java.util.Collection<String> paths) {
        return java.util.List.of();
    }
}

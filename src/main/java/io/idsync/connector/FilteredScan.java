package io.idsync.connector;

import java.util.Iterator;

/**
 * A source that can read a part of its scope by a filter in its own language, pushed down to the system (PingDataSync's
 * {@code resync --includeFilter}): a resync of a subset without reading the whole source.
 */
public interface FilteredScan {

    /** What a filter looks like here, for an operator's error: "an LDAP filter such as (departmentNumber=42)". */
    String filterSyntax();

    /**
     * Every in-scope entry that also matches {@code filter}, a page at a time (its {@code next} throws as
     * {@link SourceReader#scan}).
     *
     * @throws IllegalArgumentException the filter is not one this source takes, saying why
     * @throws SystemUnavailable        the system cannot answer now
     * @throws AccessRefused            the system refused idsync's credentials or their rights
     * @throws ConfigurationError       the system refused the filter or the base
     */
    Iterator<SourceEntry> scan(String filter);
}

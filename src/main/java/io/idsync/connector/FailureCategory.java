package io.idsync.connector;

import java.util.Locale;

/**
 * What kind of failure an entry's is, for the pipe's failure policy per category (midPoint's error handling) and the
 * operator's bulk retry and dismissal. Each connector kind classifies its system's answers ({@link EntryRejected#category});
 * the system failures ({@link SystemFailure}) are categories of their own.
 */
public enum FailureCategory {
    /** the destination's schema refused a value or the entry's shape (LDAP 17, 21, 64, 65, 67; HTTP 400, 422) */
    SCHEMA,
    /** the entry is in the way of another: uniqueness, an entry already there, an ambiguous correlation, another owner (LDAP 19 unique, 20, 68; HTTP 409) */
    CONFLICT,
    /** the entry to write is gone from the destination (LDAP 32; HTTP 404) */
    NOT_FOUND,
    /** the mapping could not make the entry (a value its pattern cannot take) */
    MAPPING,
    /** any other refusal of the entry */
    REJECTED,
    /** the system is down, failing or busy (5xx, timeouts, 429 after its wait) */
    UNAVAILABLE,
    /** the system refused idsync's credentials or rights (401, 403, a refused bind) */
    ACCESS_REFUSED,
    /** the system refused what the configuration asks (a filter, a base) */
    CONFIGURATION;

    /** As settings, the API and the dashboard name it: {@code schema}, {@code not-found}, {@code access-refused}... */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @throws IllegalArgumentException for a name that is none of the categories, listing them */
    public static FailureCategory parse(String key) {
        for (FailureCategory category : values()) {
            if (category.key().equals(key)) {
                return category;
            }
        }
        throw new IllegalArgumentException("'" + key + "' is not a failure category (" + String.join(", ",
                java.util.Arrays.stream(values()).map(FailureCategory::key).toList()) + ")");
    }

    /** The category of a failure as the road caught it: a connector's, a mapping's, or another (rejected). */
    public static FailureCategory of(Throwable failure) {
        if (failure instanceof EntryRejected rejected) {
            return rejected.category();
        }
        if (failure instanceof SystemUnavailable) {
            return UNAVAILABLE;
        }
        if (failure instanceof AccessRefused) {
            return ACCESS_REFUSED;
        }
        if (failure instanceof ConfigurationError) {
            return CONFIGURATION;
        }
        if (failure instanceof io.idsync.mapping.MappingException) {
            return MAPPING;
        }
        return REJECTED;
    }
}

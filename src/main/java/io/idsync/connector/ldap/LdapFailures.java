package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import io.idsync.connector.AccessRefused;
import io.idsync.connector.ConfigurationError;
import io.idsync.connector.ConnectorFailure;
import io.idsync.connector.EntryRejected;
import io.idsync.connector.FailureCategory;
import io.idsync.connector.SystemUnavailable;

import java.util.Set;

/**
 * The one place an LDAP result code becomes idsync's failure (see {@link ConnectorFailure}), for the source and the
 * destination alike: a server down or busy is {@link SystemUnavailable}; a refused bind or access to what the pipe
 * reads is {@link AccessRefused}; a filter, base or control the server refuses is {@link ConfigurationError}; what a
 * server refuses of one entry is {@link EntryRejected}.
 */
final class LdapFailures {

    /** What the operation was about: one entry (its write or read), or what the pipe reads as a whole. */
    enum Scope {
        ENTRY, SYSTEM
    }

    private static final Set<ResultCode> UNAVAILABLE = Set.of(ResultCode.SERVER_DOWN, ResultCode.CONNECT_ERROR, ResultCode.TIMEOUT,
            ResultCode.BUSY, ResultCode.UNAVAILABLE, ResultCode.LOCAL_ERROR, ResultCode.ADMIN_LIMIT_EXCEEDED, ResultCode.OTHER,
            ResultCode.DECODING_ERROR, ResultCode.NO_MEMORY, ResultCode.CANCELED);
    private static final Set<ResultCode> CREDENTIALS = Set.of(ResultCode.INVALID_CREDENTIALS, ResultCode.INAPPROPRIATE_AUTHENTICATION,
            ResultCode.STRONG_AUTH_REQUIRED, ResultCode.CONFIDENTIALITY_REQUIRED);
    private static final Set<ResultCode> CONFIGURATION = Set.of(ResultCode.FILTER_ERROR, ResultCode.INVALID_DN_SYNTAX, ResultCode.NO_SUCH_OBJECT,
            ResultCode.UNAVAILABLE_CRITICAL_EXTENSION, ResultCode.PROTOCOL_ERROR, ResultCode.UNDEFINED_ATTRIBUTE_TYPE);

    private static final Set<ResultCode> SCHEMA = Set.of(ResultCode.INVALID_ATTRIBUTE_SYNTAX, ResultCode.OBJECT_CLASS_VIOLATION,
            ResultCode.UNDEFINED_ATTRIBUTE_TYPE, ResultCode.NAMING_VIOLATION, ResultCode.NOT_ALLOWED_ON_RDN, ResultCode.CONSTRAINT_VIOLATION,
            ResultCode.INAPPROPRIATE_MATCHING, ResultCode.OBJECT_CLASS_MODS_PROHIBITED);

    private LdapFailures() {
    }

    /**
     * @param operation what was asked, for the message ("add uid=ann,ou=People,...")
     * @param url       the server
     */
    static ConnectorFailure of(String operation, String url, LDAPException e, Scope scope) {
        String message = "LDAP " + operation + " on " + url + " failed: " + e.getResultCode().intValue() + " (" + e.getResultCode().getName() + ")"
                + (e.getDiagnosticMessage() != null ? " " + e.getDiagnosticMessage() : "");
        ResultCode code = e.getResultCode();
        if (UNAVAILABLE.contains(code)) {
            return new SystemUnavailable(message);
        }
        if (CREDENTIALS.contains(code) || (scope == Scope.SYSTEM && code == ResultCode.INSUFFICIENT_ACCESS_RIGHTS)) {
            return new AccessRefused("credentials refused: " + message);
        }
        if (scope == Scope.SYSTEM && CONFIGURATION.contains(code)) {
            return new ConfigurationError(message + " (check the connection's base-dn and the pipe's filters)");
        }
        return scope == Scope.ENTRY ? new EntryRejected(category(e), message) : new SystemUnavailable(message);
    }

    /** What kind of refusal of an entry a result code is. */
    private static FailureCategory category(LDAPException e) {
        ResultCode code = e.getResultCode();
        if (code == ResultCode.ENTRY_ALREADY_EXISTS || code == ResultCode.ATTRIBUTE_OR_VALUE_EXISTS
                || (code == ResultCode.CONSTRAINT_VIOLATION && String.valueOf(e.getDiagnosticMessage()).toLowerCase(java.util.Locale.ROOT).contains("unique"))) {
            return FailureCategory.CONFLICT;
        }
        if (code == ResultCode.NO_SUCH_OBJECT) {
            return FailureCategory.NOT_FOUND;
        }
        if (SCHEMA.contains(code)) {
            return FailureCategory.SCHEMA;
        }
        return FailureCategory.REJECTED;
    }
}

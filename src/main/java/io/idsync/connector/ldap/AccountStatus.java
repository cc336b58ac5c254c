package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.AbstractConnectionPool;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.RootDSE;
import com.unboundid.ldap.sdk.unboundidds.extensions.PasswordPolicyStateExtendedRequest;
import com.unboundid.ldap.sdk.unboundidds.extensions.PasswordPolicyStateOperation;
import io.idsync.connector.Plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How a directory takes an account's status. Seed 000: PingDirectory's {@code ds-pwp-account-disabled} and
 * {@code pwdAccountLockedTime} "can't be written to directly", so PingDataSync drives the Password Policy State
 * extended operation from them. A connection's {@code account-status} setting, or the server's root DSE, decides:
 * <ul>
 * <li>{@code password-policy-state} (a server that lists the operation in {@code supportedExtension}: PingDirectory,
 * the demo directory): a mapped {@code ds-pwp-account-disabled} TRUE/FALSE sets the account's disabled state (removed:
 * cleared), a {@code pwdAccountLockedTime} with a value locks the account, without one unlocks it. The server stamps
 * the lock time itself, so a lock is compared by presence, not by its time.</li>
 * <li>{@code attributes}: the mapping's attributes are written as they are, as a server whose account status is an
 * ordinary attribute takes it (389 DS {@code nsAccountLock}, OpenLDAP ppolicy's {@code pwdAccountLockedTime} where the
 * overlay lets the manager set it, Active Directory's {@code userAccountControl}).</li>
 * </ul>
 */
final class AccountStatus {

    static final String DISABLED = "ds-pwp-account-disabled";
    static final String LOCKED_TIME = "pwdAccountLockedTime";
    private static final Set<String> OPERATION_ATTRIBUTES = Set.of(DISABLED.toLowerCase(Locale.ROOT), LOCKED_TIME.toLowerCase(Locale.ROOT));
    /** What carries an account's status on the servers idsync knows: a refusal of one of these must not block the rest. */
    private static final Set<String> STATUS_ATTRIBUTES = Set.of(DISABLED.toLowerCase(Locale.ROOT), LOCKED_TIME.toLowerCase(Locale.ROOT),
            "nsaccountlock");

    enum Dialect {
        PASSWORD_POLICY_STATE("password-policy-state"), ATTRIBUTES("attributes");

        final String setting;

        Dialect(String setting) {
            this.setting = setting;
        }
    }

    static final List<String> SETTINGS = List.of("auto", Dialect.PASSWORD_POLICY_STATE.setting, Dialect.ATTRIBUTES.setting);

    private final Dialect dialect;

    private AccountStatus(Dialect dialect) {
        this.dialect = dialect;
    }

    /**
     * The way this server takes account status.
     *
     * @param setting the connection's {@code account-status}: auto, password-policy-state or attributes
     * @param root    the server's root DSE (null when it publishes none)
     */
    static AccountStatus of(String setting, RootDSE root) {
        for (Dialect dialect : Dialect.values()) {
            if (dialect.setting.equals(setting)) {
                return new AccountStatus(dialect);
            }
        }
        boolean operation = root != null && root.supportsExtendedOperation(PasswordPolicyStateExtendedRequest.PASSWORD_POLICY_STATE_REQUEST_OID);
        return new AccountStatus(operation ? Dialect.PASSWORD_POLICY_STATE : Dialect.ATTRIBUTES);
    }

    Dialect dialect() {
        return dialect;
    }

    /** Whether the attribute is an account's status (a refusal of it fails that alone, the rest is written). */
    static boolean isStatus(String attribute) {
        return STATUS_ATTRIBUTES.contains(attribute.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether a new account needs the operation for this value: an account is created enabled and unlocked, so
     * {@code ds-pwp-account-disabled: FALSE} asks nothing of the server (one operation less per create).
     */
    static boolean changesANewAccount(String attribute, List<String> values) {
        return !(attribute.equalsIgnoreCase(DISABLED) && values.size() == 1 && values.get(0).equalsIgnoreCase("FALSE"));
    }

    /** Whether the attribute goes through the server's operation rather than into an add or a modify. */
    boolean byOperation(String attribute) {
        return dialect == Dialect.PASSWORD_POLICY_STATE && OPERATION_ATTRIBUTES.contains(attribute.toLowerCase(Locale.ROOT));
    }

    /** Whether the current values already are the wanted state: a lock the server stamped itself is a lock. */
    boolean same(String attribute, List<String> want, List<String> current) {
        if (byOperation(attribute) && attribute.equalsIgnoreCase(LOCKED_TIME)) {
            return want.isEmpty() == current.isEmpty();
        }
        if (byOperation(attribute) && attribute.equalsIgnoreCase(DISABLED)) {
            // an account created enabled has no disabled state at all: FALSE and nothing are the same state
            return disabled(want) == disabled(current);
        }
        return new java.util.HashSet<>(want).equals(new java.util.HashSet<>(current));
    }

    private static boolean disabled(List<String> values) {
        return values.size() == 1 && values.get(0).equalsIgnoreCase("TRUE");
    }

    /**
     * Sets the entry's account status through the Password Policy State operation.
     *
     * @param changes the plan's changes of {@link #byOperation} attributes
     * @throws LDAPException when the server refuses the operation
     */
    void apply(AbstractConnectionPool ldap, String dn, List<Plan.AttributeChange> changes) throws LDAPException {
        List<PasswordPolicyStateOperation> operations = new ArrayList<>();
        for (Plan.AttributeChange change : changes) {
            boolean set = change.kind() != Plan.AttributeChange.Kind.DELETE && !change.values().isEmpty();
            if (change.attribute().equalsIgnoreCase(DISABLED)) {
                operations.add(set ? PasswordPolicyStateOperation.createSetAccountDisabledStateOperation(Boolean.parseBoolean(change.values().get(0)))
                        : PasswordPolicyStateOperation.createClearAccountDisabledStateOperation());
            } else {
                operations.add(PasswordPolicyStateOperation.createSetAccountIsFailureLockedOperation(set));
            }
        }
        if (operations.isEmpty()) {
            return;
        }
        ExtendedResult result = ldap.processExtendedOperation(
                new PasswordPolicyStateExtendedRequest(dn, operations.toArray(PasswordPolicyStateOperation[]::new)));
        if (result.getResultCode() != ResultCode.SUCCESS) {
            throw new LDAPException(result);
        }
    }
}

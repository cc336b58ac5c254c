package io.idsync.sandbox;

import com.unboundid.ldap.listener.InMemoryExtendedOperationHandler;
import com.unboundid.ldap.listener.InMemoryRequestHandler;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedAddRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.ExtendedRequest;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.unboundidds.extensions.PasswordPolicyStateExtendedRequest;
import com.unboundid.ldap.sdk.unboundidds.extensions.PasswordPolicyStateExtendedResult;
import com.unboundid.ldap.sdk.unboundidds.extensions.PasswordPolicyStateOperation;
import com.unboundid.util.StaticUtils;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * PingDirectory's account status in the demo directory, as seed 000 describes it: {@code ds-pwp-account-disabled}
 * and {@code pwdAccountLockedTime} "can't be written to directly" (an add or modify that carries them is refused,
 * 53 unwillingToPerform), and the Password Policy State extended operation sets them: the disabled state, and a
 * lock (the server stamps {@code pwdAccountLockedTime} with its own time) or an unlock.
 */
final class PasswordPolicyStateEmulation extends InMemoryOperationInterceptor {

    private static final Set<String> GUARDED = Set.of("ds-pwp-account-disabled", "pwdaccountlockedtime");

    @Override
    public void processAddRequest(InMemoryInterceptedAddRequest request) throws LDAPException {
        for (Attribute attribute : request.getRequest().getAttributes()) {
            refuseIfGuarded(attribute.getBaseName());
        }
    }

    @Override
    public void processModifyRequest(InMemoryInterceptedModifyRequest request) throws LDAPException {
        for (Modification modification : request.getRequest().getModifications()) {
            refuseIfGuarded(modification.getAttribute().getBaseName());
        }
    }

    private static void refuseIfGuarded(String attribute) throws LDAPException {
        if (GUARDED.contains(StaticUtils.toLowerCase(attribute))) {
            throw new LDAPException(ResultCode.UNWILLING_TO_PERFORM, attribute + " cannot be written directly: use the password policy"
                    + " state extended operation (" + PasswordPolicyStateExtendedRequest.PASSWORD_POLICY_STATE_REQUEST_OID + ")");
        }
    }

    /** The operation itself; it writes behind the interceptor, on the server's own handler. */
    static final class Handler extends InMemoryExtendedOperationHandler {

        private static final int SET_DISABLED = PasswordPolicyStateOperation.createSetAccountDisabledStateOperation(true).getOperationType();
        private static final int CLEAR_DISABLED = PasswordPolicyStateOperation.createClearAccountDisabledStateOperation().getOperationType();
        private static final int SET_FAILURE_LOCKED = PasswordPolicyStateOperation.createSetAccountIsFailureLockedOperation(true).getOperationType();

        @Override
        public String getExtendedOperationHandlerName() {
            return "Password Policy State (PingDirectory emulation)";
        }

        @Override
        public List<String> getSupportedExtendedRequestOIDs() {
            return List.of(PasswordPolicyStateExtendedRequest.PASSWORD_POLICY_STATE_REQUEST_OID);
        }

        @Override
        public ExtendedResult processExtendedOperation(InMemoryRequestHandler handler, int messageID, ExtendedRequest request) {
            PasswordPolicyStateExtendedRequest state;
            try {
                state = new PasswordPolicyStateExtendedRequest(request);
            } catch (LDAPException e) {
                return new ExtendedResult(messageID, ResultCode.PROTOCOL_ERROR, e.getMessage(), null, null, null, null, null);
            }
            List<Modification> modifications = new ArrayList<>();
            List<PasswordPolicyStateOperation> answered = new ArrayList<>();
            for (PasswordPolicyStateOperation operation : state.getOperations()) {
                int type = operation.getOperationType();
                if (type == SET_DISABLED) {
                    boolean disabled = operation.getBooleanValue();
                    modifications.add(new Modification(ModificationType.REPLACE, "ds-pwp-account-disabled", disabled ? "TRUE" : "FALSE"));
                    answered.add(PasswordPolicyStateOperation.createSetAccountDisabledStateOperation(disabled));
                } else if (type == CLEAR_DISABLED) {
                    modifications.add(new Modification(ModificationType.REPLACE, "ds-pwp-account-disabled"));
                    answered.add(PasswordPolicyStateOperation.createClearAccountDisabledStateOperation());
                } else if (type == SET_FAILURE_LOCKED) {
                    boolean locked = operation.getBooleanValue();
                    modifications.add(locked ? new Modification(ModificationType.REPLACE, "pwdAccountLockedTime", StaticUtils.encodeGeneralizedTime(new Date()))
                            : new Modification(ModificationType.REPLACE, "pwdAccountLockedTime"));
                    answered.add(PasswordPolicyStateOperation.createSetAccountIsFailureLockedOperation(locked));
                } else {
                    return new ExtendedResult(messageID, ResultCode.UNWILLING_TO_PERFORM, "the demo directory emulates the disabled state"
                            + " and the failure lock only, not password policy state operation type " + type, null, null, null, null, null);
                }
            }
            try {
                handler.modify(new ModifyRequest(state.getUserDN(), modifications));
            } catch (LDAPException e) {
                return new ExtendedResult(messageID, e.getResultCode(), e.getDiagnosticMessage(), e.getMatchedDN(), null, null, null, null);
            }
            return new PasswordPolicyStateExtendedResult(messageID, ResultCode.SUCCESS, null, null, null, state.getUserDN(),
                    answered.toArray(PasswordPolicyStateOperation[]::new), null);
        }

    }
}

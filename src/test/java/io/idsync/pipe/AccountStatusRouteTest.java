package io.idsync.pipe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.state.StateStore;
import io.idsync.testsupport.PipeFixture;
import io.idsync.testsupport.PipeFixtureRouteTest;
import io.idsync.testsupport.SandboxAdmin;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seed 000's account status on the demo directory, which takes it as PingDirectory does: never written directly
 * (an add or modify carrying ds-pwp-account-disabled or pwdAccountLockedTime is refused), only through the Password
 * Policy State extended operation. The shipped pingone-to-directory pipe, polled by hand.
 */
class AccountStatusRouteTest extends PipeFixtureRouteTest {

    AccountStatusRouteTest() {
        super(5, 0);
    }

    private static final String DN = "uid=status.user," + DemoDirectory.PEOPLE_DN;

    private void start() throws Exception {
        startShippedPipeAndLoad();
    }

    private void poll() {
        template.sendBody("direct:poll", null);
    }

    private SearchResultEntry entry() throws LDAPException {
        try (LDAPConnection ldap = systems.directory.connection()) {
            return ldap.getEntry(DN, "*", "+");
        }
    }

    private void rename(String id, String given) {
        ObjectNode patch = SandboxAdmin.JSON.createObjectNode();
        patch.putObject("name").put("given", given);
        systems.admin.patchUser(id, patch);
    }

    @Test
    void lockUnlockDisableAndEnableGoThroughThePasswordPolicyStateOperation() throws Exception {
        start();
        String id = systems.admin.createUser("status.user", "Stat", "Us", "Employees");
        poll();
        assertNull(entry().getAttributeValue("pwdAccountLockedTime"), "created unlocked");
        assertTrue(entry().getAttributeValue("ds-pwp-account-disabled") == null || entry().getAttributeValue("ds-pwp-account-disabled").equals("FALSE"));
        try (LDAPConnection ldap = systems.directory.connection()) {
            LDAPException direct = assertThrows(LDAPException.class,
                    () -> ldap.modify(DN, new Modification(ModificationType.REPLACE, "ds-pwp-account-disabled", "TRUE")));
            assertEquals(ResultCode.UNWILLING_TO_PERFORM, direct.getResultCode(), "the demo directory is as strict as seed 000 says PingDirectory is");
        }

        systems.admin.lock(id);
        poll();
        assertNotNull(entry().getAttributeValue("pwdAccountLockedTime"), "locked: the server stamped the time");
        assertEquals("TRUE", entry().getAttributeValue("ds-pwp-account-disabled"), "a lock disables (PingDataSync's intermediate attribute)");
        poll();
        long changes = lastChangeNumber();
        systems.state.clearCheckpoint(PipeFixture.PIPE);
        poll();
        assertEquals(changes, lastChangeNumber(), "a lock stamped by the server is the lock that was wanted: a full scan writes nothing");

        systems.admin.unlock(id);
        poll();
        assertNull(entry().getAttributeValue("pwdAccountLockedTime"), "unlocked");
        assertEquals("FALSE", entry().getAttributeValue("ds-pwp-account-disabled"));

        systems.admin.setEnabled(id, false);
        poll();
        assertEquals("TRUE", entry().getAttributeValue("ds-pwp-account-disabled"), "disabled");
        systems.admin.setEnabled(id, true);
        poll();
        assertEquals("FALSE", entry().getAttributeValue("ds-pwp-account-disabled"), "enabled");

        // a lock and a name change in the same minute: both
        systems.admin.lock(id);
        rename(id, "Locked");
        poll();
        assertEquals("Locked", entry().getAttributeValue("givenName"));
        assertNotNull(entry().getAttributeValue("pwdAccountLockedTime"));
        assertEquals(StateStore.Status.SYNCED, systems.state.entry(PipeFixture.PIPE, id).orElseThrow().status());
        assertNull(systems.state.entry(PipeFixture.PIPE, id).orElseThrow().reason());
    }

    /**
     * A connection that writes the account status as attributes (account-status=attributes: a server without the
     * operation) to a server that refuses them: the name change of the same poll is written all the same, and the
     * entry is Partial with the refusal as its reason, not Failed with nothing applied.
     */
    @Test
    void aRefusedAccountStatusDoesNotKeepTheOtherChangesOut() throws Exception {
        systems.restart(PipeFixture.PIPE, "Employees", "mappings/pingone-to-directory.yaml", settings -> settings.withAccountStatus("attributes"));
        start();
        String id = systems.admin.createUser("status.user", "Stat", "Us", "Employees");
        poll();
        assertEquals("Stat", entry().getAttributeValue("givenName"), "created without its status, which the server refused");
        StateStore.EntryState created = systems.state.entry(PipeFixture.PIPE, id).orElseThrow();
        assertEquals("partial", StateStore.category(created, false));
        assertTrue(created.reason().startsWith("the account status (ds-pwp-account-disabled) was not set: LDAP modify of ds-pwp-account-disabled on " + DN),
                created.reason());

        systems.admin.lock(id);
        rename(id, "Locked");
        poll();
        assertEquals("Locked", entry().getAttributeValue("givenName"), "the name change went in");
        assertNull(entry().getAttributeValue("pwdAccountLockedTime"), "the lock did not");
        StateStore.EntryState locked = systems.state.entry(PipeFixture.PIPE, id).orElseThrow();
        assertEquals("partial", StateStore.category(locked, false));
        assertTrue(locked.reason().contains("53 (unwilling to perform)") && locked.reason().contains("pwdAccountLockedTime"), locked.reason());
    }

    private long lastChangeNumber() throws LDAPException {
        try (LDAPConnection ldap = systems.directory.connection()) {
            return Long.parseLong(ldap.getRootDSE().getAttributeValue("lastChangeNumber"));
        }
    }
}

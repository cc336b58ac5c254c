package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import io.idsync.connector.Destination;
import io.idsync.connector.Plan;
import io.idsync.testsupport.Ds389;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Account status as a destination on a real 389 Directory Server, which offers no password policy state operation:
 * its own {@code nsAccountLock}, written as an attribute, locks and unlocks the account (a bind observes it); an
 * account-status attribute 389 does not have is refused alone, the other changes of the entry still written; a
 * mapping that writes {@code entryUUID} is stopped at start, with the fix in words.
 */
class Ds389AccountStatusTest {

    private static final String DN = "uid=dan," + Ds389.PEOPLE;
    private static final String PASSWORD = "dan-secret-1";

    private Ds389 server;
    private LdapDirectory ldap;

    @BeforeEach
    void start() throws Exception {
        Ds389.assumeAvailable();
        server = Ds389.start();
        ldap = new LdapDirectory(new LdapSettings("ds389", server.url(), Ds389.ROOT_DN, Ds389.ROOT_PASSWORD, Ds389.SUFFIX, 2,
                Duration.ofSeconds(2), Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() throws Exception {
        if (ldap != null) {
            ldap.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private boolean canBind() throws LDAPException {
        try (LDAPConnection connection = new LDAPConnection("localhost", server.port())) {
            connection.bind(DN, PASSWORD);
            return true;
        } catch (LDAPException e) {
            return false;
        }
    }

    private static Plan modify(Plan.AttributeChange... changes) {
        return new Plan(Plan.Action.MODIFY, DN, null, Map.of(), List.of(changes));
    }

    private static Plan.AttributeChange replace(String attribute, String value) {
        return new Plan.AttributeChange(attribute, Plan.AttributeChange.Kind.REPLACE, List.of(value));
    }

    private String value(String attribute) throws LDAPException {
        try (LDAPConnection admin = server.connection()) {
            return admin.getEntry(DN, attribute).getAttributeValue(attribute);
        }
    }

    @Test
    void nsAccountLockLocksAndUnlocksAndARefusedStatusAttributeKeepsNothingElseOut() throws Exception {
        assertEquals(AccountStatus.Dialect.ATTRIBUTES, ldap.accountStatus().dialect(), "389 lists no password policy state operation");
        Map<String, List<String>> dan = new LinkedHashMap<>();
        dan.put("objectClass", List.of("top", "person", "organizationalPerson", "inetOrgPerson"));
        dan.put("uid", List.of("dan"));
        dan.put("cn", List.of("Dan"));
        dan.put("sn", List.of("Dan"));
        dan.put("givenName", List.of("Dan"));
        dan.put("userPassword", List.of(PASSWORD));
        dan.put("nsAccountLock", List.of("FALSE"));
        assertNull(ldap.apply(new Plan(Plan.Action.CREATE, DN, null, dan, List.of())).caveat());
        assertTrue(canBind(), "created unlocked");

        ldap.apply(modify(replace("nsAccountLock", "TRUE"), replace("givenName", "Daniel")));
        assertEquals("Daniel", value("givenName"));
        assertTrue(!canBind(), "locked: 389 refuses the bind");
        ldap.apply(modify(replace("nsAccountLock", "FALSE")));
        assertTrue(canBind(), "unlocked");

        // PingDirectory's attribute on a 389: refused alone, the rename of the same plan written
        Destination.Written written = ldap.apply(modify(replace("ds-pwp-account-disabled", "TRUE"), replace("givenName", "Dan")));
        assertEquals("Dan", value("givenName"), "the other change went in");
        assertTrue(written.caveat() != null && written.caveat().startsWith("the account status (ds-pwp-account-disabled) was not set: LDAP modify"
                + " of ds-pwp-account-disabled on " + DN), String.valueOf(written.caveat()));

        // a refusal of anything else is the entry's failure, as before
        assertThrows(io.idsync.connector.EntryRejected.class, () -> ldap.apply(modify(replace("seeAlso", "not a DN"), replace("givenName", "X"))));
    }

    @Test
    void aMappingThatWritesEntryUuidIsStoppedAtStartWithTheFix() {
        List<String> problems = ldap.schemaProblems(List.of("uid", "entryUUID", "givenName"), List.of("inetOrgPerson")).orElseThrow();
        assertEquals(List.of(server.url() + " assigns entryUUID itself (NO-USER-MODIFICATION) and does not take the ignore-NO-USER-MODIFICATION"
                + " control: remove the entryUUID line from the mapping and correlate by uid (or another attribute the mapping writes)"), problems);
    }
}

package io.idsync.connector.ldap;

import io.idsync.connector.ConnectionCheck;
import io.idsync.connector.SourceEntry;
import io.idsync.connector.SystemUnavailable;
import io.idsync.testsupport.Slapd;
import io.idsync.testsupport.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LDAP over TLS against a real slapd whose certificates the test makes (openssl): a certificate for 127.0.0.1 signed by
 * a test CA, served on 127.0.0.1 and 127.0.0.2. Reached as 127.0.0.1 with the CA as {@code ca-file}, LDAPS and StartTLS
 * read the directory; reached as 127.0.0.2 (a name the certificate does not carry) or with another CA as trust, the
 * connection is refused during the handshake, saying why, and slapd logs no bind: the password never left.
 */
class LdapTlsTest {

    private static Path home;
    private static TestCertificates certificates;
    private static Slapd slapd;

    @BeforeAll
    static void start() throws Exception {
        Slapd.assumeAvailable();
        home = Files.createTempDirectory("idsync-tls");
        certificates = TestCertificates.in(home);
        certificates.ca("ca");
        certificates.ca("other-ca");
        certificates.server("server", "ca", "IP:127.0.0.1");
        slapd = Slapd.startWithTls(certificates.path("server.pem"), certificates.path("server.key")).withPeople();
    }

    @AfterAll
    static void stop() throws Exception {
        if (slapd != null) {
            slapd.close();
        }
    }

    private static LdapDirectory directory(String url, LdapSettings.Tls tls) {
        return new LdapDirectory(new LdapSettings("secure", url, Slapd.ROOT_DN, Slapd.ROOT_PASSWORD, Slapd.SUFFIX, 2,
                Duration.ofSeconds(5), Duration.ofSeconds(10)).withTls(tls));
    }

    private static LdapSettings.Tls trusting(String caFile, boolean startTls, boolean verifyHostName) {
        return new LdapSettings.Tls(startTls, null, null, certificates.path(caFile).toString(), verifyHostName);
    }

    private static List<String> peopleOver(LdapDirectory ldap) {
        LdapEntrySource source = new LdapEntrySource(ldap, LdapSourceSettings.users(null, Slapd.PEOPLE, "(objectClass=inetOrgPerson)",
                "entryUUID", "ds-pwp-account-disabled"));
        List<String> uids = new ArrayList<>();
        source.scan().forEachRemaining((SourceEntry entry) -> uids.add(entry.document().path("uid").asText()));
        uids.sort(null);
        return uids;
    }

    @Test
    void ldapsWithTheRightCaAndNameReadsTheDirectory() throws Exception {
        try (LdapDirectory ldap = directory("ldaps://127.0.0.1:" + slapd.ldapsPort(), trusting("ca.pem", false, true))) {
            assertEquals(List.of("ann", "ben", "cat"), peopleOver(ldap));
            List<ConnectionCheck> checks = ldap.test();
            assertTrue(checks.stream().allMatch(ConnectionCheck::passed), checks.toString());
            assertTrue(checks.get(0).detail().contains("LDAPS") && checks.get(0).detail().contains("host name verified"), checks.toString());
        }
        assertTrue(slapd.binds() > 0, "slapd's log shows binds (so a test that finds none is telling)");
    }

    @Test
    void startTlsWithTheRightCaAndNameReadsTheDirectory() throws Exception {
        try (LdapDirectory ldap = directory("ldap://127.0.0.1:" + slapd.port(), trusting("ca.pem", true, true))) {
            assertEquals(List.of("ann", "ben", "cat"), peopleOver(ldap));
            assertTrue(ldap.test().get(0).detail().startsWith("StartTLS"), ldap.test().toString());
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefusedBeforeAnyBind() throws Exception {
        for (String url : List.of("ldaps://127.0.0.2:" + slapd.ldapsPort(), "ldap://127.0.0.2:" + slapd.port())) {
            boolean startTls = url.startsWith("ldap:");
            refusedBeforeAnyBind(url, trusting("ca.pem", startTls, true),
                    message -> message.contains("the server at 127.0.0.2:") && message.contains("presented a certificate for 127.0.0.1, not for 127.0.0.2"));
        }
    }

    @Test
    void aChainTheConnectionDoesNotTrustIsRefusedBeforeAnyBind() throws Exception {
        refusedBeforeAnyBind("ldaps://127.0.0.1:" + slapd.ldapsPort(), trusting("other-ca.pem", false, true),
                message -> message.contains("presented a certificate for 127.0.0.1 issued by CN=idsync test ca")
                        && message.contains("not trusted by ca-file " + certificates.path("other-ca.pem")));
        refusedBeforeAnyBind("ldaps://127.0.0.1:" + slapd.ldapsPort(), LdapSettings.Tls.DEFAULT,
                message -> message.contains("not trusted by the JVM's trusted certificates"));
    }

    @Test
    void verifyHostNameFalseConnectsAndSaysSoInTheConnectionTest() {
        try (LdapDirectory ldap = directory("ldaps://127.0.0.2:" + slapd.ldapsPort(), trusting("ca.pem", false, false))) {
            assertEquals(List.of("ann", "ben", "cat"), peopleOver(ldap));
            assertTrue(ldap.test().get(0).detail().contains("host name NOT verified (verify-host-name=false"), ldap.test().toString());
        }
    }

    /** The pipe's error (what a scan throws), and the connection test, say why; slapd saw no bind. */
    private static void refusedBeforeAnyBind(String url, LdapSettings.Tls tls, Function<String, Boolean> saysWhy) throws Exception {
        long bindsBefore = slapd.binds();
        try (LdapDirectory ldap = directory(url, tls)) {
            SystemUnavailable failure = assertThrows(SystemUnavailable.class, () -> peopleOver(ldap));
            assertTrue(saysWhy.apply(failure.getMessage()), url + ": " + failure.getMessage());
            assertFalse(failure.getMessage().contains(Slapd.ROOT_PASSWORD));
            List<ConnectionCheck> checks = ldap.test();
            assertEquals(1, checks.size(), checks.toString());
            assertEquals("TLS", checks.get(0).check());
            assertFalse(checks.get(0).passed());
            assertTrue(saysWhy.apply(checks.get(0).detail()), checks.toString());
        }
        assertEquals(bindsBefore, slapd.binds(), url + ": no bind reached slapd");
    }
}

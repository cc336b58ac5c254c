package io.idsync.e2e;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchResultEntry;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.sandbox.SandboxLauncher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The directory → directory pipes as a deployment adds them, with no Java: config/routes/directory-*-to-directory.yaml,
 * config/mappings/directory-*-to-directory.yaml and their settings in config/application.properties (on in the test
 * profile). Users and groups of ou=People and ou=Groups in the demo directory (cn=changelog) are replicated to the
 * suffix o=replica: what a user observes there.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedSystemsResource.class)
class DirectoryToDirectoryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String SOURCE_PEOPLE = DemoDirectory.PEOPLE_DN;
    private static final String REPLICA_PEOPLE = "ou=People," + DemoDirectory.REPLICA_DN;
    private static final String REPLICA_GROUPS = "ou=Groups," + DemoDirectory.REPLICA_DN;

    @Inject
    SandboxLauncher systems;

    @Test
    void usersAndGroupsTravelToTheOtherSuffixWithMembersAsItsDns() throws Exception {
        try (LDAPConnection ldap = systems.directory().connection()) {
            String alice = "uid=r2d.alice," + SOURCE_PEOPLE;
            String bob = "uid=r2d.bob," + SOURCE_PEOPLE;
            ldap.add("dn: " + alice, "objectClass: inetOrgPerson", "uid: r2d.alice", "cn: Alice Replica", "sn: Replica", "givenName: Alice",
                    "mail: alice@replica.example.com");
            ldap.add("dn: " + bob, "objectClass: inetOrgPerson", "uid: r2d.bob", "cn: Bob Replica", "sn: Replica", "givenName: Bob");
            ldap.add("dn: cn=R2D Team," + DemoDirectory.GROUPS_DN, "objectClass: groupOfNames", "cn: R2D Team", "member: " + alice, "member: " + bob);

            // created, with the same entryUUID; the group's members are the replicas' DNs
            String aliceReplica = "uid=r2d.alice," + REPLICA_PEOPLE;
            String bobReplica = "uid=r2d.bob," + REPLICA_PEOPLE;
            await().atMost(WAIT).until(() -> ldap.getEntry(aliceReplica) != null && ldap.getEntry(bobReplica) != null);
            assertEquals(ldap.getEntry(alice, "entryUUID").getAttributeValue("entryUUID"),
                    ldap.getEntry(aliceReplica, "entryUUID").getAttributeValue("entryUUID"));
            assertEquals("alice@replica.example.com", ldap.getEntry(aliceReplica).getAttributeValue("mail"));
            String team = "cn=R2D Team," + REPLICA_GROUPS;
            await().atMost(WAIT).until(() -> members(ldap, team).equals(Set.of(aliceReplica.toLowerCase(), bobReplica.toLowerCase())));

            // a member leaves the group
            ldap.modify("cn=R2D Team," + DemoDirectory.GROUPS_DN, new Modification(ModificationType.DELETE, "member", bob));
            await().atMost(WAIT).until(() -> members(ldap, team).equals(Set.of(aliceReplica.toLowerCase())));

            // a modify carries only what changed; a new uid is a rename at the destination
            ldap.modify(alice, new Modification(ModificationType.REPLACE, "givenName", "Alicia"));
            await().atMost(WAIT).until(() -> "Alicia".equals(ldap.getEntry(aliceReplica).getAttributeValue("givenName")));
            String uuid = ldap.getEntry(aliceReplica, "entryUUID").getAttributeValue("entryUUID");
            ldap.modifyDN(alice, "uid=r2d.alicia", true);
            String renamed = "uid=r2d.alicia," + REPLICA_PEOPLE;
            await().atMost(WAIT).until(() -> ldap.getEntry(renamed) != null);
            assertNull(ldap.getEntry(aliceReplica), "renamed, not copied");
            assertEquals(uuid, ldap.getEntry(renamed, "entryUUID").getAttributeValue("entryUUID"));

            // account status and deletes
            // disabled as PingDirectory takes it: through the password policy state operation, never a direct write
            ldap.processExtendedOperation(new com.unboundid.ldap.sdk.unboundidds.extensions.PasswordPolicyStateExtendedRequest(bob,
                    com.unboundid.ldap.sdk.unboundidds.extensions.PasswordPolicyStateOperation.createSetAccountDisabledStateOperation(true)));
            await().atMost(WAIT).until(() -> "TRUE".equals(ldap.getEntry(bobReplica, "ds-pwp-account-disabled").getAttributeValue("ds-pwp-account-disabled")));
            ldap.delete(bob);
            await().atMost(WAIT).until(() -> ldap.getEntry(bobReplica) == null);
        }
    }

    private static Set<String> members(LDAPConnection ldap, String group) throws Exception {
        SearchResultEntry entry = ldap.getEntry(group, "member");
        if (entry == null || entry.getAttributeValues("member") == null) {
            return Set.of();
        }
        Set<String> members = new java.util.HashSet<>();
        for (String dn : entry.getAttributeValues("member")) {
            members.add(new com.unboundid.ldap.sdk.DN(dn).toString().toLowerCase());
        }
        return members;
    }
}

package io.idsync.e2e;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.idsync.connector.pingone.PingOneClient;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.sandbox.SandboxLauncher;
import io.idsync.testsupport.SandboxAdmin;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.awaitility.Awaitility.await;

/**
 * The group pipe with a PingOne source as shipped ({@code routes/pingone-groups-to-directory.yaml}, on in the test
 * profile): a member added to a PingOne group shows up as the DN of that user's entry in the directory's group,
 * and leaves it when removed.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedSystemsResource.class)
class PingOneGroupsToDirectoryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    SandboxLauncher systems;

    @Test
    void aMemberAddedInPingOneJoinsTheDirectoryGroupAsItsDn() throws Exception {
        SandboxAdmin admin = SandboxAdmin.demoAdmin(systems.pingOne().baseUrl());
        String support = admin.client().get("/groups?filter=" + PingOneClient.encode("name eq \"Support\"")).body()
                .path("_embedded").path("groups").path(0).path("id").asText();
        String userId = admin.client().get("/users?filter=" + PingOneClient.encode("username sw \"e000042.\"")).body()
                .path("_embedded").path("users").path(0).path("id").asText();
        try (LDAPConnection ldap = systems.directory().connection()) {
            await().atMost(WAIT).until(() -> ldap.searchForEntry(DemoDirectory.PEOPLE_DN, SearchScope.ONE, "(entryUUID=" + userId + ")") != null);
            String dn = ldap.searchForEntry(DemoDirectory.PEOPLE_DN, SearchScope.ONE, "(entryUUID=" + userId + ")").getParsedDN().toNormalizedString();
            admin.client().send("POST", "/users/" + userId + "/memberOfGroups", SandboxAdmin.JSON.createObjectNode().put("id", support), null);
            String group = "cn=Support," + DemoDirectory.PINGONE_GROUPS_DN;
            await().atMost(WAIT).until(() -> members(ldap, group).contains(dn));
            admin.client().deleteIfPresent("/users/" + userId + "/memberOfGroups/" + support);
            await().atMost(WAIT).until(() -> !members(ldap, group).contains(dn));
        }
    }

    private static Set<String> members(LDAPConnection ldap, String group) throws Exception {
        SearchResultEntry entry = ldap.getEntry(group, "member");
        Set<String> members = new HashSet<>();
        if (entry != null && entry.getAttributeValues("member") != null) {
            for (String dn : entry.getAttributeValues("member")) {
                members.add(new DN(dn).toNormalizedString());
            }
        }
        return members;
    }
}

package io.idsync.pipe;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.idsync.connector.ldap.LdapDirectory;
import io.idsync.connector.ldap.LdapEntrySource;
import io.idsync.connector.ldap.LdapSettings;
import io.idsync.connector.ldap.LdapSourceSettings;
import io.idsync.connector.pingone.PingOneUserDestination;
import io.idsync.mapping.MappingFile;
import io.idsync.testsupport.RoadFixture;
import io.idsync.testsupport.RoadRouteTest;
import io.idsync.testsupport.ProvisioningFixture;
import io.idsync.testsupport.Slapd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The provisioning pipe as shipped ({@code routes/directory-to-pingone.yaml}, the shipped mapping) with a
 * real OpenLDAP {@code slapd} as the datastore: no changelog, so changes come from modifyTimestamp and a
 * delete from the reconciliation. Skipped, with the reason, where Debian's {@code slapd} is not installed.
 */
class OpenLdapToPingOneRouteTest extends RoadRouteTest {

    private static final String PEOPLE = Slapd.PEOPLE;
    private static final String GROUP = Slapd.PROVISIONING_GROUP;

    private Slapd slapd;
    private LdapDirectory ldap;
    private ProvisioningFixture systems;

    @Override
    protected RoadFixture fixture() {
        return systems;
    }

    @Override
    protected void doPreSetup() throws Exception {
        Slapd.assumeAvailable();
        slapd = Slapd.start().withPeople();
        systems = new ProvisioningFixture();
        ldap = new LdapDirectory(new LdapSettings("openldap", slapd.url(), Slapd.ROOT_DN, Slapd.ROOT_PASSWORD, Slapd.SUFFIX, 2,
                Duration.ofSeconds(2), Duration.ofSeconds(5)));
        LdapEntrySource source = new LdapEntrySource(ldap, LdapSourceSettings.users(GROUP, null, null, "entryUUID", "ds-pwp-account-disabled"));
        systems.pipes.register(new Pipe(ProvisioningFixture.USERS, io.idsync.connector.EntryType.USER, source, source, new PingOneUserDestination(systems.client(), "Corp"),
                MappingFile.load("mappings/directory-to-pingone.yaml"), systems.state));
    }


    @AfterEach
    void closeSystems() throws Exception {
        if (ldap != null) {
            ldap.close();
        }
        if (systems != null) {
            systems.close();
        }
        if (slapd != null) {
            slapd.close();
        }
    }

    private void poll() {
        template.sendBody("direct:poll-" + ProvisioningFixture.USERS, null);
    }

    @Test
    void openLdapUsersAreProvisionedUpdatedAndDeprovisioned() throws Exception {
        systems.loadRoutes(context, ProvisioningFixture.USERS);
        context.start();
        poll();
        assertEquals(Set.of("ann", "ben"), systems.corpUsernames(), "the group's members, by uid; cat is not one");
        assertTrue(systems.pipes.get(ProvisioningFixture.USERS).state().checkpoint(ProvisioningFixture.USERS).orElseThrow().startsWith("csn:"),
                "slapd has no changelog: its entryCSN is followed");

        try (LDAPConnection admin = slapd.connection()) {
            admin.modify(GROUP, new Modification(ModificationType.ADD, "member", "uid=cat," + PEOPLE));
            admin.modify("uid=ann," + PEOPLE, new Modification(ModificationType.REPLACE, "sn", "Changed"));
            admin.modify("uid=ben," + PEOPLE, new Modification(ModificationType.REPLACE, "description", "not mapped"));
        }
        long modifiedBefore = systems.pipes.get(ProvisioningFixture.USERS).counters().get("modified");
        poll();
        assertTrue(systems.corpUsernames().contains("cat"), "joined the group: created");
        assertEquals("Changed", systems.user("ann").path("name").path("family").asText(), "a mapped attribute: PATCHed");
        assertEquals(modifiedBefore + 1, systems.pipes.get(ProvisioningFixture.USERS).counters().get("modified"),
                "ben's unmapped change made no call");

        try (LDAPConnection admin = slapd.connection()) {
            admin.modify(GROUP, new Modification(ModificationType.DELETE, "member", "uid=ben," + PEOPLE));
            admin.delete("uid=ben," + PEOPLE);
        }
        poll();
        template.sendBody("direct:reconcile-" + ProvisioningFixture.USERS, null);
        assertFalse(systems.user("ben").path("enabled").asBoolean(), "deleted in slapd: disabled in PingOne (remove action disable)");
        assertTrue(systems.user("ann").path("enabled").asBoolean());
    }
}

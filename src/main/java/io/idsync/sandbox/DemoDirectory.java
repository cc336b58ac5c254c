package io.idsync.sandbox;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.schema.Schema;
import com.unboundid.ldif.LDIFException;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;

/**
 * The demo directory: a real LDAP server (the UnboundID in-memory directory server) with a changelog
 * ({@code cn=changelog}), entryUUID generated on add (or accepted from the client with the
 * ignore-NO-USER-MODIFICATION control, as PingDirectory does) and PingDirectory's account status, set only through
 * the Password Policy State extended operation (see {@link PasswordPolicyStateEmulation}).
 * Its AD-style subtrees ({@code ou=Corp}, {@code ou=Groups}) behave as a domain controller's do: update
 * sequence numbers and {@code memberOf} (see {@link ActiveDirectoryEmulation}). Demo and tests only.
 */
public final class DemoDirectory implements AutoCloseable {

    public static final String BASE_DN = "dc=example,dc=com";
    public static final String PEOPLE_DN = "ou=People," + BASE_DN;
    public static final String GROUPS_DN = "ou=Groups," + BASE_DN;
    /** Where the groups of PingOne go (pipe pingone-groups-to-directory), apart from the directory's own. */
    public static final String PINGONE_GROUPS_DN = "ou=PingOne Groups," + BASE_DN;
    /** A second suffix, empty but for ou=People and ou=Groups: where the directory → directory pipes replicate to. */
    public static final String REPLICA_DN = "o=replica";

    /** @param port 0 picks a free port; {@code changelogSize} bounds {@code cn=changelog} */
    public record Settings(int port, String bindDn, String bindPassword, int changelogSize) {
        public static Settings defaults(int port) {
            return new Settings(port, "cn=Directory Manager", "demo-password", 100_000);
        }
    }

    private final InMemoryDirectoryServer server;

    public DemoDirectory(Settings settings) {
        try {
            InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE_DN, REPLICA_DN);
            config.addAdditionalBindCredentials(settings.bindDn(), settings.bindPassword());
            config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("default", InetAddress.getLoopbackAddress(), settings.port(), null));
            config.setMaxChangeLogEntries(settings.changelogSize());
            config.setSchema(Schema.mergeSchemas(Schema.getDefaultStandardSchema(), schema("sandbox/pingdirectory-schema.ldif")));
            config.setEqualityIndexAttributes("entryUUID", "uid", "mail", "cn", "member", "sAMAccountName", "objectGUID");
            config.setEnforceAttributeSyntaxCompliance(true);
            config.setEnforceSingleStructuralObjectClass(true);
            ActiveDirectoryEmulation activeDirectory = new ActiveDirectoryEmulation(DemoSeed.CORP_DN, GROUPS_DN);
            config.addInMemoryOperationInterceptor(activeDirectory);
            config.addInMemoryOperationInterceptor(new PasswordPolicyStateEmulation());
            config.addExtendedOperationHandler(new PasswordPolicyStateEmulation.Handler());
            server = new InMemoryDirectoryServer(config);
            activeDirectory.attach(server);
        } catch (LDAPException | LDIFException | IOException e) {
            throw new IllegalStateException("The demo directory cannot be configured: " + e.getMessage(), e);
        }
    }

    private static Schema schema(String resource) throws IOException, LDIFException {
        try (InputStream in = DemoDirectory.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("schema resource " + resource + " is missing");
            }
            return Schema.getSchema(in);
        }
    }

    public DemoDirectory start() {
        try {
            server.startListening();
            try (LDAPConnection connection = server.getConnection()) {
                connection.add("dn: " + BASE_DN, "objectClass: top", "objectClass: domain", "dc: example");
                connection.add("dn: " + PEOPLE_DN, "objectClass: top", "objectClass: organizationalUnit", "ou: People");
                connection.add("dn: " + GROUPS_DN, "objectClass: top", "objectClass: organizationalUnit", "ou: Groups");
                connection.add("dn: " + PINGONE_GROUPS_DN, "objectClass: top", "objectClass: organizationalUnit", "ou: PingOne Groups");
                connection.add("dn: " + REPLICA_DN, "objectClass: top", "objectClass: organization", "o: replica");
                connection.add("dn: ou=People," + REPLICA_DN, "objectClass: top", "objectClass: organizationalUnit", "ou: People");
                connection.add("dn: ou=Groups," + REPLICA_DN, "objectClass: top", "objectClass: organizationalUnit", "ou: Groups");
            }
            return this;
        } catch (LDAPException | LDIFException e) {
            throw new IllegalStateException("The demo directory cannot start: " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getListenPort();
    }

    public String url() {
        return "ldap://localhost:" + port();
    }

    /** A direct connection for tests and seeding; the caller closes it. */
    public LDAPConnection connection() {
        try {
            return server.getConnection();
        } catch (LDAPException e) {
            throw new IllegalStateException(e);
        }
    }

    public InMemoryDirectoryServer server() {
        return server;
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}

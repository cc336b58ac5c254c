package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import io.idsync.connector.Connector;
import io.idsync.connector.ConnectorKind;
import io.idsync.connector.Settings;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code type=ldap}: an LDAP directory (PingDirectory, OpenLDAP, 389 DS, Active Directory). Its keys under
 * {@code idsync.connections.<name>.}:
 * <pre>
 * url                 ldap://host:port or ldaps://host:port               (required)
 * bind-dn, bind-password  the account idsync binds as                      (required)
 * base-dn             where correlation searches and reads look            (required)
 * pool-size           connections kept open (8)
 * id-attribute        what names an entry through renames: entryUUID, or objectGUID on AD
 * disabled-attribute  TRUE marks a disabled account (ds-pwp-account-disabled)
 * change-detection    auto, changelog, usn, entry-csn, modify-timestamp
 * page-size           entries per page of a paged search (500)
 * connect-timeout, response-timeout   (10s, 30s)
 * start-tls           StartTLS on an ldap:// URL before the bind (false)
 * trust-store, trust-store-password   a JKS or PKCS#12 file of the certificates to trust (default: the JVM's)
 * ca-file             or a PEM file of CA certificates to trust
 * verify-host-name    whether the certificate must name the URL's host (true; false only in a lab, with a WARN)
 * account-status      as a destination: auto, password-policy-state or attributes (see AccountStatus)
 * </pre>
 */
@ApplicationScoped
public class LdapKind implements ConnectorKind {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(LdapKind.class);

    public static final String TYPE = "ldap";
    private static final List<String> CHANGE_DETECTION = List.of("auto", "changelog", "usn", "entry-csn", "modify-timestamp");

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> problems(Settings connection) {
        List<String> problems = new ArrayList<>(connection.missing("url", "bind-dn", "bind-password", "base-dn"));
        String url = connection.optional("url").orElse(null);
        if (url != null) {
            try {
                new LDAPURL(url);
            } catch (LDAPException e) {
                problems.add(connection.prefix() + "url '" + url + "' is not an LDAP URL (ldap://host:port or ldaps://host:port): "
                        + e.getExceptionMessage());
            }
        }
        String detection = connection.text("change-detection", "auto");
        if (!CHANGE_DETECTION.contains(detection)) {
            problems.add(connection.prefix() + "change-detection is '" + detection + "'; use one of " + String.join(", ", CHANGE_DETECTION));
        }
        String accountStatus = connection.text("account-status", "auto");
        if (!AccountStatus.SETTINGS.contains(accountStatus)) {
            problems.add(connection.prefix() + "account-status is '" + accountStatus + "'; use one of " + String.join(", ", AccountStatus.SETTINGS));
        }
        problems.addAll(Settings.invalidIn(() -> settings(connection.name(), connection)));
        if (connection.bool("start-tls", false) && url != null && url.toLowerCase(java.util.Locale.ROOT).startsWith("ldaps:")) {
            problems.add(connection.prefix() + "start-tls is true on an ldaps:// URL, which is TLS already: use ldap:// with start-tls, or ldaps:// alone");
        }
        problems.addAll(Settings.invalidIn(() -> io.idsync.connector.TlsTrust.of(connection)));
        return problems;
    }

    @Override
    public Connector open(String name, Settings connection) {
        if (!connection.bool("verify-host-name", true)) {
            LOG.warnf("connection '%s': verify-host-name=false: the LDAP server's certificate is not checked against the host name of %s;"
                    + " any server holding a certificate that the trust accepts can read the bind password. For a lab only", name, connection.text("url", ""));
        }
        return new LdapConnector(new LdapDirectory(settings(name, connection)), connection.text("id-attribute", "entryUUID"),
                connection.text("disabled-attribute", "ds-pwp-account-disabled"), connection.text("change-detection", "auto"));
    }

    private static LdapSettings settings(String name, Settings c) {
        return new LdapSettings(name, c.text("url", null), c.text("bind-dn", null), c.text("bind-password", null), c.text("base-dn", null),
                c.integer("pool-size", 8), c.duration("connect-timeout", "10s"), c.duration("response-timeout", "30s"),
                c.integer("page-size", LdapSettings.DEFAULT_PAGE_SIZE),
                new LdapSettings.Tls(c.bool("start-tls", false), c.text("trust-store", null), c.text("trust-store-password", null),
                        c.text("ca-file", null), c.bool("verify-host-name", true)), c.text("account-status", "auto"));
    }
}

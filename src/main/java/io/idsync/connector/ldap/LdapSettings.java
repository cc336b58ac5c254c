package io.idsync.connector.ldap;

import java.time.Duration;

/**
 * An LDAP connection ({@code idsync.connections.<name>.*} with {@code type=ldap}).
 *
 * @param url      {@code ldap://host:port} or {@code ldaps://host:port}
 * @param baseDn   where correlation searches look
 * @param poolSize connections kept open; writes from parallel workers share them
 * @param pageSize entries per page of a paged search (scans, change feeds): at most what the server allows
 *                 (Active Directory's MaxPageSize is 1,000)
 * @param tls      how the connection is encrypted and whom it trusts
 * @param accountStatus how the server takes account status: auto (from its root DSE), password-policy-state, attributes
 */
public record LdapSettings(String name, String url, String bindDn, String bindPassword, String baseDn, int poolSize,
                           Duration connectTimeout, Duration responseTimeout, int pageSize, Tls tls, String accountStatus) {

    public static final int DEFAULT_PAGE_SIZE = 500;

    /**
     * TLS: {@code ldaps://} or StartTLS on {@code ldap://}; the server's certificate is checked against the connection's
     * own trust (a trust store, or a PEM file of CA certificates; by default the JVM's) and its host name (RFC 6125).
     *
     * @param startTls           StartTLS on an {@code ldap://} URL, before the bind
     * @param trustStore         a JKS or PKCS#12 file of the certificates to trust, or null
     * @param trustStorePassword its password, or null
     * @param caFile             a PEM file of CA certificates to trust, or null
     * @param verifyHostName     whether the certificate must name the host of the URL; off only in a lab
     */
    public record Tls(boolean startTls, String trustStore, String trustStorePassword, String caFile, boolean verifyHostName) {

        public static final Tls DEFAULT = new Tls(false, null, null, null, true);

        @Override
        public String toString() {
            return "Tls[startTls=" + startTls + ", trustStore=" + trustStore + ", caFile=" + caFile + ", verifyHostName=" + verifyHostName + "]";
        }
    }

    public LdapSettings(String name, String url, String bindDn, String bindPassword, String baseDn, int poolSize,
                        Duration connectTimeout, Duration responseTimeout) {
        this(name, url, bindDn, bindPassword, baseDn, poolSize, connectTimeout, responseTimeout, DEFAULT_PAGE_SIZE, Tls.DEFAULT, "auto");
    }

    public LdapSettings(String name, String url, String bindDn, String bindPassword, String baseDn, int poolSize,
                        Duration connectTimeout, Duration responseTimeout, int pageSize, Tls tls) {
        this(name, url, bindDn, bindPassword, baseDn, poolSize, connectTimeout, responseTimeout, pageSize, tls, "auto");
    }

    public LdapSettings withBaseDn(String otherBaseDn) {
        return new LdapSettings(name, url, bindDn, bindPassword, otherBaseDn, poolSize, connectTimeout, responseTimeout, pageSize, tls, accountStatus);
    }

    public LdapSettings withAccountStatus(String other) {
        return new LdapSettings(name, url, bindDn, bindPassword, baseDn, poolSize, connectTimeout, responseTimeout, pageSize, tls, other);
    }

    public LdapSettings withTls(Tls other) {
        return new LdapSettings(name, url, bindDn, bindPassword, baseDn, poolSize, connectTimeout, responseTimeout, pageSize, other, accountStatus);
    }

    @Override
    public String toString() {
        return "LdapSettings[name=" + name + ", url=" + url + ", bindDn=" + bindDn + ", baseDn=" + baseDn + ", accountStatus=" + accountStatus + ", " + tls + "]";
    }
}

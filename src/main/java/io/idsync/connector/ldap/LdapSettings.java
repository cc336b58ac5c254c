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
 */
public record LdapSettings(String name, String url, String bindDn, String bindPassword, String baseDn, int poolSize,
                           Duration connectTimeout, Duration responseTimeout, int pageSize) {

    public static final int DEFAULT_PAGE_SIZE = 500;

    public LdapSettings(String name, String url, String bindDn, String bindPassword, String baseDn, int poolSize,
                        Duration connectTimeout, Duration responseTimeout) {
        this(name, url, bindDn, bindPassword, baseDn, poolSize, connectTimeout, responseTimeout, DEFAULT_PAGE_SIZE);
    }

    public LdapSettings withBaseDn(String otherBaseDn) {
        return new LdapSettings(name, url, bindDn, bindPassword, otherBaseDn, poolSize, connectTimeout, responseTimeout, pageSize);
    }

    @Override
    public String toString() {
        return "LdapSettings[name=" + name + ", url=" + url + ", bindDn=" + bindDn + ", baseDn=" + baseDn + "]";
    }
}

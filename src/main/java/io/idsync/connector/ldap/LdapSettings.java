package io.idsync.connector.ldap;

import java.time.Duration;

/**
 * An LDAP connection ({@code idsync.connections.<name>.*} with {@code type=ldap}).
 *
 * @param url      {@code ldap://host:port} or {@code ldaps://host:port}
 * @param baseDn   where correlation searches look
 * @param poolSize connections kept open; writes from parallel workers share them
 */
public record LdapSettings(String name, String url, String bindDn, String bindPassword, String baseDn, int poolSize,
                           Duration connectTimeout, Duration responseTimeout) {

    public LdapSettings withBaseDn(String otherBaseDn) {
        return new LdapSettings(name, url, bindDn, bindPassword, otherBaseDn, poolSize, connectTimeout, responseTimeout);
    }

    @Override
    public String toString() {
        return "LdapSettings[name=" + name + ", url=" + url + ", bindDn=" + bindDn + ", baseDn=" + baseDn + "]";
    }
}

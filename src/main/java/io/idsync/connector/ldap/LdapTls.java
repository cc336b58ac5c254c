package io.idsync.connector.ldap;

import io.idsync.connector.TlsTrust;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import java.security.cert.CertificateException;

/**
 * TLS of one LDAP connection ({@code ldaps://}, or StartTLS on {@code ldap://}): the connection's own trust
 * ({@link TlsTrust}) and the server's host name (RFC 6125, as {@code ldapsearch} checks it), both checked by the JDK
 * during the handshake, before the bind: a server that fails them never sees the bind password. (The UnboundID SDK
 * checks no host name unless told, and its own check accepts any certificate from a loopback address.)
 */
final class LdapTls {

    private final LdapSettings settings;
    private volatile SSLSocketFactory factory;

    LdapTls(LdapSettings settings) {
        this.settings = settings;
    }

    /** Whether the connection speaks TLS at all. */
    boolean enabled() {
        return settings.url().toLowerCase(java.util.Locale.ROOT).startsWith("ldaps:") || settings.tls().startTls();
    }

    /**
     * The socket factory of the connection's trust, made once: its sockets check the server's certificate chain and,
     * unless {@code verify-host-name=false}, its host name by the JDK's LDAPS rules (an IP address matches only an IP
     * address entry, loopback included), during the handshake, for LDAPS and StartTLS alike.
     *
     * @throws io.idsync.connector.Settings.Invalid when the trust store or CA file cannot be read
     */
    SSLSocketFactory socketFactory() {
        SSLSocketFactory current = factory;
        if (current == null) {
            LdapSettings.Tls tls = settings.tls();
            current = TlsTrust.of("idsync.connections." + settings.name() + ".", tls.trustStore(), tls.trustStorePassword(), tls.caFile())
                    .socketFactory(tls.verifyHostName() ? "LDAPS" : null);
            factory = current;
        }
        return current;
    }

    /** For the connection test: what was verified, in words. */
    String describe() {
        LdapSettings.Tls tls = settings.tls();
        String trust = tls.trustStore() != null ? "trust-store " + tls.trustStore() : tls.caFile() != null ? "ca-file " + tls.caFile() : "the JVM's trusted certificates";
        return (tls.startTls() ? "StartTLS" : "LDAPS") + "; certificate chain checked against " + trust + "; "
                + (tls.verifyHostName() ? "host name verified" : "host name NOT verified (verify-host-name=false: for a lab only)");
    }

    /**
     * The TLS reason of a failed connect or StartTLS in an administrator's words (whose certificate, made out to whom,
     * trusted by what), or null when TLS is not what failed.
     */
    static String problem(Throwable failure, String hostAndPort) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (cause instanceof CertificateException && message != null && message.startsWith("the server presented")) {
                return "the server at " + hostAndPort + message.substring("the server".length()) + ": the connection was closed before any bind";
            }
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLException) {
                return "the TLS handshake with " + hostAndPort + " failed (" + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                        + "): the server does not speak TLS there, or no protocol or cipher is common to both";
            }
        }
        return null;
    }
}

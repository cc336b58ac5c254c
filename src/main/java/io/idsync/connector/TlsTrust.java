package io.idsync.connector;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Whom a connection trusts when it speaks TLS: the certificates of its own trust store ({@code trust-store}, JKS or
 * PKCS#12, with {@code trust-store-password}), of a PEM file of CA certificates ({@code ca-file}: a directory or SCIM
 * provider behind a private CA, for that connection only), or by default the JVM's (which honours
 * {@code javax.net.ssl.trustStore}). A chain it refuses fails the handshake with a sentence an administrator acts on:
 * whose certificate, issued by whom, and what it was checked against. Host names are checked by the caller (the
 * HTTP client's endpoint identification, the LDAP connection's {@code HostNameSSLSocketVerifier}).
 */
public final class TlsTrust {

    private final X509ExtendedTrustManager trust;
    private final String source;

    private TlsTrust(X509ExtendedTrustManager trust, String source) {
        this.trust = trust;
        this.source = source;
    }

    /**
     * The trust of a connection's settings: {@code trust-store} (+ {@code trust-store-password}), {@code ca-file}, or
     * neither (the JVM's).
     *
     * @throws Settings.Invalid when a file cannot be read or holds no certificate; the message names the key and the file,
     *                          never the password
     */
    public static TlsTrust of(Settings connection) {
        return of(connection.prefix(), connection.optional("trust-store").orElse(null), connection.optional("trust-store-password").orElse(null),
                connection.optional("ca-file").orElse(null));
    }

    /**
     * As {@link #of(Settings)}, from the values.
     *
     * @param prefix the connection's key prefix, for messages
     * @throws Settings.Invalid when a file cannot be read or holds no certificate
     */
    public static TlsTrust of(String prefix, String trustStore, String password, String caFile) {
        if (trustStore != null && caFile != null) {
            throw new Settings.Invalid(prefix + "trust-store and " + prefix + "ca-file are both set; use one");
        }
        try {
            if (trustStore != null) {
                KeyStore store = KeyStore.getInstance(trustStore.toLowerCase(java.util.Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12");
                try (InputStream in = Files.newInputStream(Path.of(trustStore))) {
                    store.load(in, password == null ? null : password.toCharArray());
                }
                return new TlsTrust(managerOf(store), "trust-store " + trustStore);
            }
            if (caFile != null) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                Collection<? extends Certificate> certificates;
                try (InputStream in = Files.newInputStream(Path.of(caFile))) {
                    certificates = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
                }
                if (certificates.isEmpty()) {
                    throw new Settings.Invalid(prefix + "ca-file " + caFile + " holds no PEM certificate");
                }
                int i = 0;
                for (Certificate certificate : certificates) {
                    store.setCertificateEntry("ca-" + i++, certificate);
                }
                return new TlsTrust(managerOf(store), "ca-file " + caFile);
            }
            return new TlsTrust(managerOf(null), "the JVM's trusted certificates");
        } catch (IOException | GeneralSecurityException e) {
            String key = trustStore != null ? "trust-store " + trustStore : "ca-file " + caFile;
            throw new Settings.Invalid(prefix + key + " cannot be read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage().replaceAll("(?i)password[^ ]*", "password")));
        }
    }

    /** The JVM's trust, for a connection without settings of its own. */
    public static TlsTrust jvm() {
        try {
            return new TlsTrust(managerOf(null), "the JVM's trusted certificates");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no default trust manager", e);
        }
    }

    private static X509ExtendedTrustManager managerOf(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    /** What the certificates are checked against, for messages and the connection test. */
    public String source() {
        return source;
    }

    /** An SSL context that trusts what this trust does (and explains what it refuses). */
    public SSLContext context() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{new Explaining()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM", e);
        }
    }

    /**
     * A socket factory of this trust whose sockets check the peer's host name in the handshake, by the JDK's rules for
     * {@code algorithm} ({@code LDAPS}: RFC 2830/6125, an IP address only matching an IP address entry), or not at all
     * for a null algorithm. Layered sockets (StartTLS) are checked alike.
     */
    public SSLSocketFactory socketFactory(String algorithm) {
        SSLSocketFactory plain = context().getSocketFactory();
        return algorithm == null ? plain : new IdentifyingSocketFactory(plain, algorithm);
    }

    /** Sets the endpoint identification algorithm on every socket it makes, before its handshake. */
    private static final class IdentifyingSocketFactory extends SSLSocketFactory {
        private final SSLSocketFactory delegate;
        private final String algorithm;

        IdentifyingSocketFactory(SSLSocketFactory delegate, String algorithm) {
            this.delegate = delegate;
            this.algorithm = algorithm;
        }

        private Socket identifying(Socket socket) {
            if (socket instanceof javax.net.ssl.SSLSocket ssl) {
                javax.net.ssl.SSLParameters parameters = ssl.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm(algorithm);
                ssl.setSSLParameters(parameters);
            }
            return socket;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return identifying(delegate.createSocket());
        }

        @Override
        public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
            return identifying(delegate.createSocket(socket, host, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return identifying(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, java.net.InetAddress local, int localPort) throws IOException {
            return identifying(delegate.createSocket(host, port, local, localPort));
        }

        @Override
        public Socket createSocket(java.net.InetAddress host, int port) throws IOException {
            return identifying(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(java.net.InetAddress address, int port, java.net.InetAddress local, int localPort) throws IOException {
            return identifying(delegate.createSocket(address, port, local, localPort));
        }
    }

    /** The names a certificate is made out to: its DNS and IP subject alternative names, else its subject's CN. */
    public static String names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> name : alternatives) {
                    Object type = name.get(0);
                    if (Integer.valueOf(2).equals(type) || Integer.valueOf(7).equals(type)) {
                        names.add(String.valueOf(name.get(1)));
                    }
                }
            }
        } catch (CertificateException e) {
            // fall back to the subject
        }
        if (names.isEmpty()) {
            String subject = certificate.getSubjectX500Principal().getName();
            java.util.regex.Matcher cn = java.util.regex.Pattern.compile("(?i)(?:^|,)CN=([^,]+)").matcher(subject);
            names.add(cn.find() ? cn.group(1) : subject);
        }
        return String.join(", ", names);
    }

    /** The JDK's checks, whose refusals say whose certificate, issued by whom, was refused against what. */
    private final class Explaining extends X509ExtendedTrustManager {

        private CertificateException explained(X509Certificate[] chain, CertificateException e, String peerHost) {
            if (chain == null || chain.length == 0) {
                return e;
            }
            X509Certificate leaf = chain[0];
            String what = e.getMessage() != null && e.getMessage().matches("(?s).*(No subject alternative|No name matching).*")
                    ? "a certificate for " + names(leaf) + ", not for " + (peerHost == null ? "the host idsync connected to" : peerHost)
                    : "a certificate for " + names(leaf) + " issued by " + leaf.getIssuerX500Principal().getName()
                    + ", which is not trusted by " + source;
            return new CertificateException("the server presented " + what + " (" + e.getMessage() + ")", e);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            try {
                trust.checkServerTrusted(chain, authType, socket);
            } catch (CertificateException e) {
                throw explained(chain, e, socket instanceof javax.net.ssl.SSLSocket ssl && ssl.getHandshakeSession() != null
                        ? ssl.getHandshakeSession().getPeerHost() : null);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            try {
                trust.checkServerTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                throw explained(chain, e, engine == null ? null : engine.getPeerHost());
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                trust.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                throw explained(chain, e, null);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            trust.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            trust.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            trust.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return trust.getAcceptedIssuers();
        }
    }
}

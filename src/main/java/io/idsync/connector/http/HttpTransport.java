package io.idsync.connector.http;

import io.idsync.connector.TlsTrust;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * How the HTTP connectors (PingOne, SCIM) reach their systems: one JDK client per connection, with the connection's
 * own TLS trust ({@link TlsTrust}) and the JDK's host name check (endpoint identification, on by default).
 * <p>
 * Cleartext requests speak HTTP/1.1. The JDK's client otherwise asks every {@code http://} server to upgrade to h2c,
 * and servers that never answer such a request (Grizzly's, under Jersey and several SCIM servers) leave it waiting for
 * its response timeout on every try; over TLS, HTTP/2 is used where ALPN negotiates it.
 */
public final class HttpTransport {

    private HttpTransport() {
    }

    /** A client for one connection. */
    public static HttpClient client(Duration connectTimeout, TlsTrust trust) {
        return HttpClient.newBuilder().connectTimeout(connectTimeout).sslContext(trust.context()).build();
    }

    /** A request to {@code uri}: HTTP/1.1 when it is cleartext (see the class comment). */
    public static HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        if ("http".equalsIgnoreCase(uri.getScheme())) {
            request.version(HttpClient.Version.HTTP_1_1);
        }
        return request;
    }

    /** Whether a request failed because no answer came within its timeout: the wait is over, and retrying may double a write. */
    public static boolean timedOut(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpTimeoutException && !(cause instanceof java.net.http.HttpConnectTimeoutException)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a request failed because the TLS handshake refused the peer: trying again cannot help. */
    public static boolean refusedPeer(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof javax.net.ssl.SSLHandshakeException) {
                return true;
            }
        }
        return false;
    }

    /** {@code 30 s}, {@code 500 ms}: a timeout as the message says it. */
    public static String seconds(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }
}

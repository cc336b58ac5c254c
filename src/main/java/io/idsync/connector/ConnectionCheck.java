package io.idsync.connector;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import javax.net.ssl.SSLException;

/**
 * One step of testing a connection ({@code POST /api/connections/{name}/test}), in words an administrator acts on:
 * what was tried, whether it worked, and what was found or what to fix. Never a secret.
 */
public record ConnectionCheck(String check, boolean passed, String detail) {

    public static ConnectionCheck passed(String check, String detail) {
        return new ConnectionCheck(check, true, detail);
    }

    public static ConnectionCheck failed(String check, String detail) {
        return new ConnectionCheck(check, false, detail);
    }

    /** Why a request got no answer, as an administrator would say it: the host, the port, TLS or the wait. */
    public static String noAnswer(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnknownHostException) {
                return "the host name is not known (UnknownHostException " + cause.getMessage() + "): check the URL";
            }
            if (cause instanceof ConnectException) {
                return "nothing answers at that host and port (connection refused): check the URL, or whether the service is up";
            }
            if (cause instanceof SSLException) {
                // TlsTrust words a refused certificate (whose, issued by whom, trusted by what); else the server speaks no TLS there
                return cause.getMessage() != null && cause.getMessage().startsWith("the server presented") ? cause.getMessage()
                        : "the TLS handshake failed (" + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                        + "): the server does not speak TLS there, or no protocol or cipher is common to both";
            }
            if (cause instanceof HttpTimeoutException) {
                return "no answer within the response timeout";
            }
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}

package io.idsync.connector.pingone;

import java.time.Duration;

/**
 * A PingOne connection ({@code idsync.connections.<name>.*} with {@code type=pingone}).
 *
 * @param apiUrl                  e.g. {@code https://api.pingone.com/v1}
 * @param authUrl                 the token endpoint, e.g. {@code https://auth.pingone.com/<env>/as/token}
 * @param tokenAuthMethod         how the worker app presents its secret
 * @param pollingOffset           how far behind "now" the activities window ends
 * @param requestsPerSecond       client-side request limit (0 = none)
 * @param refreshToken            with it, the refresh_token grant (seed 002's Grant Type); without, client_credentials
 */
public record PingOneSettings(String name, String apiUrl, String authUrl, String environmentId, String clientId,
                              String clientSecret, TokenAuthMethod tokenAuthMethod, Duration pollingOffset, int requestsPerSecond, int pageSize,
                              Duration connectTimeout, Duration responseTimeout, int maxAttempts, String refreshToken) {

    /** A worker application's connection: the client_credentials grant. */
    public PingOneSettings(String name, String apiUrl, String authUrl, String environmentId, String clientId,
                           String clientSecret, TokenAuthMethod tokenAuthMethod, Duration pollingOffset, int requestsPerSecond, int pageSize,
                           Duration connectTimeout, Duration responseTimeout, int maxAttempts) {
        this(name, apiUrl, authUrl, environmentId, clientId, clientSecret, tokenAuthMethod, pollingOffset, requestsPerSecond, pageSize,
                connectTimeout, responseTimeout, maxAttempts, null);
    }

    public enum TokenAuthMethod {
        BASIC, POST
    }

    @Override
    public String toString() {
        // records print every component; this one holds a secret
        return "PingOneSettings[name=" + name + ", apiUrl=" + apiUrl + ", environmentId=" + environmentId + ", clientId=" + clientId + "]";
    }
}

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
 */
public record PingOneSettings(String name, String apiUrl, String authUrl, String environmentId, String clientId,
                              String clientSecret, TokenAuthMethod tokenAuthMethod, Duration pollingOffset, int requestsPerSecond, int pageSize,
                              Duration connectTimeout, Duration responseTimeout, int maxAttempts) {

    public enum TokenAuthMethod {
        BASIC, POST
    }

    @Override
    public String toString() {
        // records print every component; this one holds a secret
        return "PingOneSettings[name=" + name + ", apiUrl=" + apiUrl + ", environmentId=" + environmentId + ", clientId=" + clientId + "]";
    }
}

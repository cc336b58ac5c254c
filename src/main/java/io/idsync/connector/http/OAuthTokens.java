package io.idsync.connector.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.idsync.connector.AccessRefused;
import io.idsync.connector.SystemUnavailable;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An OAuth 2.0 access token for a connection (the {@code client_credentials} grant, or {@code refresh_token} with a
 * rolling refresh token), cached until shortly before it expires and dropped after a 401. One token request at a time:
 * the requests waiting for it use the one it brings. A refused grant is {@link AccessRefused} at once (no retry can help,
 * and each would cost a token request); no secret is part of any message.
 */
public final class OAuthTokens implements ApiClient.Credentials {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the client authenticates at the token endpoint: HTTP basic, or its id and secret in the form. */
    public enum ClientAuth { BASIC, POST }

    private final String tokenUrl;
    private final String clientId;
    private final String clientSecret;
    private final ClientAuth clientAuth;
    private final String scope;
    private final String label;
    private final String hint;
    private final ReentrantLock lock = new ReentrantLock();
    /** the newest refresh token (a rolling one is spent by the answer that replaces it); null: client_credentials */
    private String refreshToken;
    private volatile String token;
    private volatile Instant expiresAt = Instant.EPOCH;

    /**
     * @param refreshToken the refresh token to start from, or null for the client credentials grant
     * @param label        the token request as messages name it ({@code token request for client x of connection 'y'})
     * @param hint         what to check when the grant is refused
     */
    public OAuthTokens(String tokenUrl, String clientId, String clientSecret, ClientAuth clientAuth, String scope, String refreshToken,
                       String label, String hint) {
        this.tokenUrl = tokenUrl;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.clientAuth = clientAuth;
        this.scope = scope;
        this.refreshToken = refreshToken;
        this.label = label;
        this.hint = hint;
    }

    @Override
    public String authorization(ApiClient client) {
        String current = token;
        if (current != null && Instant.now().isBefore(expiresAt)) {
            return "Bearer " + current;
        }
        lock.lock();
        try {
            if (token == null || !Instant.now().isBefore(expiresAt)) {
                fetch(client);
            }
            return "Bearer " + token;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean renew() {
        lock.lock();
        try {
            token = null;
            expiresAt = Instant.EPOCH;
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void fetch(ApiClient client) {
        StringBuilder form = new StringBuilder(refreshToken == null ? "grant_type=client_credentials"
                : "grant_type=refresh_token&refresh_token=" + encode(refreshToken));
        if (scope != null) {
            form.append("&scope=").append(encode(scope));
        }
        String authorization = null;
        if (clientAuth == ClientAuth.BASIC) {
            authorization = "Basic " + Base64.getEncoder().encodeToString((encode(clientId) + ":" + encode(clientSecret)).getBytes(StandardCharsets.UTF_8));
        } else {
            form.append("&client_id=").append(encode(clientId)).append("&client_secret=").append(encode(clientSecret));
        }
        ApiClient.Answer answer = client.postForm(tokenUrl, label, authorization, form.toString());
        JsonNode body = answer.json();
        if (body == null && answer.status() == 200) {
            throw new SystemUnavailable(client.endpoint().system() + " answered the " + label + " with a body that is not JSON");
        }
        body = body == null ? JSON.createObjectNode() : body;
        if (answer.status() != 200 || !body.hasNonNull("access_token")) {
            throw new AccessRefused(("credentials refused: " + client.endpoint().system() + " refused the " + label + ": " + answer.status() + " "
                    + body.path("error").asText("") + " " + body.path("error_description").asText("")).stripTrailing() + " (" + hint + ")");
        }
        long lifetime = body.path("expires_in").asLong(3600);
        token = body.get("access_token").asText();
        if (refreshToken != null && body.hasNonNull("refresh_token")) {
            refreshToken = body.get("refresh_token").asText(); // a rolling refresh token: the one just used is spent
        }
        // renew a minute early (or at half-life for short tokens) so no request carries an expiring token
        expiresAt = Instant.now().plusSeconds(Math.max(1, Math.min(lifetime - 60, lifetime / 2)));
    }

    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

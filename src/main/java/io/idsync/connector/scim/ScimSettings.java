package io.idsync.connector.scim;

import java.time.Duration;

/**
 * One SCIM 2.0 service provider connection ({@code idsync.connections.<name>.*}, type {@code scim}); see {@link ScimKind}.
 * Secrets are held here and never printed: {@link #toString()} leaves them out.
 */
record ScimSettings(String name, String baseUrl, String usersResource, String groupsResource, Auth auth, String tokenUrl,
                    String clientId, String clientSecret, boolean tokenAuthBasic, String scope, String refreshToken,
                    String bearerToken, String username, String password, String userFilter, java.util.List<String> customSchemaUrns, boolean putUpdates,
                    Duration connectTimeout, Duration responseTimeout, int maxAttempts, int maxMembersPerRequest) {

    /** How idsync authenticates: OAuth 2 client credentials or refresh token, a static bearer token, or basic. */
    enum Auth {
        CLIENT_CREDENTIALS, REFRESH_TOKEN, BEARER, BASIC;

        static Auth parse(String text) {
            return switch (text.toLowerCase(java.util.Locale.ROOT)) {
                case "oauth-client-credentials", "client-credentials" -> CLIENT_CREDENTIALS;
                case "oauth-refresh-token", "refresh-token" -> REFRESH_TOKEN;
                case "bearer", "bearer-token" -> BEARER;
                case "basic" -> BASIC;
                default -> throw new IllegalArgumentException("'" + text + "' is not one of oauth-client-credentials, oauth-refresh-token, bearer, basic");
            };
        }
    }

    @Override
    public String toString() {
        return "SCIM connection '" + name + "' at " + baseUrl + " (" + auth + ")";
    }
}

package io.idsync.connector.scim;

import io.idsync.connector.Connector;
import io.idsync.connector.ConnectorKind;
import io.idsync.connector.Settings;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code type=scim}: a SCIM 2.0 service provider (RFC 7643, 7644), such as PingOne's SCIM API. Its keys under
 * {@code idsync.connections.<name>.}:
 * <pre>
 * base-url            https://scim-api.pingone.com/environments/&lt;envId&gt;/v2                     (required)
 * users-resource      /Users            groups-resource   /Groups
 * auth                oauth-client-credentials (default), oauth-refresh-token, bearer, basic
 * token-url, client-id, client-secret, token-auth-method (basic | post), scope    OAuth 2
 * refresh-token       with oauth-refresh-token (and token-url, client-id, client-secret)
 * bearer-token        with bearer
 * username, password  with basic
 * user-filter         finds an existing user before a create: userName eq "%s" (the value escaped)
 * custom-schema-urns  extension schema URNs a mapping may write into (comma-separated), beside the enterprise
 *                     extension and PingOne's urn:pingidentity:schemas:extension:2.0:PingOneUser
 * update-method       auto: PATCH where /ServiceProviderConfig says so, else PUT; put: always PUT the whole resource
 * connect-timeout, response-timeout, max-attempts     10s, 30s, 6 (429 and 5xx, honouring Retry-After)
 * max-members-per-request  100: the most members a group's create or PATCH carries (AWS takes 100, others time out
 *                     on thousands); more go in further PATCHes
 * </pre>
 */
@ApplicationScoped
public class ScimKind implements ConnectorKind {

    public static final String TYPE = "scim";
    static final String DEFAULT_USER_FILTER = "userName eq \"%s\"";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> problems(Settings connection) {
        List<String> problems = new ArrayList<>(connection.missing("base-url"));
        problems.addAll(connection.notHttpUrls("https://scim-api.pingone.com/environments/<envId>/v2", "base-url", "token-url"));
        ScimSettings.Auth auth;
        try {
            auth = ScimSettings.Auth.parse(connection.text("auth", "oauth-client-credentials"));
        } catch (IllegalArgumentException e) {
            problems.add(connection.prefix() + "auth " + e.getMessage());
            return problems;
        }
        problems.addAll(switch (auth) {
            case CLIENT_CREDENTIALS -> connection.missing("token-url", "client-id", "client-secret");
            case REFRESH_TOKEN -> connection.missing("token-url", "client-id", "client-secret", "refresh-token");
            case BEARER -> connection.missing("bearer-token");
            case BASIC -> connection.missing("username", "password");
        });
        problems.addAll(connection.notOneOf("token-auth-method", "basic", "basic", "post"));
        problems.addAll(connection.notOneOf("update-method", "auto", "auto", "put"));
        if (problems.isEmpty() && Settings.invalidIn(() -> connection.integer("max-members-per-request", 100)).isEmpty()
                && connection.integer("max-members-per-request", 100) < 1) {
            problems.add(connection.prefix() + "max-members-per-request must be 1 or more");
        }
        if (!connection.text("user-filter", DEFAULT_USER_FILTER).contains("%s")) {
            problems.add(connection.prefix() + "user-filter needs %s where the user's identifier goes, as in userName eq \"%s\"");
        }
        if (problems.isEmpty()) {
            problems.addAll(Settings.invalidIn(() -> settings(connection.name(), connection)));
            problems.addAll(Settings.invalidIn(() -> io.idsync.connector.TlsTrust.of(connection)));
            problems.addAll(Settings.invalidIn(() -> io.idsync.connector.http.OperationLimits.of("scim", connection, java.time.Duration.ofSeconds(30))));
        }
        return problems;
    }

    @Override
    public Connector open(String name, Settings connection) {
        ScimSettings settings = settings(name, connection);
        return new ScimConnector(new ScimClient(settings, io.idsync.connector.TlsTrust.of(connection),
                io.idsync.connector.http.OperationLimits.of("scim", connection, settings.responseTimeout())));
    }

    static ScimSettings settings(String name, Settings c) {
        String base = c.text("base-url", null);
        return new ScimSettings(name, base.endsWith("/") ? base.substring(0, base.length() - 1) : base,
                c.text("users-resource", "/Users"), c.text("groups-resource", "/Groups"),
                ScimSettings.Auth.parse(c.text("auth", "oauth-client-credentials")), c.text("token-url", null),
                c.text("client-id", null), c.text("client-secret", null), !c.text("token-auth-method", "basic").equalsIgnoreCase("post"),
                c.text("scope", null), c.text("refresh-token", null), c.text("bearer-token", null), c.text("username", null),
                c.text("password", null), c.text("user-filter", DEFAULT_USER_FILTER), c.list("custom-schema-urns"),
                c.text("update-method", "auto").equalsIgnoreCase("put"), c.duration("connect-timeout", "10s"),
                c.duration("response-timeout", "30s"), c.integer("max-attempts", 6), c.integer("max-members-per-request", 100));
    }
}

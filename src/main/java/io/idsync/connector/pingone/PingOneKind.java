package io.idsync.connector.pingone;

import io.idsync.connector.Connector;
import io.idsync.connector.ConnectorKind;
import io.idsync.connector.Settings;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code type=pingone}: a PingOne environment, through a worker application. Its keys under
 * {@code idsync.connections.<name>.}:
 * <pre>
 * api-url             https://api.pingone.com/v1 (the region's Management API)
 * auth-url            the token endpoint; default from api-url: https://auth.pingone.com/&lt;env&gt;/as/token
 * environment-id, client-id, client-secret                                  (required)
 * token-auth-method   basic (client_secret_basic) or post (client_secret_post)
 * polling-offset      how far behind now the activities window ends (5s)
 * requests-per-second client-side request limit (0: none)
 * page-size           users per page in a full scan (200)
 * max-attempts        attempts per request on 429, 5xx and timeouts (6)
 * connect-timeout, response-timeout   (10s, 30s)
 * </pre>
 */
@ApplicationScoped
public class PingOneKind implements ConnectorKind {

    public static final String TYPE = "pingone";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> problems(Settings connection) {
        List<String> problems = new ArrayList<>(connection.missing("environment-id", "client-id", "client-secret"));
        problems.addAll(connection.notOneOf("token-auth-method", "basic", "basic", "post"));
        problems.addAll(connection.notOneOf("grant-type", "client_credentials", "client_credentials", "refresh_token"));
        if (connection.text("grant-type", "client_credentials").equalsIgnoreCase("refresh_token")) {
            problems.addAll(connection.missing("refresh-token"));
        }
        problems.addAll(connection.notHttpUrls("https://api.pingone.com/v1", "api-url", "auth-url"));
        if (problems.isEmpty()) {
            problems.addAll(Settings.invalidIn(() -> settings(connection.name(), connection)));
            problems.addAll(Settings.invalidIn(() -> io.idsync.connector.TlsTrust.of(connection)));
            problems.addAll(Settings.invalidIn(() -> io.idsync.connector.http.OperationLimits.of("pingone", connection, java.time.Duration.ofSeconds(30))));
        }
        return problems;
    }

    @Override
    public Connector open(String name, Settings connection) {
        PingOneSettings settings = settings(name, connection);
        return new PingOneConnector(new PingOneClient(settings, io.idsync.connector.TlsTrust.of(connection),
                io.idsync.connector.http.OperationLimits.of("pingone", connection, settings.responseTimeout())));
    }

    static PingOneSettings settings(String name, Settings c) {
        String apiUrl = c.text("api-url", "https://api.pingone.com/v1");
        String environmentId = c.text("environment-id", null);
        PingOneSettings.TokenAuthMethod method = c.text("token-auth-method", "basic").equalsIgnoreCase("post")
                ? PingOneSettings.TokenAuthMethod.POST : PingOneSettings.TokenAuthMethod.BASIC;
        return new PingOneSettings(name, apiUrl, c.text("auth-url", defaultAuthUrl(apiUrl, environmentId)), environmentId,
                c.text("client-id", null), c.text("client-secret", null), method, c.duration("polling-offset", "5s"),
                c.integer("requests-per-second", 0), c.integer("page-size", 200), c.duration("connect-timeout", "10s"),
                c.duration("response-timeout", "30s"), c.integer("max-attempts", 6),
                c.text("grant-type", "client_credentials").equalsIgnoreCase("refresh_token") ? c.text("refresh-token", null) : null);
    }

    /** {@code https://api.pingone.eu/v1} → {@code https://auth.pingone.eu/<env>/as/token}. */
    static String defaultAuthUrl(String apiUrl, String environmentId) {
        URI api = URI.create(apiUrl);
        String host = api.getHost().startsWith("api.") ? "auth." + api.getHost().substring(4) : api.getHost();
        return api.getScheme() + "://" + host + (api.getPort() > 0 ? ":" + api.getPort() : "") + "/" + environmentId + "/as/token";
    }
}

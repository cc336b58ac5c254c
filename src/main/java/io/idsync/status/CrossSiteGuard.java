package io.idsync.status;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Refuses a state-changing API call ({@code POST}, {@code PUT}, {@code PATCH}, {@code DELETE} under {@code /api}) that
 * another site's page made with the operator's browser (cross-site request forgery): a browser holding basic
 * credentials sends them to whoever asks, so credentials alone do not say the operator meant it. Refused with 403,
 * before anything starts:
 * <ul>
 * <li>a request a browser marks as from another site ({@code Sec-Fetch-Site} other than {@code same-origin} or
 * {@code none});</li>
 * <li>a request whose {@code Origin} is not this server (its {@code Host}) nor one of {@code idsync.api.allowed-origins};</li>
 * <li>a body a plain HTML form can send ({@code application/x-www-form-urlencoded}, {@code multipart/form-data},
 * {@code text/plain}): the API takes JSON or nothing, so no form's fields reach it. (A form without fields sends an
 * empty body, and a browser always sends its {@code Origin}, {@code null} included, with a POST.)</li>
 * </ul>
 * Tools (curl, scripts) send neither header and are not concerned; the dashboard's own calls are same-origin.
 */
@ApplicationScoped
public class CrossSiteGuard {

    private static final Set<HttpMethod> STATE_CHANGING = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);
    private static final List<String> FORM_TYPES = List.of("application/x-www-form-urlencoded", "multipart/form-data", "text/plain");

    @ConfigProperty(name = "idsync.api.allowed-origins")
    Optional<List<String>> allowedOrigins;

    void register(@Observes Filters filters) {
        filters.register(this::check, 300); // before authentication: a refused request does not even get to try credentials
    }

    private void check(RoutingContext context) {
        HttpServerRequest request = context.request();
        String path = context.normalizedPath();
        if (STATE_CHANGING.contains(request.method()) && (path.equals("/api") || path.startsWith("/api/"))) {
            String refusal = refusal(request);
            if (refusal != null) {
                context.response().setStatusCode(403).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end("{\"status\":403,\"error\":\"cross-site request refused\",\"message\":\"" + refusal.replace("\"", "'") + "\"}");
                return;
            }
        }
        context.next();
    }

    /** Why this request may not change anything, or null when it may. */
    String refusal(HttpServerRequest request) {
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null && !site.equalsIgnoreCase("same-origin") && !site.equalsIgnoreCase("none")) {
            return "a page of another site sent it (Sec-Fetch-Site: " + site + ")";
        }
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        if (origin != null && !sameOrigin(origin, request.getHeader(HttpHeaders.HOST))
                && allowedOrigins.orElse(List.of()).stream().noneMatch(origin::equalsIgnoreCase)) {
            return "it comes from origin " + origin + ", not from this server (allow an origin with idsync.api.allowed-origins)";
        }
        String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        boolean body = request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || (length != null && !length.trim().equals("0"));
        if (type != null && body) {
            String media = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (FORM_TYPES.contains(media)) {
                return "its body is " + media + ", which any HTML form can send: the API takes application/json";
            }
        }
        return null;
    }

    private static boolean sameOrigin(String origin, String host) {
        if (host == null || origin.equalsIgnoreCase("null")) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return authority != null && (authority.equalsIgnoreCase(host)
                    || (uri.getPort() < 0 && (host.equalsIgnoreCase(uri.getHost() + ":80") || host.equalsIgnoreCase(uri.getHost() + ":443"))));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

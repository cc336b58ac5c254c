package io.idsync.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A local stand-in for the PingOne Platform API, speaking its wire format: the token endpoint
 * ({@code POST /{envId}/as/token}, client_secret_basic or client_secret_post as the app is configured),
 * HAL envelopes with absolute {@code _links}, cursor paging, filters, PingOne error bodies, 401 without a valid
 * token, 429 {@code REQUEST_LIMITED} with {@code Retry-After}, and the audit activities feed with its
 * {@code recordedAt} window rule and 10 requests/second limit.
 * <p>
 * Demo and tests only: nothing in a production profile starts it.
 */
public final class PingOneSandbox implements AutoCloseable {

    /**
     * @param port                    0 picks a free port
     * @param requestsPerSecond       the environment's API rate limit (0 = none)
     * @param activitiesPerSecond     the audit API's rate limit (PingOne: 10)
     * @param activityVisibilityDelay how long after it is recorded an activity becomes visible (PingOne: a few seconds)
     */
    public record Settings(int port, int requestsPerSecond, int activitiesPerSecond, Duration activityVisibilityDelay) {
        public static Settings defaults(int port) {
            return new Settings(port, 0, 10, Duration.ZERO);
        }
    }

    /** A request as the sandbox saw it, for tests to assert what the API received. */
    public record Request(Instant at, String method, String path, Map<String, String> query, String clientId, int status) {
    }

    private static final Map<String, Set<String>> USER_FILTERS = userFilters();
    private static final java.util.regex.Pattern USERNAME_EQ = java.util.regex.Pattern.compile("(?i)\\(?\\s*username eq \"((?:[^\"\\\\]|\\\\.)*)\"\\s*\\)?");
    private static final SandboxFilter.Grammar USERS = new SandboxFilter.Grammar(USER_FILTERS, true, false);
    private static final SandboxFilter.Grammar GROUPS = new SandboxFilter.Grammar(Map.of(
            "id", Set.of("eq"), "name", Set.of("eq", "sw"), "population.id", Set.of("eq"), "externalId", Set.of("eq", "sw")), false, false);
    private static final SandboxFilter.Grammar POPULATIONS = new SandboxFilter.Grammar(Map.of(
            "id", Set.of("eq"), "name", Set.of("eq", "sw")), false, false);
    private static final SandboxFilter.Grammar ACTIVITIES = new SandboxFilter.Grammar(Map.ofEntries(
            Map.entry("recordedAt", Set.of("gt", "ge", "lt", "le")), Map.entry("createdAt", Set.of("gt", "ge", "lt", "le")),
            Map.entry("correlationId", Set.of("eq")), Map.entry("actors.client.id", Set.of("eq")),
            Map.entry("actors.user.id", Set.of("eq")), Map.entry("actors.user.name", Set.of("eq")),
            Map.entry("resources.id", Set.of("eq")), Map.entry("resources.type", Set.of("eq")),
            Map.entry("resources.population.id", Set.of("eq")), Map.entry("action.type", Set.of("eq"))), false, true);
    private static final Duration MAX_ACTIVITY_SPAN = Duration.ofDays(14);

    private final Settings settings;
    private final HttpServer server;
    private final ExecutorService executor;
    private final String baseUrl;
    private final Map<String, SandboxEnvironment> environments = new ConcurrentHashMap<>();
    private final Map<String, IssuedToken> tokens = new ConcurrentHashMap<>();
    private final TokenSigner signer = new TokenSigner();
    private final Map<String, SandboxScim> scims = new ConcurrentHashMap<>();
    private final Map<String, RateWindow> rateWindows = new ConcurrentHashMap<>();
    private final Deque<Request> requests = new ArrayDeque<>();
    private volatile int rateLimitOverride = -1;
    /** the authenticated client id and the query of the request this thread is answering */
    private final ThreadLocal<String[]> current = new ThreadLocal<>();
    private final ThreadLocal<Map<String, String>> currentQuery = new ThreadLocal<>();
    /** The API request's body, read once: the checks see it before the operation parses it. */
    private final ThreadLocal<byte[]> currentBody = new ThreadLocal<>();
    private volatile boolean checking = true;
    private final List<SandboxRequestCheck> checks = java.util.ServiceLoader.load(SandboxRequestCheck.class,
            PingOneSandbox.class.getClassLoader()).stream().map(java.util.ServiceLoader.Provider::get).toList();

    private record IssuedToken(String environmentId, String clientId, Instant expiresAt) {
    }

    private static final class RateWindow {
        long second;
        int count;
    }

    static {
        // the JDK's HTTP server writes an answer's head and body apart; without TCP_NODELAY the client's delayed ACK
        // holds the body back ~40 ms: every request of a load would wait for it (read once, by the first server made)
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    public PingOneSandbox(Settings settings) throws IOException {
        this.settings = settings;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", settings.port()), 128);
        this.baseUrl = "http://localhost:" + server.getAddress().getPort();
        this.executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "pingone-sandbox");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    public PingOneSandbox start() {
        server.start();
        return this;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    public String baseUrl() {
        return baseUrl;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public SandboxEnvironment createEnvironment(String id) {
        SandboxEnvironment environment = new SandboxEnvironment(id, baseUrl, 200_000);
        environments.put(id, environment);
        return environment;
    }

    public SandboxEnvironment environment(String id) {
        return environments.get(id);
    }

    /**
     * Faults the sandbox injects into the Management API answers of some clients, as a struggling PingOne does: a share
     * of requests answered {@code status} (429 with {@code Retry-After: 1}, or a 5xx), a share whose connection is
     * dropped without an answer, and a delay before every answer. Requests of other clients (a test's admin) are
     * answered as usual.
     */
    public record Faults(Set<String> clientIds, double errorShare, int status, double resetShare, Duration delay) {
        /** Every request of these clients answered {@code status}: an outage. */
        public static Faults outage(int status, String... clientIds) {
            return new Faults(Set.of(clientIds), 1.0, status, 0, Duration.ZERO);
        }
    }

    private volatile Faults faults;

    /** Injects these faults from now on; null stops them. */
    public void injectFaults(Faults faults) {
        this.faults = faults;
    }

    private volatile boolean scimEqualityOnly;

    /** Makes the SCIM API take only {@code eq} (and {@code and}) in filters, as several SaaS providers do: {@code co} is 400 invalidFilter. */
    public void scimEqualityOnly(boolean only) {
        scimEqualityOnly = only;
    }

    /** Changes the API rate limit at run time (tests of 429 handling); negative restores the configured one. */
    /** Turns the plugged-in request checks off: for tests of the sandbox's own answers to requests PingOne refuses. */
    public PingOneSandbox withoutRequestChecks() {
        checking = false;
        return this;
    }

    public void setRequestsPerSecond(int limit) {
        rateLimitOverride = limit;
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public void clearRequests() {
        synchronized (requests) {
            requests.clear();
        }
    }

    // --- dispatch ------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        Map<String, String> query = parseQuery(exchange.getRequestURI().getRawQuery());
        // HttpExchange attributes are shared through the context; the request's own details stay on its thread
        current.set(new String[]{null});
        currentQuery.set(query);
        currentBody.remove();
        try {
            String[] segments = path.replaceAll("^/+", "").split("/");
            if (segments.length == 3 && segments[1].equals("as") && segments[2].equals("token")) {
                token(exchange, segments[0]);
            } else if (segments.length == 3 && segments[1].equals("as") && segments[2].equals("jwks") && environments.containsKey(segments[0])) {
                send(exchange, 200, signer.jwks());
            } else if (segments.length == 4 && segments[1].equals("as") && segments[2].equals(".well-known")
                    && segments[3].equals("openid-configuration") && environments.containsKey(segments[0])) {
                send(exchange, 200, discovery(segments[0]));
            } else if (segments.length >= 3 && segments[0].equals("environments") && segments[2].equals("v2")) {
                scim(exchange, segments);
            } else if (segments.length >= 3 && segments[0].equals("v1") && segments[1].equals("environments")) {
                SandboxEnvironment environment = environments.get(segments[2]);
                IssuedToken token = authenticate(exchange, segments[2]);
                current.get()[0] = token.clientId();
                if (environment == null) {
                    throw SandboxError.notFound();
                }
                SandboxEnvironment.Actor actor = new SandboxEnvironment.Actor(token.clientId(),
                        environment.application(token.clientId()).name());
                boolean audit = segments.length >= 4 && segments[3].equals("activities");
                if (injectFault(exchange, token.clientId())) {
                    return;
                }
                throttle(environment.id(), audit);
                refuseWhatTheContractRefuses(exchange, path.substring("/v1".length()), query);
                api(exchange, environment, actor, segments, query);
            } else {
                throw SandboxError.notFound();
            }
        } catch (SandboxError e) {
            if (e.retryAfterSeconds > 0) {
                exchange.getResponseHeaders().set("Retry-After", Long.toString(e.retryAfterSeconds));
            }
            send(exchange, e.status, e.body());
        } catch (SandboxFilter.InvalidFilter e) {
            SandboxError error = SandboxError.invalidFilter(e.getMessage());
            send(exchange, error.status, error.body());
        } catch (BadJson e) {
            SandboxError error = new SandboxError(400, "INVALID_REQUEST", "The request could not be completed. The request was malformed or invalid.", null, null);
            send(exchange, 400, error.body());
        } catch (RuntimeException e) {
            SandboxError error = new SandboxError(500, "UNEXPECTED_ERROR", "An unexpected error occurred.", null, null);
            send(exchange, 500, error.body());
        }
    }

    /** Runs the plugged-in checks (see {@link SandboxRequestCheck}); a request one refuses gets a 400 naming why. */
    private void refuseWhatTheContractRefuses(HttpExchange exchange, String path, Map<String, String> query) throws IOException {
        if (checks.isEmpty() || !checking) {
            return;
        }
        byte[] body = requestBody(exchange);
        List<SandboxError.Detail> details = new java.util.ArrayList<>();
        for (SandboxRequestCheck check : checks) {
            for (String violation : check.check(exchange.getRequestMethod(), path, query, contentType(exchange), body)) {
                details.add(new SandboxError.Detail("INVALID_VALUE", null, violation, null));
            }
        }
        if (!details.isEmpty()) {
            throw SandboxError.invalidData(details);
        }
    }

    private byte[] requestBody(HttpExchange exchange) throws IOException {
        byte[] bytes = currentBody.get();
        if (bytes == null) {
            try (InputStream in = exchange.getRequestBody()) {
                bytes = in.readAllBytes();
            }
            currentBody.set(bytes);
        }
        return bytes;
    }

    /** Answers (or drops) the request as the injected faults say; true when it has been. */
    private boolean injectFault(HttpExchange exchange, String clientId) {
        Faults injected = faults;
        if (injected == null || !injected.clientIds().contains(clientId)) {
            return false;
        }
        if (!injected.delay().isZero()) {
            try {
                Thread.sleep(injected.delay().toMillis()); // a slow answer, on the sandbox's own thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        double draw = java.util.concurrent.ThreadLocalRandom.current().nextDouble();
        if (draw < injected.resetShare()) {
            log(exchange, 0);
            exchange.close(); // no status line: the client sees the connection end
            return true;
        }
        if (draw < injected.resetShare() + injected.errorShare()) {
            throw injected.status() == 429 ? SandboxError.limited(1)
                    : new SandboxError(injected.status(), "SERVICE_UNAVAILABLE", "The service is temporarily unavailable.", null, null);
        }
        return false;
    }

    /** Logs the request with its status before the answer goes out, so a client that got it finds it logged. */
    private void log(HttpExchange exchange, int status) {
        Map<String, String> query = currentQuery.get();
        String[] clientId = current.get();
        synchronized (requests) {
            requests.addLast(new Request(Instant.now(), exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    query == null ? Map.of() : query, clientId == null ? null : clientId[0], status));
            if (requests.size() > 50_000) {
                requests.removeFirst();
            }
        }
    }

    private int api(HttpExchange exchange, SandboxEnvironment env, SandboxEnvironment.Actor actor, String[] s,
                    Map<String, String> query) throws IOException {
        String method = exchange.getRequestMethod();
        if (s.length == 3) {
            if (!method.equals("GET")) {
                throw SandboxError.notFound();
            }
            // the environment itself (GET /environments/{envId}), as a connection test reads it
            ObjectNode environment = SandboxEnvironment.JSON.createObjectNode();
            environment.put("id", env.id()).put("name", env.id()).put("type", "SANDBOX").put("region", "NA");
            environment.putObject("_links").putObject("self").put("href", env.apiBase());
            return send(exchange, 200, environment);
        }
        String collection = s[3];
        String id = s.length > 4 ? s[4] : null;
        String sub = s.length > 5 ? s[5] : null;
        String subId = s.length > 6 ? s[6] : null;
        switch (collection) {
            case "users" -> {
                if (id == null) {
                    return switch (method) {
                        case "GET" -> send(exchange, 200, listUsers(env, query));
                        case "POST" -> {
                            JsonNode body = body(exchange);
                            ObjectNode created = env.createUser(actor, body, body.path("population").path("id").asText(null));
                            exchange.getResponseHeaders().set("Location", env.apiBase() + "/users/" + created.get("id").asText());
                            yield send(exchange, 201, userResponse(env, created));
                        }
                        default -> notAllowed();
                    };
                }
                if (sub == null) {
                    return switch (method) {
                        case "GET" -> send(exchange, 200, userResponse(env, env.user(id)));
                        case "PUT" -> send(exchange, 200, userResponse(env, env.replaceUser(actor, id, body(exchange), false)));
                        case "PATCH" -> send(exchange, 200, userResponse(env, env.replaceUser(actor, id, body(exchange), true)));
                        case "DELETE" -> {
                            env.deleteUser(actor, id);
                            yield send(exchange, 204, null);
                        }
                        case "POST" -> {
                            String type = contentType(exchange);
                            body(exchange);
                            if (type.equals("application/vnd.pingidentity.account.lock+json")) {
                                yield send(exchange, 200, userResponse(env, env.setLocked(actor, id, true)));
                            }
                            if (type.equals("application/vnd.pingidentity.account.unlock+json")) {
                                yield send(exchange, 200, userResponse(env, env.setLocked(actor, id, false)));
                            }
                            throw new SandboxError(415, "INVALID_REQUEST", "The request could not be completed. The Content-Type is not supported for this resource.", null, null);
                        }
                        default -> notAllowed();
                    };
                }
                switch (sub) {
                    case "enabled" -> {
                        if (method.equals("PUT")) {
                            JsonNode body = body(exchange);
                            if (!body.has("enabled") || !body.get("enabled").isBoolean()) {
                                throw SandboxError.required("enabled");
                            }
                            env.setEnabled(actor, id, body.get("enabled").asBoolean());
                        } else if (!method.equals("GET")) {
                            return notAllowed();
                        }
                        ObjectNode enabled = SandboxEnvironment.JSON.createObjectNode();
                        enabled.putObject("_links").putObject("self").put("href", env.apiBase() + "/users/" + id + "/enabled");
                        enabled.put("enabled", env.user(id).get("enabled").asBoolean());
                        return send(exchange, 200, enabled);
                    }
                    case "population" -> {
                        if (method.equals("PUT")) {
                            env.setPopulation(actor, id, body(exchange).path("id").asText(null));
                        } else if (!method.equals("GET")) {
                            return notAllowed();
                        }
                        return send(exchange, 200, env.population(env.user(id).path("population").path("id").asText()));
                    }
                    case "memberOfGroups" -> {
                        return memberships(exchange, env, actor, id, subId);
                    }
                    default -> throw SandboxError.notFound();
                }
            }
            case "groups" -> {
                if (id == null) {
                    return switch (method) {
                        case "GET" -> send(exchange, 200, list(env, "groups", env.groups(), GROUPS, query));
                        case "POST" -> {
                            ObjectNode group = env.createGroup(actor, body(exchange));
                            exchange.getResponseHeaders().set("Location", env.apiBase() + "/groups/" + group.get("id").asText());
                            yield send(exchange, 201, withSelf(env, "groups", env.group(group.get("id").asText())));
                        }
                        default -> notAllowed();
                    };
                }
                return switch (method) {
                    case "GET" -> send(exchange, 200, withSelf(env, "groups", env.group(id)));
                    case "PUT" -> send(exchange, 200, withSelf(env, "groups", env.replaceGroup(actor, id, body(exchange))));
                    case "DELETE" -> {
                        env.deleteGroup(actor, id);
                        yield send(exchange, 204, null);
                    }
                    default -> notAllowed();
                };
            }
            case "populations" -> {
                if (id == null) {
                    return switch (method) {
                        case "GET" -> send(exchange, 200, list(env, "populations", env.populations(), POPULATIONS, query));
                        case "POST" -> {
                            JsonNode body = body(exchange);
                            ObjectNode population = env.createPopulation(actor, body.path("name").asText(null),
                                    body.path("description").asText(null), false);
                            yield send(exchange, 201, withSelf(env, "populations", population));
                        }
                        default -> notAllowed();
                    };
                }
                return switch (method) {
                    case "GET" -> send(exchange, 200, withSelf(env, "populations", env.population(id)));
                    case "DELETE" -> {
                        env.deletePopulation(actor, id);
                        yield send(exchange, 204, null);
                    }
                    default -> notAllowed();
                };
            }
            case "activities" -> {
                if (!method.equals("GET")) {
                    return notAllowed();
                }
                return id == null ? send(exchange, 200, listActivities(env, query)) : send(exchange, 200, env.activity(id));
            }
            default -> throw SandboxError.notFound();
        }
    }

    private int memberships(HttpExchange exchange, SandboxEnvironment env, SandboxEnvironment.Actor actor, String userId, String groupId)
            throws IOException {
        String method = exchange.getRequestMethod();
        if (groupId == null && method.equals("GET")) {
            ArrayNode items = SandboxEnvironment.JSON.createArrayNode();
            for (String gid : env.memberships(userId)) {
                items.add(membership(env, userId, gid));
            }
            return send(exchange, 200, envelope(env.apiBase() + "/users/" + userId + "/memberOfGroups", "groupMemberships", items, items.size(), null));
        }
        if (groupId == null && method.equals("POST")) {
            String gid = body(exchange).path("id").asText(null);
            if (gid == null) {
                throw SandboxError.required("id");
            }
            env.addMembership(actor, userId, gid);
            return send(exchange, 201, membership(env, userId, gid));
        }
        if (groupId != null && method.equals("GET")) {
            if (!env.memberships(userId).contains(groupId)) {
                throw SandboxError.notFound();
            }
            return send(exchange, 200, membership(env, userId, groupId));
        }
        if (groupId != null && method.equals("DELETE")) {
            env.removeMembership(actor, userId, groupId);
            return send(exchange, 204, null);
        }
        return notAllowed();
    }

    private ObjectNode membership(SandboxEnvironment env, String userId, String groupId) {
        ObjectNode group = env.group(groupId);
        ObjectNode membership = SandboxEnvironment.JSON.createObjectNode();
        membership.putObject("_links").putObject("self").put("href", env.apiBase() + "/users/" + userId + "/memberOfGroups/" + groupId);
        membership.put("id", groupId);
        membership.put("name", group.get("name").asText());
        membership.put("type", "DIRECT");
        return membership;
    }

    // --- collections and paging ----------------------------------------------------------------------

    /** The usernames of a filter that is only {@code username eq "..."} terms joined by {@code or}; else null. */
    private static List<String> usernamesOnly(String filter) {
        List<String> names = new java.util.ArrayList<>();
        for (String term : filter.trim().split("(?i)\\s+or\\s+")) {
            java.util.regex.Matcher matcher = USERNAME_EQ.matcher(term.trim());
            if (!matcher.matches()) {
                return null;
            }
            names.add(matcher.group(1).replaceAll("\\\\(.)", "$1"));
        }
        return names;
    }

    private ObjectNode listUsers(SandboxEnvironment env, Map<String, String> query) {
        int limit = limit(query, 1000, 100);
        Predicate<JsonNode> filter = query.containsKey("filter")
                ? SandboxFilter.parse(query.get("filter"), USERS).predicate() : u -> true;
        long after = query.containsKey("cursor") ? decodeCursor(query.get("cursor")) : 0;
        ArrayNode page = SandboxEnvironment.JSON.createArrayNode();
        // username eq "..." (or several, or'ed): the candidates from the index, each still tested by the filter itself
        List<String> names = query.containsKey("filter") ? usernamesOnly(query.get("filter")) : null;
        Iterator<Map.Entry<Long, ObjectNode>> it = names != null ? env.usersNamed(names, after) : env.usersAfter(after);
        long last = after;
        boolean more = false;
        while (it.hasNext()) {
            Map.Entry<Long, ObjectNode> entry = it.next();
            if (!filter.test(env.filterView(entry.getValue()))) {
                continue;
            }
            if (page.size() == limit) {
                more = true;
                break;
            }
            page.add(userResponse(env, entry.getValue(), false));
            last = entry.getKey();
        }
        String self = env.apiBase() + "/users" + queryString(query);
        String next = null;
        if (more) {
            Map<String, String> nextQuery = new LinkedHashMap<>(query);
            nextQuery.put("limit", Integer.toString(limit));
            nextQuery.put("cursor", encodeCursor(last));
            next = env.apiBase() + "/users" + queryString(nextQuery);
        }
        return envelope(self, "users", page, query.containsKey("filter") ? count(env, names, filter) : env.userCount(), next);
    }

    /** {@code count}: every user the filter matches, on every page (PingOne's lists carry it with {@code size}). */
    private static int count(SandboxEnvironment env, List<String> names, Predicate<JsonNode> filter) {
        Iterator<Map.Entry<Long, ObjectNode>> all = names != null ? env.usersNamed(names, 0) : env.usersAfter(0);
        int count = 0;
        while (all.hasNext()) {
            if (filter.test(env.filterView(all.next().getValue()))) {
                count++;
            }
        }
        return count;
    }

    private ObjectNode list(SandboxEnvironment env, String name, List<ObjectNode> all, SandboxFilter.Grammar grammar, Map<String, String> query) {
        int limit = limit(query, 1000, 100);
        Predicate<JsonNode> filter = query.containsKey("filter") ? SandboxFilter.parse(query.get("filter"), grammar).predicate() : n -> true;
        List<ObjectNode> matching = all.stream().filter(filter).toList();
        int offset = query.containsKey("cursor") ? (int) decodeCursor(query.get("cursor")) : 0;
        ArrayNode page = SandboxEnvironment.JSON.createArrayNode();
        matching.stream().skip(offset).limit(limit).forEach(n -> page.add(withSelf(env, name, n)));
        String next = null;
        if (offset + limit < matching.size()) {
            Map<String, String> nextQuery = new LinkedHashMap<>(query);
            nextQuery.put("limit", Integer.toString(limit));
            nextQuery.put("cursor", encodeCursor(offset + limit));
            next = env.apiBase() + "/" + name + queryString(nextQuery);
        }
        return envelope(env.apiBase() + "/" + name + queryString(query), name, page, matching.size(), next);
    }

    private ObjectNode listActivities(SandboxEnvironment env, Map<String, String> query) {
        String filterText = query.get("filter");
        if (filterText == null) {
            throw SandboxError.invalidFilter("A filter with a recordedAt time range is required");
        }
        SandboxFilter.Parsed parsed = SandboxFilter.parse(filterText, ACTIVITIES);
        Instant from = null;
        Instant to = null;
        for (SandboxFilter.Comparison c : parsed.comparisons()) {
            if (c.attribute().equals("recordedAt") || c.attribute().equals("createdAt")) {
                Instant at = SandboxFilter.instant(c.value());
                if (c.operator().startsWith("g")) {
                    from = at;
                } else {
                    to = at;
                }
            }
        }
        if (from == null) {
            throw SandboxError.invalidFilter("The filter must include a recordedAt lower bound (recordedAt gt \"...\")");
        }
        Instant upper = to == null ? Instant.now() : to;
        if (Duration.between(from, upper).compareTo(MAX_ACTIVITY_SPAN) > 0) {
            throw SandboxError.invalidFilter("The recordedAt range may span at most 14 days");
        }
        int limit = limit(query, 1000, 100);
        List<ObjectNode> matching = env.activities(parsed.predicate(), Instant.now().minus(settings.activityVisibilityDelay()));
        int offset = query.containsKey("cursor") ? (int) decodeCursor(query.get("cursor")) : 0;
        ArrayNode page = SandboxEnvironment.JSON.createArrayNode();
        matching.stream().skip(offset).limit(limit).forEach(page::add);
        String next = null;
        if (offset + limit < matching.size()) {
            Map<String, String> nextQuery = new LinkedHashMap<>(query);
            nextQuery.put("limit", Integer.toString(limit));
            nextQuery.put("cursor", encodeCursor(offset + limit));
            next = env.apiBase() + "/activities" + queryString(nextQuery);
        }
        return envelope(env.apiBase() + "/activities" + queryString(query), "activities", page, matching.size(), next);
    }

    private static ObjectNode envelope(String self, String name, ArrayNode items, Integer count, String next) {
        ObjectNode envelope = SandboxEnvironment.JSON.createObjectNode();
        ObjectNode links = envelope.putObject("_links");
        links.putObject("self").put("href", self);
        if (next != null) {
            links.putObject("next").put("href", next);
        }
        envelope.putObject("_embedded").set(name, items);
        if (count != null) {
            envelope.put("count", count);
        }
        envelope.put("size", items.size());
        return envelope;
    }

    private ObjectNode userResponse(SandboxEnvironment env, ObjectNode user) {
        return userResponse(env, user, true);
    }

    /**
     * The user as the API shows it. {@code include=memberOfGroupIDs|memberOfGroupNames} adds the user's direct groups
     * to a read of one user only: PingOne's User says they are "not returned with a list of users".
     */
    private ObjectNode userResponse(SandboxEnvironment env, ObjectNode user, boolean one) {
        ObjectNode response = user.deepCopy();
        Map<String, String> query = currentQuery.get();
        String include = query == null || !one ? "" : query.getOrDefault("include", "");
        if (include.contains("memberOfGroupIDs") || include.contains("memberOfGroupNames")) {
            Set<String> groupIds = env.memberships(user.get("id").asText());
            if (include.contains("memberOfGroupIDs")) {
                ArrayNode ids = response.putArray("memberOfGroupIDs");
                groupIds.forEach(ids::add);
            }
            if (include.contains("memberOfGroupNames")) {
                ArrayNode names = response.putArray("memberOfGroupNames");
                groupIds.forEach(groupId -> names.add(env.groupName(groupId)));
            }
        }
        ObjectNode links = SandboxEnvironment.JSON.createObjectNode();
        String self = env.apiBase() + "/users/" + user.get("id").asText();
        links.putObject("self").put("href", self);
        links.putObject("environment").put("href", baseUrl + "/v1/environments/" + env.id());
        links.putObject("population").put("href", env.apiBase() + "/populations/" + user.path("population").path("id").asText());
        links.putObject("password").put("href", self + "/password");
        links.putObject("memberOfGroups").put("href", self + "/memberOfGroups");
        response.set("_links", links);
        return response;
    }

    private ObjectNode withSelf(SandboxEnvironment env, String collection, ObjectNode node) {
        ObjectNode copy = node.deepCopy();
        copy.putObject("_links").putObject("self").put("href", env.apiBase() + "/" + collection + "/" + node.get("id").asText());
        return copy;
    }

    // --- token, auth and limits ----------------------------------------------------------------------

    private int token(HttpExchange exchange, String environmentId) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            return notAllowed();
        }
        SandboxEnvironment env = environments.get(environmentId);
        Map<String, String> form = parseQuery(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String clientId = null;
        String secret = null;
        SandboxEnvironment.TokenAuthMethod used = null;
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    clientId = URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
                    secret = URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
                    used = SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_BASIC;
                }
            } catch (IllegalArgumentException ignored) {
                // not base64: treated as no credentials
            }
        } else if (form.containsKey("client_id")) {
            clientId = form.get("client_id");
            secret = form.get("client_secret");
            used = SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_POST;
        }
        String grant = String.valueOf(form.get("grant_type"));
        if (!grant.equals("client_credentials") && !grant.equals("refresh_token")) {
            return oauthError(exchange, 400, "unsupported_grant_type", "Only the client_credentials and refresh_token grants are supported");
        }
        SandboxEnvironment.Application app = env == null ? null : env.application(clientId);
        if (app == null || used != app.method() || !app.secret().equals(secret)) {
            return oauthError(exchange, 401, "invalid_client", "Request denied: Unsupported authentication method or invalid client credentials");
        }
        String nextRefreshToken = null;
        if (grant.equals("refresh_token")) {
            // rotated on each use, as PingOne does with rolling refresh tokens: the one used is spent
            String presented = form.get("refresh_token");
            if (presented == null || !clientId.equals(refreshTokens.remove(presented))) {
                return oauthError(exchange, 400, "invalid_grant", "The refresh token is invalid, expired or already used");
            }
            nextRefreshToken = issueRefreshToken(clientId);
        }
        // a signed JWT, as PingOne issues: its own API looks it up, a resource server verifies it with the JWKS
        Instant now = Instant.now();
        ObjectNode claims = SandboxEnvironment.JSON.createObjectNode();
        claims.put("iss", issuer(environmentId)).put("sub", clientId).put("client_id", clientId).put("env", environmentId)
                .put("jti", UUID.randomUUID().toString()).put("iat", now.getEpochSecond()).put("exp", now.plusSeconds(3600).getEpochSecond());
        claims.putArray("aud").add("https://api.pingone.com");
        if (!env.scopes(clientId).isEmpty()) {
            claims.put("scope", String.join(" ", env.scopes(clientId)));
        }
        String accessToken = signer.sign(claims);
        tokens.put(accessToken, new IssuedToken(environmentId, clientId, Instant.now().plusSeconds(3600)));
        ObjectNode body = SandboxEnvironment.JSON.createObjectNode();
        body.put("access_token", accessToken);
        body.put("token_type", "Bearer");
        body.put("expires_in", 3600);
        if (nextRefreshToken != null) {
            body.put("refresh_token", nextRefreshToken);
        }
        return send(exchange, 200, body);
    }

    /** PingOne's SCIM API of an environment: its own worker apps' bearer tokens, RFC 7644 answers and errors. */
    private void scim(HttpExchange exchange, String[] segments) throws IOException {
        SandboxEnvironment environment = environments.get(segments[1]);
        if (environment == null) {
            sendScim(exchange, new SandboxScim.ScimError(404, null, "no environment " + segments[1]));
            return;
        }
        IssuedToken token;
        try {
            token = authenticate(exchange, environment.id());
        } catch (SandboxError e) {
            sendScim(exchange, new SandboxScim.ScimError(401, null, "the access token is missing, expired or not this environment's"));
            return;
        }
        current.get()[0] = token.clientId();
        if (injectFault(exchange, token.clientId())) {
            return;
        }
        JsonNode body = null;
        byte[] raw = exchange.getRequestBody().readAllBytes();
        if (raw.length > 0) {
            try {
                body = SandboxEnvironment.JSON.readTree(raw);
            } catch (IOException e) {
                sendScim(exchange, new SandboxScim.ScimError(400, "invalidSyntax", "the body is not JSON"));
                return;
            }
        }
        SandboxEnvironment.Actor actor = new SandboxEnvironment.Actor(token.clientId(), environment.application(token.clientId()).name());
        try {
            SandboxScim.Reply reply = scims.computeIfAbsent(environment.id(), id -> new SandboxScim(environment, baseUrl, () -> scimEqualityOnly))
                    .handle(actor, exchange.getRequestMethod(), List.of(segments).subList(3, segments.length), currentQuery.get(), body);
            send(exchange, reply.status(), reply.body(), "application/scim+json");
        } catch (SandboxScim.ScimError e) {
            sendScim(exchange, e);
        }
    }

    private void sendScim(HttpExchange exchange, SandboxScim.ScimError error) throws IOException {
        send(exchange, error.status, error.body(), "application/scim+json");
    }

    /** As PingOne names its authorization server: {@code https://auth.pingone.com/{envId}/as}. */
    private String issuer(String environmentId) {
        return baseUrl + "/" + environmentId + "/as";
    }

    /** The OpenID Provider metadata of an environment's authorization server (the subset a resource server reads). */
    private ObjectNode discovery(String environmentId) {
        String issuer = issuer(environmentId);
        ObjectNode metadata = SandboxEnvironment.JSON.createObjectNode();
        metadata.put("issuer", issuer).put("token_endpoint", issuer + "/token").put("jwks_uri", issuer + "/jwks");
        metadata.putArray("grant_types_supported").add("client_credentials").add("refresh_token");
        metadata.putArray("token_endpoint_auth_methods_supported").add("client_secret_basic").add("client_secret_post");
        metadata.putArray("id_token_signing_alg_values_supported").add("RS256");
        metadata.putArray("response_types_supported").add("token");
        metadata.putArray("subject_types_supported").add("public");
        return metadata;
    }

    private int oauthError(HttpExchange exchange, int status, String error, String description) throws IOException {
        ObjectNode body = SandboxEnvironment.JSON.createObjectNode();
        body.put("error", error);
        body.put("error_description", description);
        return send(exchange, status, body);
    }

    private IssuedToken authenticate(HttpExchange exchange, String environmentId) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw SandboxError.invalidToken();
        }
        IssuedToken token = tokens.get(authorization.substring(7).trim());
        if (token == null || token.expiresAt().isBefore(Instant.now()) || !token.environmentId().equals(environmentId)) {
            throw SandboxError.invalidToken();
        }
        return token;
    }

    /** Revokes every issued token, as if they had all expired (tests of token renewal). */
    private final Map<String, String> refreshTokens = new java.util.concurrent.ConcurrentHashMap<>();

    /** A refresh token for this worker app (as an authorization code flow would have given it): good for one use. */
    public String issueRefreshToken(String clientId) {
        String token = "rt-" + UUID.randomUUID();
        refreshTokens.put(token, clientId);
        return token;
    }

    public void expireAllTokens() {
        tokens.clear();
    }

    private void throttle(String environmentId, boolean audit) {
        int limit = audit ? settings.activitiesPerSecond() : (rateLimitOverride >= 0 ? rateLimitOverride : settings.requestsPerSecond());
        if (limit <= 0) {
            return;
        }
        RateWindow window = rateWindows.computeIfAbsent(environmentId + (audit ? "/audit" : "/api"), k -> new RateWindow());
        long nowMillis = System.currentTimeMillis();
        synchronized (window) {
            long second = nowMillis / 1000;
            if (window.second != second) {
                window.second = second;
                window.count = 0;
            }
            if (++window.count > limit) {
                throw SandboxError.limited(1);
            }
        }
    }

    // --- plumbing ------------------------------------------------------------------------------------

    private static final class BadJson extends RuntimeException {
        BadJson() {
            super(null, null, false, false);
        }
    }

    private JsonNode body(HttpExchange exchange) throws IOException {
        try {
            byte[] bytes = requestBody(exchange);
            if (bytes.length == 0) {
                return SandboxEnvironment.JSON.createObjectNode();
            }
            JsonNode node = SandboxEnvironment.JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new BadJson();
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadJson();
        }
    }

    private static String contentType(HttpExchange exchange) {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        return type == null ? "" : type.split(";")[0].trim();
    }

    private static int notAllowed() {
        throw new SandboxError(405, "INVALID_REQUEST", "The request could not be completed. The method is not allowed for this resource.", null, null);
    }

    private int send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        return send(exchange, status, body, "application/json");
    }

    private int send(HttpExchange exchange, int status, JsonNode body, String contentType) throws IOException {
        log(exchange, status);
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
            return status;
        }
        byte[] bytes = SandboxEnvironment.JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Correlation-Id", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        return status;
    }

    private static int limit(Map<String, String> query, int max, int fallback) {
        if (!query.containsKey("limit")) {
            return fallback;
        }
        try {
            int limit = Integer.parseInt(query.get("limit"));
            if (limit < 1 || limit > max) {
                throw new NumberFormatException();
            }
            return limit;
        } catch (NumberFormatException e) {
            throw new SandboxError(400, "INVALID_DATA", "The request could not be completed. One or more validation errors were in the request.",
                    "OUT_OF_RANGE", "limit");
        }
    }

    private static String encodeCursor(long position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("p:" + position).getBytes(StandardCharsets.UTF_8));
    }

    private static long decodeCursor(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            return Long.parseLong(text.substring(2));
        } catch (RuntimeException e) {
            throw new SandboxError(400, "INVALID_DATA", "The request could not be completed. One or more validation errors were in the request.",
                    "INVALID_PARAMETER", "cursor");
        }
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.put(key, value);
        }
        return query;
    }

    private static String queryString(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("?");
        query.forEach((k, v) -> {
            if (out.length() > 1) {
                out.append('&');
            }
            out.append(URLEncoder.encode(k, StandardCharsets.UTF_8).replace("+", "%20")).append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
        });
        return out.toString();
    }

    private static Map<String, Set<String>> userFilters() {
        Map<String, Set<String>> filters = new HashMap<>();
        for (String attribute : List.of("accountId", "address.streetAddress", "address.locality", "address.region", "address.postalCode",
                "address.countryCode", "email", "externalId", "locale", "mobilePhone", "name.formatted", "name.given", "name.middle",
                "name.family", "name.honorificPrefix", "name.honorificSuffix", "nickname", "photo.href", "preferredLanguage",
                "primaryPhone", "timezone", "title", "type", "username")) {
            filters.put(attribute, Set.of("eq", "sw"));
        }
        filters.put("email", Set.of("eq", "sw", "ew"));
        filters.put("name.family", Set.of("eq", "sw", "ew"));
        filters.put("name.given", Set.of("eq", "sw", "ew"));
        filters.put("enabled", Set.of("eq"));
        filters.put("population.id", Set.of("eq"));
        filters.put("id", Set.of("eq"));
        return Map.copyOf(filters);
    }

}

package io.idsync.testsupport.scim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import de.captaingoldfish.scim.sdk.common.constants.ScimType;
import de.captaingoldfish.scim.sdk.common.constants.enums.HttpMethod;
import de.captaingoldfish.scim.sdk.common.constants.enums.SortOrder;
import de.captaingoldfish.scim.sdk.common.etag.ETag;
import de.captaingoldfish.scim.sdk.common.exceptions.ConflictException;
import de.captaingoldfish.scim.sdk.common.exceptions.ResourceNotFoundException;
import de.captaingoldfish.scim.sdk.common.exceptions.UnauthenticatedException;
import de.captaingoldfish.scim.sdk.common.resources.Group;
import de.captaingoldfish.scim.sdk.common.resources.ResourceNode;
import de.captaingoldfish.scim.sdk.common.resources.ServiceProvider;
import de.captaingoldfish.scim.sdk.common.resources.User;
import de.captaingoldfish.scim.sdk.common.resources.complex.BulkConfig;
import de.captaingoldfish.scim.sdk.common.resources.complex.ChangePasswordConfig;
import de.captaingoldfish.scim.sdk.common.resources.complex.ETagConfig;
import de.captaingoldfish.scim.sdk.common.resources.complex.FilterConfig;
import de.captaingoldfish.scim.sdk.common.resources.complex.Meta;
import de.captaingoldfish.scim.sdk.common.resources.complex.PatchConfig;
import de.captaingoldfish.scim.sdk.common.resources.complex.SortConfig;
import de.captaingoldfish.scim.sdk.common.resources.multicomplex.AuthenticationScheme;
import de.captaingoldfish.scim.sdk.common.resources.multicomplex.Member;
import de.captaingoldfish.scim.sdk.common.response.ErrorResponse;
import de.captaingoldfish.scim.sdk.common.response.ScimResponse;
import de.captaingoldfish.scim.sdk.common.schemas.SchemaAttribute;
import de.captaingoldfish.scim.sdk.common.utils.JsonHelper;
import de.captaingoldfish.scim.sdk.server.endpoints.Context;
import de.captaingoldfish.scim.sdk.server.endpoints.ResourceEndpoint;
import de.captaingoldfish.scim.sdk.server.endpoints.ResourceHandler;
import de.captaingoldfish.scim.sdk.server.endpoints.authorize.Authorization;
import de.captaingoldfish.scim.sdk.server.endpoints.base.GroupEndpointDefinition;
import de.captaingoldfish.scim.sdk.server.endpoints.base.UserEndpointDefinition;
import de.captaingoldfish.scim.sdk.server.filter.FilterNode;
import de.captaingoldfish.scim.sdk.server.response.PartialListResponse;
import de.captaingoldfish.scim.sdk.server.schemas.ResourceType;
import de.captaingoldfish.scim.sdk.server.schemas.custom.ETagFeature;
import de.captaingoldfish.scim.sdk.server.schemas.custom.ResourceTypeFeatures;

/**
 * A SCIM 2.0 service provider built from the third-party library {@code de.captaingoldfish:scim-sdk-server} 1.30.0:
 * the SDK parses and validates every request, evaluates filters, sorts and pages lists, applies PATCH operations,
 * checks If-Match / If-None-Match and writes the answers. This class only supplies the transport (a JDK
 * {@link HttpServer} on loopback), HTTP basic authentication and an in-memory store per resource type.
 *
 * <p>
 * Users ({@code /Users}, with the enterprise User extension) and Groups ({@code /Groups}) are served under
 * {@code http://127.0.0.1:<free port>/scim/v2}. Service provider config: PATCH, filter (maxResults 200), sort and
 * ETag supported; bulk and change-password not. {@code meta.version} (and the ETag header) is a weak entity tag
 * {@code W/"<n>"} that changes on every effective write. A user's userName is unique case-insensitively: a clash
 * answers 409 with scimType {@code uniqueness}. Deleting a user takes it out of every group's members.
 *
 * <p>
 * What the SDK does that a client may not expect (seen with 1.30.0):
 * <ul>
 * <li>a filter's string value is not JSON-unescaped: {@code userName eq "a\"b"} compares with {@code a\"b} (the
 * backslash kept), so a value holding {@code "} or {@code \} is never found by {@code eq};</li>
 * <li>a body with {@code Content-Type: application/json} is refused: 400 "Invalid content type";</li>
 * <li>{@code If-Match: *} never matches (412);</li>
 * <li>PATCH {@code add} of a member already present adds it a second time;</li>
 * <li>PATCH answers 200 with the resource; a PATCH that changes nothing keeps the version and lastModified;</li>
 * <li>unknown attributes in a POST or PUT body are dropped silently; an unknown PATCH path answers 400 with scimType
 * {@code invalidFilter}.</li>
 * </ul>
 */
public final class ScimSdkServer implements ScimServerUnderTest {

    /** As the SDK's artifact names itself. */
    public static final String NAME = "scim-sdk-server 1.30.0";

    private static final String CONTEXT_PATH = "/scim/v2";
    private static final String REALM = "idsync-scim-sdk";

    /** A request the server answered: what a test asserts of the client (its If-Match, say). */
    public record Received(String method, String path, String ifMatch, int status) {
    }

    private final java.util.List<Received> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** run once before the next PATCH is handled: another writer, between the client's read and its write */
    private final java.util.concurrent.atomic.AtomicReference<Runnable> beforeNextPatch = new java.util.concurrent.atomic.AtomicReference<>();
    private final HttpServer http;
    private final ExecutorService executor;
    private final ResourceEndpoint endpoint;
    private final String baseUrl;
    private final String username;
    private final String password;
    private final byte[] expectedAuthorization;

    /** The SDK asks the request's Authorization to authenticate: the transport has done so already. */
    private final Authorization authenticatedClient = new Authorization() {
        @Override
        public String getClientId() {
            return username;
        }

        @Override
        public Set<String> getClientRoles() {
            return Set.of();
        }

        @Override
        public boolean authenticate(Map<String, String> httpHeaders, Map<String, String> queryParams) {
            return true;
        }
    };

    private final UserHandler users = new UserHandler();
    private final GroupHandler groups = new GroupHandler();

    private ScimSdkServer(String username, String password) throws IOException {
        this.username = username;
        this.password = password;
        this.expectedAuthorization = ("Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .getBytes(StandardCharsets.UTF_8);

        ServiceProvider serviceProvider = ServiceProvider.builder()
                .patchConfig(PatchConfig.builder()
                        .supported(true)
                        // add/replace "emails[type eq \"work\"].value" where no work email exists yet adds one
                        // ({"type": "work", "value": ...}); without it the SDK answers 400 noTarget
                        .activateMsAzureFilterWorkaround(true)
                        .build())
                .filterConfig(FilterConfig.builder().supported(true).maxResults(200).build())
                .sortConfig(SortConfig.builder().supported(true).build())
                .eTagConfig(ETagConfig.builder().supported(true).build())
                .bulkConfig(BulkConfig.builder().supported(false).maxOperations(0).maxPayloadSize(0L).build())
                .changePasswordConfig(ChangePasswordConfig.builder().supported(false).build())
                .authenticationSchemes(List.of(AuthenticationScheme.builder()
                        .name("HTTP Basic")
                        .description("Authentication scheme using the HTTP Basic Standard")
                        .type("httpbasic")
                        .specUri("https://www.rfc-editor.org/rfc/rfc7617")
                        .primary(true)
                        .build()))
                .build();
        this.endpoint = new ResourceEndpoint(serviceProvider);
        // The SDK filters, sorts and pages the full lists the handlers return, and hands out the ETags
        // (taken from meta.version where the handler sets it, as these handlers do).
        ResourceType userType = endpoint.registerEndpoint(new UserEndpointDefinition(users));
        userType.setFeatures(features());
        ResourceType groupType = endpoint.registerEndpoint(new GroupEndpointDefinition(groups));
        groupType.setFeatures(features());

        this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "scim-sdk-server");
            thread.setDaemon(true);
            return thread;
        });
        http.setExecutor(executor);
        http.createContext(CONTEXT_PATH, this::handle);
        http.start();
        this.baseUrl = "http://127.0.0.1:" + http.getAddress().getPort() + CONTEXT_PATH;
    }

    private static ResourceTypeFeatures features() {
        return ResourceTypeFeatures.builder()
                .autoFiltering(true)
                .autoSorting(true)
                .eTagFeature(ETagFeature.builder().enabled(true).build())
                .build();
    }

    /** Starts a server on a free loopback port, with a username and password of its own. */
    public static ScimSdkServer start() {
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[18];
        random.nextBytes(secret);
        String user = "idsync-" + HexFormat.of().formatHex(secret, 0, 4);
        String pass = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        try {
            return new ScimSdkServer(user, pass);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the scim-sdk server on loopback", e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public Map<String, String> connectionSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("base-url", baseUrl);
        settings.put("auth", "basic");
        settings.put("username", username);
        settings.put("password", password);
        return settings;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** The requests answered so far, in order. */
    public java.util.List<Received> received() {
        return java.util.List.copyOf(received);
    }

    /** Runs {@code write} (another client's change) once, just before the next PATCH is handled. */
    /**
     * Refuses (400, as AWS IAM Identity Center does past 100) a request to /Groups carrying more than {@code members}
     * member values: in a created or replaced group, or in a PATCH's operations on {@code members}.
     */
    public void refuseMoreMembersThan(int members) {
        memberLimit = members;
    }

    /** The most member values one request to /Groups carried. */
    public int mostMembersInOneRequest() {
        return mostMembers.get();
    }

    private volatile int memberLimit = Integer.MAX_VALUE;
    private final java.util.concurrent.atomic.AtomicInteger mostMembers = new java.util.concurrent.atomic.AtomicInteger();

    private static int memberValues(String body) throws IOException {
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
        int count = json.path("members").size();
        for (com.fasterxml.jackson.databind.JsonNode operation : json.path("Operations")) {
            if (operation.path("path").asText("").startsWith("members")) {
                count += operation.path("value").isArray() ? operation.path("value").size() : 1;
            }
        }
        return count;
    }

    public void beforeNextPatch(Runnable write) {
        beforeNextPatch.set(write);
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------------------------
    // transport

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            ScimResponse response;
            if (!authenticated(exchange)) {
                response = new ErrorResponse(new UnauthenticatedException("not authenticated",
                        endpoint.getServiceProvider().getAuthenticationSchemes(), REALM));
                // the SDK would name the scheme as the service provider config does ("HTTP Basic"); HTTP wants "Basic"
                response.getHttpHeaders().put("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");
            } else {
                HttpMethod method;
                try {
                    method = HttpMethod.valueOf(exchange.getRequestMethod().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    exchange.getResponseHeaders().set("Allow", "GET, POST, PUT, PATCH, DELETE");
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                String url = baseUrl.substring(0, baseUrl.length() - CONTEXT_PATH.length())
                        + exchange.getRequestURI().getRawPath()
                        + (exchange.getRequestURI().getRawQuery() == null ? ""
                                : "?" + exchange.getRequestURI().getRawQuery());
                Map<String, String> headers = new LinkedHashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> {
                    if (!"Authorization".equalsIgnoreCase(name)) { // checked above; kept out of the SDK's logs
                        headers.put(name, String.join(",", values));
                    }
                });
                if (method == HttpMethod.PATCH) {
                    Runnable write = beforeNextPatch.getAndSet(null);
                    if (write != null) {
                        write.run();
                    }
                }
                String body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                int members = !body.isEmpty() && exchange.getRequestURI().getPath().contains("/Groups") ? memberValues(body) : 0;
                mostMembers.accumulateAndGet(members, Math::max);
                if (members > memberLimit) {
                    byte[] refusal = ("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"400\",\"scimType\":\"invalidValue\","
                            + "\"detail\":\"a request may carry at most " + memberLimit + " members, this one has " + members + "\"}").getBytes(StandardCharsets.UTF_8);
                    received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), null, 400));
                    exchange.getResponseHeaders().set("Content-Type", "application/scim+json");
                    exchange.sendResponseHeaders(400, refusal.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(refusal);
                    }
                    return;
                }
                response = endpoint.handleRequest(url, method, body.isEmpty() ? null : body, headers,
                        new Context(authenticatedClient));
            }
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("If-Match"), response.getHttpStatus()));
            write(exchange, response);
        }
    }

    private boolean authenticated(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        return header != null
                && MessageDigest.isEqual(expectedAuthorization, header.trim().getBytes(StandardCharsets.UTF_8));
    }

    private static void write(HttpExchange exchange, ScimResponse response) throws IOException {
        int status = response.getHttpStatus();
        response.getHttpHeaders().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        boolean noBody = status == 204 || status == 304 || response.size() == 0;
        if (noBody) {
            exchange.getResponseHeaders().remove("Content-Type");
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = response.toString().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // storage

    /**
     * Resources by id, each kept as a private copy: the SDK adds location, resource type and version to what a
     * handler returns, so nothing handed out is the stored object.
     */
    private abstract static class StoreHandler<T extends ResourceNode> extends ResourceHandler<T> {

        final Map<String, T> store = new ConcurrentHashMap<>();
        private final AtomicLong revisions = new AtomicLong();
        private final Class<T> type;
        private final String resourceTypeName;

        StoreHandler(Class<T> type, String resourceTypeName) {
            this.type = type;
            this.resourceTypeName = resourceTypeName;
        }

        T copy(T resource) {
            return JsonHelper.readJsonDocument(resource.toString(), type);
        }

        /**
         * Sets meta: created (kept from the stored version, if any), lastModified now, a new weak version. The meta
         * object the SDK passed in is changed in place: the SDK takes the ETag header of a PUT answer from it.
         */
        void stamp(T resource, T previous) {
            Instant now = Instant.now();
            Instant created = previous == null ? now
                    : previous.getMeta().flatMap(Meta::getCreated).orElse(now);
            Meta meta = resource.getMeta().orElse(null);
            if (meta == null) {
                meta = new Meta();
                resource.setMeta(meta);
            }
            meta.setResourceType(resourceTypeName);
            meta.setCreated(created);
            meta.setLastModified(now);
            meta.setVersion(ETag.builder().weak(true).tag(Long.toString(revisions.incrementAndGet())).build());
        }

        /** Checks that a create or replace may keep this resource: the place for uniqueness constraints. */
        void checkUnique(T resource) {
        }

        /** Called after a resource was deleted. */
        void deleted(String id) {
        }

        @Override
        public synchronized T createResource(T resource, Context context) {
            checkUnique(resource);
            String id = UUID.randomUUID().toString();
            resource.setId(id);
            stamp(resource, null);
            store.put(id, copy(resource));
            return resource;
        }

        @Override
        public T getResource(String id, List<SchemaAttribute> attributes, List<SchemaAttribute> excludedAttributes,
                             Context context) {
            T stored = store.get(id);
            if (stored == null) {
                throw new ResourceNotFoundException(resourceTypeName + " '" + id + "' does not exist");
            }
            return copy(stored);
        }

        @Override
        public PartialListResponse<T> listResources(long startIndex, int count, FilterNode filter,
                                                    SchemaAttribute sortBy, SortOrder sortOrder,
                                                    List<SchemaAttribute> attributes,
                                                    List<SchemaAttribute> excludedAttributes, Context context) {
            // auto-filtering and auto-sorting are on: the SDK filters, sorts and pages this full list. Unsorted
            // lists come oldest first, so that pages stay stable while resources are added.
            List<T> all = new ArrayList<>();
            store.values().forEach(resource -> all.add(copy(resource)));
            all.sort(Comparator
                    .comparing((T resource) -> resource.getMeta().flatMap(Meta::getCreated).orElse(Instant.EPOCH))
                    .thenComparing(resource -> resource.getId().orElse("")));
            return PartialListResponse.<T>builder().resources(all).totalResults(all.size()).build();
        }

        @Override
        public synchronized T updateResource(T resource, Context context) {
            String id = resource.getId().orElseThrow();
            T previous = store.get(id);
            if (previous == null) {
                throw new ResourceNotFoundException(resourceTypeName + " '" + id + "' does not exist");
            }
            checkUnique(resource);
            stamp(resource, previous);
            store.put(id, copy(resource));
            return resource;
        }

        @Override
        public synchronized void deleteResource(String id, Context context) {
            if (store.remove(id) == null) {
                throw new ResourceNotFoundException(resourceTypeName + " '" + id + "' does not exist");
            }
            deleted(id);
        }
    }

    private final class UserHandler extends StoreHandler<User> {

        UserHandler() {
            super(User.class, "User");
        }

        @Override
        void checkUnique(User user) {
            String userName = user.getUserName().orElse(null);
            if (userName == null) {
                return;
            }
            String id = user.getId().orElse(null);
            for (User other : store.values()) {
                if (!other.getId().orElse("").equals(id)
                        && other.getUserName().map(userName::equalsIgnoreCase).orElse(false)) {
                    throw new ConflictException("the userName '" + userName + "' is already taken",
                            ScimType.RFC7644.UNIQUENESS);
                }
            }
        }

        @Override
        void deleted(String id) {
            groups.removeMember(id);
        }
    }

    private static final class GroupHandler extends StoreHandler<Group> {

        GroupHandler() {
            super(Group.class, "Group");
        }

        /** Takes a deleted user (or group) out of every group that has it as a member. */
        synchronized void removeMember(String memberId) {
            store.forEach((id, group) -> {
                List<Member> members = group.getMembers();
                List<Member> kept = new ArrayList<>();
                members.forEach(member -> {
                    if (!member.getValue().map(memberId::equals).orElse(false)) {
                        kept.add(member);
                    }
                });
                if (kept.size() != members.size()) {
                    Group updated = copy(group);
                    updated.setMembers(kept);
                    stamp(updated, group);
                    store.put(id, updated);
                }
            });
        }

        @Override
        void deleted(String id) {
            removeMember(id);
        }
    }
}

package io.idsync.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sandbox's wire format, checked over raw HTTP: what a PingOne client would see. */
class PingOneSandboxTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private PingOneSandbox sandbox;
    private String api;
    private String token;

    @BeforeEach
    void start() throws Exception {
        // the sandbox's own answers to what PingOne refuses, so the tests' contract check (which refuses first) is off
        sandbox = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 10, Duration.ZERO)).start().withoutRequestChecks();
        SandboxEnvironment env = DemoSeed.seed(sandbox, "worker", "worker-secret", 25, 5);
        env.addApplication("poster", "post app", "post-secret", SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_POST);
        api = sandbox.baseUrl() + "/v1/environments/demo-env";
        token = basicToken("worker", "worker-secret").path("access_token").asText();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void tokensHonourTheAppsAuthMethod() throws Exception {
        JsonNode basic = basicToken("worker", "worker-secret");
        assertEquals("Bearer", basic.path("token_type").asText());
        assertEquals(3600, basic.path("expires_in").asInt());

        HttpResponse<String> post = form("grant_type=client_credentials&client_id=poster&client_secret=post-secret", null);
        assertEquals(200, post.statusCode());

        HttpResponse<String> wrongMethod = form("grant_type=client_credentials&client_id=worker&client_secret=worker-secret", null);
        assertEquals(401, wrongMethod.statusCode(), "a BASIC app refuses credentials in the body");
        assertEquals("invalid_client", JSON.readTree(wrongMethod.body()).path("error").asText());

        HttpResponse<String> wrongSecret = form("grant_type=client_credentials", basic("worker", "nope"));
        assertEquals(401, wrongSecret.statusCode());
    }

    @Test
    void apiCallsWithoutAValidTokenGet401AccessFailed() throws Exception {
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(api + "/users")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, none.statusCode());
        JsonNode body = JSON.readTree(none.body());
        assertEquals("ACCESS_FAILED", body.path("code").asText());
        assertEquals("INVALID_TOKEN", body.path("details").path(0).path("code").asText());
        assertNotNull(body.path("id").asText(null));
        assertEquals(401, get("/users", "bogus-token").statusCode());
    }

    @Test
    void usersPageWithCursorsInNextLinks() throws Exception {
        Set<String> ids = new HashSet<>();
        String next = api + "/users?limit=7";
        int pages = 0;
        while (next != null) {
            JsonNode page = JSON.readTree(send("GET", next, null, null).body());
            assertTrue(page.path("_links").path("self").path("href").asText().startsWith("http://"), "absolute HAL links");
            page.path("_embedded").path("users").forEach(u -> ids.add(u.path("id").asText()));
            assertTrue(page.path("size").asInt() <= 7);
            JsonNode href = page.path("_links").path("next").path("href");
            next = href.isMissingNode() ? null : href.asText();
            if (next != null) {
                assertTrue(next.contains("cursor="), next);
            }
            pages++;
        }
        assertEquals(30, ids.size(), "every user once across pages");
        assertEquals(5, pages);
    }

    @Test
    void filtersSelectUsersAndUnsupportedOnesAreRefused() throws Exception {
        String employees = sandbox.environment("demo-env").populationIdsByName().get("Employees");
        assertEquals(25, users("population.id eq \"" + employees + "\"").size());
        assertEquals(List.of("e000001.alan"), users("username eq \"E000001.ALAN\"").stream().map(u -> u.path("username").asText()).toList(),
                "eq is case-insensitive");
        assertEquals(11, users("username sw \"e00001\" or username eq \"c000001.alan\"").size());
        assertEquals(1, users("(name.given eq \"Alan\") and population.id eq \"" + employees + "\"").size());
        assertEquals(1, users("email ew \"e000002.barbara@example.com\"").size());

        String groupId = sandbox.environment("demo-env").seedGroup("Filters", "test");
        String userId = users("username eq \"e000003.brian\"").get(0).path("id").asText();
        assertEquals(201, send("POST", api + "/users/" + userId + "/memberOfGroups", "{\"id\":\"" + groupId + "\"}", "application/json").statusCode());
        assertEquals(List.of(userId), users("memberOfGroups[id eq \"" + groupId + "\"]").stream().map(u -> u.path("id").asText()).toList());

        for (String bad : List.of("createdAt gt \"2020-01-01T00:00:00Z\"", "username co \"x\"", "username eq", "username eq \"a\" and (")) {
            HttpResponse<String> response = get("/users?filter=" + enc(bad), token);
            assertEquals(400, response.statusCode(), bad);
            JsonNode body = JSON.readTree(response.body());
            assertEquals("INVALID_DATA", body.path("code").asText());
            assertEquals("INVALID_FILTER", body.path("details").path(0).path("code").asText(), bad);
        }
    }

    @Test
    void writesFollowPingOneSemanticsAndErrorBodies() throws Exception {
        HttpResponse<String> created = send("POST", api + "/users", "{\"username\":\"new.one\",\"email\":\"n@example.com\",\"name\":{\"given\":\"N\"}}",
                "application/json");
        assertEquals(201, created.statusCode());
        JsonNode user = JSON.readTree(created.body());
        assertEquals(api + "/users/" + user.path("id").asText(), created.headers().firstValue("Location").orElseThrow());
        assertEquals("OK", user.path("account").path("status").asText());
        String id = user.path("id").asText();

        HttpResponse<String> duplicate = send("POST", api + "/users", "{\"username\":\"NEW.ONE\",\"email\":\"n2@example.com\"}", "application/json");
        assertEquals(400, duplicate.statusCode());
        JsonNode error = JSON.readTree(duplicate.body());
        assertEquals("INVALID_DATA", error.path("code").asText());
        assertEquals("UNIQUENESS_VIOLATION", error.path("details").path(0).path("code").asText());
        assertEquals("username", error.path("details").path(0).path("target").asText());

        JsonNode patched = JSON.readTree(send("PATCH", api + "/users/" + id, "{\"name\":{\"family\":\"One\"}}", "application/json").body());
        assertEquals("N", patched.path("name").path("given").asText(), "PATCH merges");
        JsonNode replaced = JSON.readTree(send("PUT", api + "/users/" + id, "{\"username\":\"new.one\",\"email\":\"n@example.com\"}", "application/json").body());
        assertTrue(replaced.path("name").isMissingNode(), "PUT clears what it omits");

        JsonNode locked = JSON.readTree(send("POST", api + "/users/" + id, "{}", "application/vnd.pingidentity.account.lock+json").body());
        assertEquals("LOCKED", locked.path("account").path("status").asText());
        assertNotNull(locked.path("account").path("lockedAt").asText(null));
        assertEquals(415, send("POST", api + "/users/" + id, "{}", "application/json").statusCode());
        assertEquals(200, send("PUT", api + "/users/" + id + "/enabled", "{\"enabled\":false}", "application/json").statusCode());
        assertFalse(JSON.readTree(get("/users/" + id, token).body()).path("enabled").asBoolean());

        assertEquals(204, send("DELETE", api + "/users/" + id, null, null).statusCode());
        HttpResponse<String> gone = get("/users/" + id, token);
        assertEquals(404, gone.statusCode());
        assertEquals("NOT_FOUND", JSON.readTree(gone.body()).path("code").asText());
        assertEquals(400, send("POST", api + "/users", "not json", "application/json").statusCode());
    }

    @Test
    void theActivitiesFeedNeedsARecordedAtWindowAndListsNewestFirst() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        String first = JSON.readTree(send("POST", api + "/users", "{\"username\":\"act.one\",\"email\":\"act.one@example.com\"}", "application/json").body()).path("id").asText();
        send("PATCH", api + "/users/" + first, "{\"title\":\"T\"}", "application/json");
        send("DELETE", api + "/users/" + first, null, null);

        assertEquals(400, get("/activities", token).statusCode(), "no filter");
        assertEquals(400, get("/activities?filter=" + enc("action.type eq \"USER.CREATED\""), token).statusCode(), "no recordedAt window");
        assertEquals(400, get("/activities?filter=" + enc("recordedAt gt \"2000-01-01T00:00:00Z\" and recordedAt lt \"2000-02-01T00:00:00Z\""), token)
                .statusCode(), "more than 14 days");

        JsonNode page = JSON.readTree(get("/activities?filter=" + enc("recordedAt gt \"" + before + "\" and recordedAt lt \"" + Instant.now().plusSeconds(1) + "\""),
                token).body());
        List<String> types = new ArrayList<>();
        page.path("_embedded").path("activities").forEach(a -> types.add(a.path("action").path("type").asText()));
        assertEquals(List.of("USER.DELETED", "USER.UPDATED", "USER.CREATED"), types, "newest first");
        JsonNode created = page.path("_embedded").path("activities").get(2);
        assertEquals("worker", created.path("actors").path("client").path("id").asText(), "the caller's client id");
        assertEquals(first, created.path("resources").path(0).path("id").asText());
        assertEquals("USER", created.path("resources").path(0).path("type").asText());
    }

    @Test
    void theAuditFeedIsLimitedToTenRequestsPerSecondWithRetryAfter() throws Exception {
        String filter = "/activities?filter=" + enc("recordedAt gt \"" + Instant.now().minusSeconds(60) + "\"");
        HttpResponse<String> limited = null;
        for (int i = 0; i < 30 && limited == null; i++) {
            HttpResponse<String> response = get(filter, token);
            if (response.statusCode() == 429) {
                limited = response;
            }
        }
        assertNotNull(limited, "more than 10 requests in a second are refused");
        assertEquals("1", limited.headers().firstValue("Retry-After").orElseThrow());
        JsonNode body = JSON.readTree(limited.body());
        assertEquals("REQUEST_LIMITED", body.path("code").asText());
        assertEquals("LIMIT_EXCEEDED", body.path("details").path(0).path("code").asText());
    }

    @Test
    void theConfigurableApiLimitAnswers429() throws Exception {
        sandbox.setRequestsPerSecond(2);
        int limited = 0;
        for (int i = 0; i < 6; i++) {
            if (get("/users?limit=1", token).statusCode() == 429) {
                limited++;
            }
        }
        assertTrue(limited >= 1, "requests past the limit get 429");
    }

    // --- helpers -------------------------------------------------------------------------------------

    @Test
    void usersAreRefusedAsPingOnesUserModelRefusesThemWithEveryProblemInDetails() throws Exception {
        HttpResponse<String> noEmail = send("POST", api + "/users", "{\"username\":\"no.mail\"}", "application/json");
        assertEquals(400, noEmail.statusCode());
        JsonNode error = JSON.readTree(noEmail.body());
        assertEquals("INVALID_DATA", error.path("code").asText());
        assertEquals("REQUIRED_VALUE", error.path("details").path(0).path("code").asText());
        assertEquals("email", error.path("details").path(0).path("target").asText());

        String bad = "{\"username\":\"bad.values\",\"email\":\"not an address\",\"timezone\":\"Mars\",\"title\":\"" + "t".repeat(257)
                + "\",\"name\":{\"family\":\"O\\\"Hara, Jr.\"}}";
        JsonNode refused = JSON.readTree(send("POST", api + "/users", bad, "application/json").body());
        List<String> problems = new ArrayList<>();
        refused.path("details").forEach(d -> problems.add(d.path("code").asText() + " " + d.path("target").asText()));
        assertEquals(List.of("INVALID_VALUE email", "INVALID_VALUE name.family", "SIZE_LIMIT_EXCEEDED title", "INVALID_VALUE timezone"), problems);
        JsonNode family = refused.path("details").get(1);
        assertEquals("^[\\p{L}\\p{M}\\p{N}' .-]*$", family.path("innerError").path("allowedPattern").asText(), "what would have been accepted");
        assertEquals(256, refused.path("details").get(2).path("innerError").path("rangeMaximumValue").asInt());

        String id = JSON.readTree(send("POST", api + "/users", "{\"username\":\"has.mail\",\"email\":\"h@example.com\"}", "application/json").body())
                .path("id").asText();
        assertEquals(400, send("PATCH", api + "/users/" + id, "{\"email\":null}", "application/json").statusCode(), "email cannot be unset");
        assertEquals(200, send("PATCH", api + "/users/" + id, "{\"title\":null}", "application/json").statusCode(), "null unsets what is optional");

        sandbox.environment("demo-env").requireEmail(false);
        assertEquals(201, send("POST", api + "/users", "{\"username\":\"no.mail\"}", "application/json").statusCode(),
                "an environment set up without a required email");
    }

    @Test
    void listsCarryCountAndSizeAndGroupNamesOnlyOnAReadOfOneUser() throws Exception {
        JsonNode page = JSON.readTree(get("/users?limit=7&include=memberOfGroupNames", token).body());
        assertEquals(30, page.path("count").asInt(), "every user, on every page");
        assertEquals(7, page.path("size").asInt());
        String employees = sandbox.environment("demo-env").populationIdsByName().get("Employees");
        JsonNode filtered = JSON.readTree(get("/users?limit=10&filter=" + enc("population.id eq \"" + employees + "\""), token).body());
        assertEquals(25, filtered.path("count").asInt());
        assertEquals(10, filtered.path("size").asInt());

        String groupId = sandbox.environment("demo-env").seedGroup("Readers", "test");
        String userId = page.path("_embedded").path("users").path(0).path("id").asText();
        send("POST", api + "/users/" + userId + "/memberOfGroups", "{\"id\":\"" + groupId + "\"}", "application/json");
        JsonNode members = JSON.readTree(get("/users?include=memberOfGroupNames&filter=" + enc("memberOfGroups[id eq \"" + groupId + "\"]"), token).body());
        assertTrue(members.path("_embedded").path("users").path(0).path("memberOfGroupNames").isMissingNode(),
                "PingOne's User: memberOfGroupNames \"is not returned with a list of users\"");
        JsonNode one = JSON.readTree(get("/users/" + userId + "?include=memberOfGroupNames", token).body());
        assertEquals("Readers", one.path("memberOfGroupNames").path(0).asText());

        Instant before = Instant.now().minusSeconds(1);
        send("POST", api + "/users/" + userId, null, "application/vnd.pingidentity.account.lock+json");
        send("POST", api + "/users/" + userId, null, "application/vnd.pingidentity.account.unlock+json");
        JsonNode activities = JSON.readTree(get("/activities?filter=" + enc("recordedAt gt \"" + before + "\""), token).body());
        List<String> types = new ArrayList<>();
        activities.path("_embedded").path("activities").forEach(a -> types.add(a.path("action").path("type").asText()));
        assertEquals(types.size(), activities.path("count").asInt());
        assertEquals(List.of("USER.UNLOCKED", "USER.LOCKED"), types.stream().filter(type -> type.startsWith("USER.")).toList());
        assertTrue(types.contains("MEMBER_OF_GROUP.CREATED"), types.toString());
    }

    private List<JsonNode> users(String filter) throws Exception {
        HttpResponse<String> response = get("/users?limit=1000&filter=" + enc(filter), token);
        assertEquals(200, response.statusCode(), response.body());
        List<JsonNode> users = new ArrayList<>();
        JSON.readTree(response.body()).path("_embedded").path("users").forEach(users::add);
        return users;
    }

    private JsonNode basicToken(String id, String secret) throws Exception {
        HttpResponse<String> response = form("grant_type=client_credentials", basic(id, secret));
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> form(String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/demo-env/as/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(String path, String bearer) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", "Bearer " + bearer).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String url, String body, String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

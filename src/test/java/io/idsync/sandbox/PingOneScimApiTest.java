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
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sandbox's PingOne SCIM API (seed 004's destination, {@code /environments/{envId}/v2}) over raw HTTP, as a
 * SCIM client sees it: RFC 7644 resources, lists, PatchOps and errors, and users that are the environment's own.
 */
class PingOneScimApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENV = "p1-user-destination";
    private final HttpClient http = HttpClient.newHttpClient();
    private PingOneSandbox sandbox;
    private String scim;
    private String token;
    private String population;

    @BeforeEach
    void start() throws Exception {
        sandbox = new PingOneSandbox(new PingOneSandbox.Settings(0, 0, 10, Duration.ZERO)).start();
        SandboxEnvironment env = sandbox.createEnvironment(ENV);
        population = env.createPopulation("Provisioned", true);
        env.addApplication("scim-worker", "SCIM worker", "scim-secret", SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_BASIC);
        scim = sandbox.baseUrl() + "/environments/" + ENV + "/v2";
        HttpResponse<String> issued = http.send(HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/" + ENV + "/as/token"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("scim-worker:scim-secret".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(), HttpResponse.BodyHandlers.ofString());
        token = JSON.readTree(issued.body()).path("access_token").asText();
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void aUserCreatedOverScimIsTheEnvironmentsOwnAndFoundByFilter() throws Exception {
        HttpResponse<String> created = send("POST", "/Users", """
                {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "o\\"brien", "active": true,
                 "name": {"givenName": "Pat", "familyName": "O'Brien"},
                 "emails": [{"value": "pat@example.com", "type": "work", "primary": true}]}""");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("application/scim+json", created.headers().firstValue("Content-Type").orElse(""));
        JsonNode user = JSON.readTree(created.body());
        String id = user.path("id").asText();
        assertEquals("o\"brien", user.path("userName").asText());
        assertEquals(population, user.path(SandboxScim.PINGONE_USER).path("population").path("id").asText(), "the default population");
        assertEquals(scim + "/Users/" + id, user.path("meta").path("location").asText());
        // the Management API has the same user
        JsonNode managed = sandbox.environment(ENV).user(id);
        assertEquals("pat@example.com", managed.path("email").asText());
        assertEquals("Pat", managed.path("name").path("given").asText());

        JsonNode found = JSON.readTree(get("/Users?filter=" + encode("userName eq \"O\\\"BRIEN\"")).body());
        assertEquals(1, found.path("totalResults").asInt(), "equality ignores case; the quote is escaped");
        assertEquals(id, found.path("Resources").path(0).path("id").asText());
        assertEquals(0, JSON.readTree(get("/Users?filter=" + encode("userName eq \"brien\" or emails.value ew \"@other.org\"")).body())
                .path("totalResults").asInt());
        assertEquals(1, JSON.readTree(get("/Users?filter=" + encode("emails[type eq \"work\" and value co \"pat@\"] and active eq true")).body())
                .path("totalResults").asInt());

        HttpResponse<String> duplicate = send("POST", "/Users", "{\"schemas\": [\"urn:ietf:params:scim:schemas:core:2.0:User\"], \"userName\": \"O\\\"Brien\","
                + " \"emails\": [{\"value\": \"o.brien@example.com\", \"type\": \"work\"}]}");
        assertEquals(409, duplicate.statusCode());
        assertEquals("uniqueness", JSON.readTree(duplicate.body()).path("scimType").asText());

        HttpResponse<String> broken = get("/Users?filter=" + encode("userName eq \"x"));
        assertEquals(400, broken.statusCode());
        JsonNode error = JSON.readTree(broken.body());
        assertEquals("invalidFilter", error.path("scimType").asText());
        assertEquals("400", error.path("status").asText());
        assertEquals(SandboxScim.ERROR, error.path("schemas").path(0).asText());
    }

    @Test
    void aPatchIsAppliedInOrderAndAtomically() throws Exception {
        String id = JSON.readTree(send("POST", "/Users", """
                {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "patched", "title": "Engineer",
                 "emails": [{"value": "old@example.com", "type": "work"}]}""").body()).path("id").asText();
        HttpResponse<String> patched = send("PATCH", "/Users/" + id, """
                {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
                  {"op": "replace", "path": "name.givenName", "value": "Ada"},
                  {"op": "replace", "path": "emails[type eq \\"work\\"].value", "value": "new@example.com"},
                  {"op": "replace", "value": {"active": false}},
                  {"op": "remove", "path": "title"}]}""");
        assertEquals(200, patched.statusCode(), patched.body());
        JsonNode managed = sandbox.environment(ENV).user(id);
        assertEquals("Ada", managed.path("name").path("given").asText());
        assertEquals("new@example.com", managed.path("email").asText());
        assertFalse(managed.path("enabled").asBoolean(), "active false disables the PingOne user");
        assertFalse(managed.has("title"));

        HttpResponse<String> refused = send("PATCH", "/Users/" + id, """
                {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
                  {"op": "replace", "path": "title", "value": "Lead"},
                  {"op": "replace", "path": "id", "value": "another"}]}""");
        assertEquals(400, refused.statusCode());
        assertEquals("mutability", JSON.readTree(refused.body()).path("scimType").asText());
        assertFalse(sandbox.environment(ENV).user(id).has("title"), "the first operation did not stay: all or nothing");

        assertEquals(204, send("DELETE", "/Users/" + id, null).statusCode());
        HttpResponse<String> gone = get("/Users/" + id);
        assertEquals(404, gone.statusCode());
        assertEquals("404", JSON.readTree(gone.body()).path("status").asText());
    }

    @Test
    void whatTheServiceProviderSupportsAndWhatItRefuses() throws Exception {
        JsonNode config = JSON.readTree(get("/ServiceProviderConfig").body());
        assertTrue(config.path("patch").path("supported").asBoolean());
        assertTrue(config.path("filter").path("supported").asBoolean());
        assertEquals(200, config.path("filter").path("maxResults").asInt());
        assertFalse(config.path("etag").path("supported").asBoolean());
        assertFalse(config.path("bulk").path("supported").asBoolean());
        assertFalse(config.path("sort").path("supported").asBoolean());
        JsonNode types = JSON.readTree(get("/ResourceTypes").body());
        assertEquals("/Users", types.path("Resources").path(0).path("endpoint").asText());
        assertEquals(1, types.path("totalResults").asInt(), "Users only: PingOne's SCIM API has no Groups");
        assertEquals(2, JSON.readTree(get("/Schemas").body()).path("totalResults").asInt());
        assertEquals(404, get("/Groups").statusCode());
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(scim + "/Users")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        assertEquals("401", JSON.readTree(anonymous.body()).path("status").asText());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scim + path)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/scim+json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

package io.idsync.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.pingone.PingOneClient;
import io.idsync.connector.pingone.PingOneSettings;
import io.idsync.sandbox.DemoSeed;

import java.time.Duration;
import java.util.List;

/**
 * Makes changes in the PingOne sandbox over its HTTP API, the way a person or script does as
 * {@code demo-admin} (or as any other registered worker app).
 */
public final class SandboxAdmin {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final PingOneClient client;

    public SandboxAdmin(String baseUrl, String clientId, String secret) {
        this(baseUrl, DemoSeed.ENVIRONMENT, clientId, secret);
    }

    /** As a worker app of another environment of the sandbox. */
    public SandboxAdmin(String baseUrl, String environment, String clientId, String secret) {
        this.client = new PingOneClient(new PingOneSettings("admin", baseUrl + "/v1", baseUrl + "/" + environment + "/as/token",
                environment, clientId, secret, PingOneSettings.TokenAuthMethod.BASIC, Duration.ZERO, 0, 100,
                Duration.ofSeconds(5), Duration.ofSeconds(10), 3));
    }

    public static SandboxAdmin demoAdmin(String baseUrl) {
        return new SandboxAdmin(baseUrl, DemoSeed.ADMIN_CLIENT_ID, DemoSeed.ADMIN_SECRET);
    }

    public PingOneClient client() {
        return client;
    }

    public String populationId(String name) {
        JsonNode page = client.get("/populations?filter=" + PingOneClient.encode("name eq \"" + name + "\"")).body();
        return page.path("_embedded").path("populations").path(0).path("id").asText();
    }

    /** Creates a user with username, given and family name in a population; answers the user's id. */
    public String createUser(String username, String given, String family, String population) {
        ObjectNode user = JSON.createObjectNode();
        user.put("username", username);
        user.put("email", "user" + Math.abs(username.hashCode()) + "@example.com");
        user.putObject("name").put("given", given).put("family", family);
        user.putObject("population").put("id", populationId(population));
        return createUser(user);
    }

    public String createUser(ObjectNode user) {
        return client.send("POST", "/users", user, null).body().path("id").asText();
    }

    public JsonNode patchUser(String id, ObjectNode patch) {
        return client.send("PATCH", "/users/" + id, patch, null).body();
    }

    public void lock(String id) {
        client.send("POST", "/users/" + id, null, "application/vnd.pingidentity.account.lock+json");
    }

    public void unlock(String id) {
        client.send("POST", "/users/" + id, null, "application/vnd.pingidentity.account.unlock+json");
    }

    public void setEnabled(String id, boolean enabled) {
        client.send("PUT", "/users/" + id + "/enabled", JSON.createObjectNode().put("enabled", enabled), null);
    }

    public void movePopulation(String id, String population) {
        client.send("PUT", "/users/" + id + "/population", JSON.createObjectNode().put("id", populationId(population)), null);
    }

    /** The user with this username, or null. */
    public JsonNode user(String username) {
        JsonNode users = client.get("/users?filter=" + PingOneClient.encode("username eq " + PingOneClient.filterValue(username))).body()
                .path("_embedded").path("users");
        return users.size() == 0 ? null : users.get(0);
    }

    public void deleteUser(String id) {
        client.send("DELETE", "/users/" + id, null, null);
    }

    /** The id of the first user whose username starts with {@code prefix} (the seeded {@code e000001.}, say). */
    public String userIdStartingWith(String prefix) {
        return client.get("/users?filter=" + PingOneClient.encode("username sw " + PingOneClient.filterValue(prefix))).body()
                .path("_embedded").path("users").path(0).path("id").asText();
    }

    /** Creates a group of this name; answers its id. */
    public String createGroup(String name) {
        return client.send("POST", "/groups", JSON.createObjectNode().put("name", name), null).body().path("id").asText();
    }

    /** The id of the group of this name, or null. */
    public String groupId(String name) {
        JsonNode groups = client.get("/groups?filter=" + PingOneClient.encode("name eq " + PingOneClient.filterValue(name))).body()
                .path("_embedded").path("groups");
        return groups.size() == 0 ? null : groups.get(0).path("id").asText();
    }

    public void addMember(String userId, String groupId) {
        client.send("POST", "/users/" + userId + "/memberOfGroups", JSON.createObjectNode().put("id", groupId), null);
    }

    public void removeMember(String userId, String groupId) {
        client.deleteIfPresent("/users/" + userId + "/memberOfGroups/" + groupId);
    }
}

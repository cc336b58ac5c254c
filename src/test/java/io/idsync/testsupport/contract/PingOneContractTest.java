package io.idsync.testsupport.contract;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract the tests hold idsync's PingOne requests to: it accepts PingOne's own examples and refuses what the
 * OpenAPI description refuses. (Every sandbox in the tests applies it: see {@link PingOneContractCheck}.)
 */
class PingOneContractTest {

    private static final PingOneContract CONTRACT = PingOneContract.load();
    private static final String ENV = "/environments/abc";

    private static List<String> check(String method, String path, Map<String, String> query, String contentType, String body) {
        return CONTRACT.violations(method, ENV + path, query, contentType, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void pingOnesOwnExamplesPass() {
        assertEquals(List.of(), check("POST", "/users", Map.of(), "application/json", """
                {"email":"do-not-send@example.com","name":{"given":"Test","family":"User"},"population":{"id":"p1"},
                 "username":"import-user_1","password":{"value":"x","forceChange":false}}"""));
        assertEquals(List.of(), check("PATCH", "/users/u1", Map.of(), "application/json", "{\"title\":\"Manager\"}"),
                "spec-errors.patch-required: a PATCH carries what it changes");
        assertEquals(List.of(), check("PATCH", "/users/u1", Map.of(), "application/json", "{\"title\":null,\"name\":{\"middle\":null}}"),
                "spec-errors.null-unsets");
        assertEquals(List.of(), check("GET", "/users", Map.of("limit", "1000", "filter", "username eq \"x\"", "cursor", "c"), "", null));
        assertEquals(List.of(), check("GET", "/users/u1", Map.of("include", "memberOfGroupNames"), "", null));
        assertEquals(List.of(), check("POST", "/users/u1", Map.of(), "application/vnd.pingidentity.account.unlock+json", null));
        assertEquals(List.of(), check("PUT", "/groups/g1", Map.of(), "application/json", "{\"name\":\"G\",\"description\":\"d\",\"customData\":{\"a\":1}}"));
        assertEquals(List.of(), check("GET", "/activities", Map.of("limit", "1000", "filter", "recordedAt gt \"x\"", "cursor", "c"), "", null),
                "spec-errors.activities-cursor");
    }

    @Test
    void whatTheDescriptionRefusesIsNamedWithItsOperation() {
        List<String> noEmail = check("POST", "/users", Map.of(), "application/json", "{\"username\":\"u\"}");
        assertEquals(1, noEmail.size(), noEmail.toString());
        assertTrue(noEmail.get(0).startsWith("POST /environments/abc/users (createUser): body") && noEmail.get(0).contains("email"), noEmail.get(0));

        assertEquals(1, check("GET", "/users", Map.of("limit", "5000"), "", null).size(), "limit is at most 1000");
        assertEquals(1, check("GET", "/users", Map.of("limit", "ten"), "", null).size(), "limit is an integer");
        List<String> include = check("GET", "/users", Map.of("include", "memberOfGroupNames"), "", null);
        assertEquals(List.of("GET /environments/abc/users (readAllUsers): query parameter 'include' is not one PingOne's readAllUsers takes"
                + " (it takes filter, limit, cursor)"), include);
        assertEquals(1, check("POST", "/users", Map.of(), "application/json", "{\"username\":\"u\",\"email\":\"u@example.com\",\"enabled\":false}").size(),
                "enabled is read-only: PUT /users/{id}/enabled sets it");
        assertEquals(1, check("PATCH", "/users/u1", Map.of(), "application/json", "{\"timezone\":\"Mars\"}").size());
        List<String> unsetEmail = check("PATCH", "/users/u1", Map.of(), "application/json", "{\"email\":null}");
        assertTrue(!unsetEmail.isEmpty() && unsetEmail.stream().allMatch(v -> v.contains("/email: null found")), "email cannot be unset: " + unsetEmail);
        List<String> comma = check("PATCH", "/users/u1", Map.of(), "application/json", "{\"name\":{\"family\":\"O'Hara, Jr.\"}}");
        assertEquals(1, comma.size(), comma.toString());
        assertEquals(1, check("POST", "/users", Map.of(), "text/plain", "{\"username\":\"u\",\"email\":\"u@example.com\"}").size());
        assertEquals(2, check("POST", "/users/u1", Map.of(), "application/vnd.pingidentity.account.lock+json", "{}").size(),
                "a lock with a body sends the account state PingOne requires (canAuthenticate, status)");
        assertEquals(1, check("PUT", "/groups/g1", Map.of(), "application/json", "{\"name\":\"G\",\"directMemberCounts\":{\"users\":1}}").size());
        assertEquals(1, check("POST", "/users/u1/memberOfGroups", Map.of(), "application/json", "{}").size(), "the group's id");
        assertEquals(List.of("PATCH /environments/abc/groups/g1 is none of the operations of PingOne's API idsync is held to (not with PATCH)"),
                check("PATCH", "/groups/g1", Map.of(), "application/json", "{\"name\":\"G\"}"), "groups have PUT only");
        assertEquals(1, check("POST", "/populations", Map.of(), "", null).size(), "createPopulation requires a body");
    }
}

package io.idsync.connector.scim;

import io.idsync.connector.Connector;
import io.idsync.connector.Destination;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.EntryType;
import io.idsync.connector.Plan;
import io.idsync.connector.Settings;
import io.idsync.testsupport.scim.ScimServerUnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one scenario every SCIM provider idsync writes to must pass, through the connection as a pipe uses it (the
 * kind, its settings, the destinations): create, find by filter, update by PATCH and by PUT, disable, delete, a
 * group with members, a duplicate userName, and values with {@code "}, {@code \}, {@code ,} and non-ASCII in them.
 * Each subclass runs it against one server the project did not write (and the sandbox's PingOne SCIM API, so it
 * cannot drift from what they accept).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ScimInteroperabilityScenario {

    static final String WORK_EMAIL = "emails[type eq \"work\"].value";

    private ScimServerUnderTest server;

    /** Starts the server under test. */
    abstract ScimServerUnderTest start() throws Exception;

    /** Whether the server has /Groups (PingOne's SCIM API has not: group pipes to it must be refused). */
    boolean hasGroups() {
        return true;
    }

    @BeforeAll
    void startServer() throws Exception {
        server = start();
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** A connection to the server as a deployment would configure it, plus {@code extra} keys. */
    Connector connect(Map<String, String> extra) {
        Map<String, String> keys = new HashMap<>();
        server.connectionSettings().forEach((key, value) -> keys.put("idsync.connections.interop." + key, value));
        extra.forEach((key, value) -> keys.put("idsync.connections.interop." + key, value));
        keys.putIfAbsent("idsync.connections.interop.max-attempts", "2");
        Settings connection = new Settings("idsync.connections.interop", key -> Optional.ofNullable(keys.get(key)));
        ScimKind kind = new ScimKind();
        assertEquals(List.of(), kind.problems(connection), server.name() + ": the connection's settings");
        return kind.open("interop", connection);
    }

    Destination users(Map<String, String> extra) {
        return connect(extra).destination(EntryType.USER, new Settings("idsync.pipes.interop", key -> Optional.empty()));
    }

    private static Plan create(Map<String, List<String>> attributes) {
        return new Plan(Plan.Action.CREATE, null, null, attributes, List.of());
    }

    private static Plan modify(String ref, Plan.AttributeChange... changes) {
        return new Plan(Plan.Action.MODIFY, ref, null, Map.of(), List.of(changes));
    }

    private static Plan.AttributeChange replace(String attribute, String... values) {
        return new Plan.AttributeChange(attribute, Plan.AttributeChange.Kind.REPLACE, List.of(values));
    }

    static Map<String, List<String>> user(String userName, String given, String family, String email) {
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        attributes.put("userName", List.of(userName));
        attributes.put("name.givenName", List.of(given));
        attributes.put("name.familyName", List.of(family));
        attributes.put("name.formatted", List.of(given + " " + family));
        attributes.put(WORK_EMAIL, List.of(email));
        attributes.put("title", List.of("Engineer"));
        attributes.put("active", List.of("true"));
        return attributes;
    }

    static String unique(String prefix) {
        return prefix + "." + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void createFindPatchDisableDelete() {
        Destination users = users(Map.of());
        String userName = unique("ada.lovelace");
        String id = users.apply(create(user(userName, "Ada", "Lovelace", userName + "@example.com"))).id();

        List<DestinationEntry> found = users.find(Map.of("userName", userName), 2);
        assertEquals(1, found.size(), server.name() + ": found by userName eq");
        assertEquals(id, found.get(0).id());
        assertEquals(List.of(userName + "@example.com"), found.get(0).values(WORK_EMAIL), server.name() + ": the work e-mail");

        users.apply(modify(id, replace("title", "Lead"), replace("name.givenName", "Augusta"), replace(WORK_EMAIL, "augusta@example.com")));
        DestinationEntry patched = users.read(id).orElseThrow();
        assertEquals(List.of("Lead"), patched.values("title"), server.name() + ": PATCH replace title");
        assertEquals(List.of("Augusta"), patched.values("name.givenName"));
        assertEquals(List.of("augusta@example.com"), patched.values(WORK_EMAIL), server.name() + ": the work e-mail replaced, not added");
        assertEquals(List.of("Lovelace"), patched.values("name.familyName"), "what the PATCH did not name is kept");

        users.apply(modify(id, replace("active", "false")));
        assertEquals(List.of("false"), users.read(id).orElseThrow().values("active"), server.name() + ": disabled");

        users.apply(Plan.delete(id));
        assertTrue(users.read(id).isEmpty(), server.name() + ": deleted");
        users.apply(Plan.delete(id)); // a replay deletes what is gone: no error
    }

    @Test
    void updateByPutWhereConfigured() {
        Destination users = users(Map.of("update-method", "put"));
        String userName = unique("alan.turing");
        String id = users.apply(create(user(userName, "Alan", "Turing", userName + "@example.com"))).id();
        users.apply(modify(id, replace("title", "Cryptanalyst"), replace("active", "false")));
        DestinationEntry replaced = users.read(id).orElseThrow();
        assertEquals(List.of("Cryptanalyst"), replaced.values("title"), server.name() + ": PUT");
        assertEquals(List.of("false"), replaced.values("active"));
        assertEquals(List.of("Turing"), replaced.values("name.familyName"), "the PUT carried what it did not change");
        users.apply(Plan.delete(id));
    }

    @Test
    void aWorkEmailIsAddedWhereThereWasNone() {
        aWorkEmailIsAddedWhereThereWasNone(users(Map.of()));
    }

    void aWorkEmailIsAddedWhereThereWasNone(Destination users) {
        String userName = unique("grace.hopper");
        Map<String, List<String>> attributes = user(userName, "Grace", "Hopper", "unused@example.com");
        attributes.remove(WORK_EMAIL);
        String id = users.apply(create(attributes)).id();
        users.apply(modify(id, replace(WORK_EMAIL, "grace@example.com")));
        assertEquals(List.of("grace@example.com"), users.read(id).orElseThrow().values(WORK_EMAIL), server.name() + ": added as a new element");
        users.apply(Plan.delete(id));
    }

    @Test
    void aDuplicateUserNameLinksTheExistingUserNeverASecondOne() {
        Destination users = users(Map.of());
        String userName = unique("barbara.liskov");
        String first = users.apply(create(user(userName, "Barbara", "Liskov", userName + "@example.com"))).id();
        // a create the provider refuses (409 uniqueness) is resolved by the user-filter: the existing user, updated
        Map<String, List<String>> again = user(userName, "Barbara", "Liskov", userName + "@example.com");
        again.put("title", List.of("Professor"));
        String second = users.apply(create(again)).id();
        assertEquals(first, second, server.name() + ": the same user");
        List<DestinationEntry> found = users.find(Map.of("userName", userName), 5);
        assertEquals(1, found.size(), server.name() + ": one account for the userName");
        assertEquals(List.of("Professor"), found.get(0).values("title"), "the existing user was updated");
        users.apply(Plan.delete(first));
    }

    /** A family name with a quote, a backslash, a comma and non-ASCII, where the server takes them. */
    String awkwardFamilyName() {
        return "M\u00fcller, \"Pepe\" \\ \u00c5ngstr\u00f6m";
    }

    @Test
    void valuesWithQuotesBackslashesCommasAndNonAsciiAreWrittenAndFoundAsThemselves() {
        Destination users = users(Map.of());
        String userName = unique("jos\u00e9.m\u00fcller\"o'neil\\x,y");
        String family = awkwardFamilyName();
        String id = users.apply(create(user(userName, "Jos\u00e9", family, "jose." + UUID.randomUUID().toString().substring(0, 6) + "@example.com"))).id();
        List<DestinationEntry> found = users.find(Map.of("userName", userName), 2);
        assertEquals(1, found.size(), server.name() + ": found by a userName with \" \\ , and non-ASCII");
        assertEquals(id, found.get(0).id());
        assertEquals(List.of(family), found.get(0).values("name.familyName"), server.name() + ": the value as written");
        List<DestinationEntry> byFamily = users.find(Map.of("name.familyName", family), 2);
        assertEquals(List.of(id), byFamily.stream().map(DestinationEntry::id).toList(), server.name() + ": found by the family name");
        users.apply(Plan.delete(id));
    }

    /**
     * An extension attribute the server has, by its full path, and a value for it: the enterprise extension's
     * employeeNumber, where the server has it.
     */
    String[] extensionAttribute() {
        return new String[]{ScimSchemas.ENTERPRISE_USER + ":employeeNumber", "701984"};
    }

    @Test
    void extensionAttributesAreWrittenByTheirUrnAndWhatNoSchemaHasIsNamedAtStart() {
        Destination users = users(Map.of());
        String[] extension = extensionAttribute();
        List<String> fits = users.schemaProblems(List.of("userName", "name.givenName", WORK_EMAIL, "active", extension[0]), List.of()).orElseThrow();
        assertEquals(List.of(), fits, server.name() + ": the shipped mapping's attributes and " + extension[0]);
        String userName = unique("radia.perlman");
        Map<String, List<String>> attributes = user(userName, "Radia", "Perlman", userName + "@example.com");
        attributes.put(extension[0], List.of(extension[1]));
        String id = users.apply(create(attributes)).id();
        assertEquals(List.of(extension[1]), users.read(id).orElseThrow().values(extension[0]), server.name() + ": written by its URN");
        users.apply(Plan.delete(id));

        List<String> typos = users.schemaProblems(List.of("userName", "nickNmae", "urn:example:params:scim:schemas:extension:acme:2.0:User:badge"), List.of())
                .orElseThrow();
        assertEquals(2, typos.size(), server.name() + ": " + typos);
        assertTrue(typos.get(0).contains("has no attribute nickNmae"), typos.get(0));
        assertTrue(typos.get(1).contains("add it to its custom-schema-urns"), typos.get(1));
        List<String> custom = users(Map.of("custom-schema-urns", "urn:example:params:scim:schemas:extension:acme:2.0:User"))
                .schemaProblems(List.of("urn:example:params:scim:schemas:extension:acme:2.0:User:badge"), List.of()).orElseThrow();
        assertEquals(1, custom.size(), server.name() + ": " + custom);
        assertTrue(custom.get(0).contains("serves no schema urn:example:params:scim:schemas:extension:acme:2.0:User"), custom.get(0));
    }

    @Test
    void groupsWithMembersOrARefusalWhereThereAreNone() {
        Connector connection = connect(Map.of());
        Settings pipe = new Settings("idsync.pipes.interop", key -> Optional.empty());
        Destination groups = connection.destination(EntryType.GROUP, pipe);
        List<String> problems = groups.schemaProblems(List.of("displayName", "members"), List.of()).orElseThrow();
        if (!hasGroups()) {
            assertEquals(1, problems.size(), server.name() + ": " + problems);
            assertTrue(problems.get(0).contains("has no Groups resource"), problems.get(0));
            return;
        }
        assertEquals(List.of(), problems, server.name() + ": a group pipe's attributes fit");
        Destination users = connection.destination(EntryType.USER, pipe);
        String[] members = new String[3];
        for (int i = 0; i < members.length; i++) {
            String userName = unique("member" + i);
            members[i] = users.apply(create(user(userName, "Member", "No" + i, userName + "@example.com"))).id();
        }
        String name = unique("Engineering, \"R&D\"");
        Map<String, List<String>> group = new LinkedHashMap<>();
        group.put("displayName", List.of(name));
        group.put("members", List.of(members[0], members[1]));
        String id = groups.apply(create(group)).id();
        List<DestinationEntry> found = groups.find(Map.of("displayName", name), 2);
        assertEquals(List.of(id), found.stream().map(DestinationEntry::id).toList(), server.name() + ": found by displayName");
        assertEquals(List.of(members[0], members[1]), sorted(found.get(0).values("members"), members), server.name() + ": its members");

        // one joins, one leaves; then a rename
        groups.apply(modify(id, replace("members", members[1], members[2])));
        assertEquals(List.of(members[1], members[2]), sorted(groups.read(id).orElseThrow().values("members"), members), server.name() + ": PATCH members");
        String renamed = name + " (renamed)";
        groups.apply(modify(id, replace("displayName", renamed)));
        DestinationEntry after = groups.read(id).orElseThrow();
        assertEquals(List.of(renamed), after.values("displayName"), server.name() + ": renamed");
        assertEquals(List.of(members[1], members[2]), sorted(after.values("members"), members), "the rename kept the members");
        groups.apply(modify(id, replace("members")));
        assertEquals(List.of(), groups.read(id).orElseThrow().values("members"), server.name() + ": the last member left");

        groups.apply(Plan.delete(id));
        assertTrue(groups.read(id).isEmpty(), server.name() + ": group deleted");
        for (String member : members) {
            users.apply(Plan.delete(member));
        }
    }

    /** The values in the order of {@code order} (providers answer members in any order). */
    private static List<String> sorted(List<String> values, String[] order) {
        List<String> known = List.of(order);
        assertFalse(values.stream().anyMatch(value -> !known.contains(value)), "only members idsync wrote: " + values);
        return values.stream().sorted(java.util.Comparator.comparingInt(known::indexOf)).toList();
    }
}

package io.idsync.mapping;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped mapping file, and the errors a broken one produces (file, line, what). */
class MappingFileTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theShippedMappingMapsAPingOneUserAsTheSeedDescribes() throws Exception {
        PipeMapping mapping = MappingFile.load("mappings/pingone-to-directory.yaml");
        ObjectNode user = (ObjectNode) JSON.readTree("""
                {"id":"8376797d-1111-2222-3333-444455556666","username":"tomjones","email":"tomjones@example.com",
                 "name":{"given":"Tom","family":"Jones"},"primaryPhone":"+1 555 0100","address":{"locality":"Austin"},
                 "ds-pwp-account-disabled-from-pingone":"TRUE","pwdAccountLockedTimeFromPingOne":"20240101120000.000Z"}
                """);
        MappedEntry entry = mapping.map(user);
        assertEquals("uid=tomjones,ou=People,dc=example,dc=com", entry.dn());
        assertEquals(List.of("tomjones"), entry.values("uid"));
        assertEquals(List.of("Tom"), entry.values("givenName"));
        assertEquals(List.of("Jones"), entry.values("sn"));
        assertEquals(List.of("Tom Jones"), entry.values("cn"), "no name.formatted: the next pattern, given family");
        assertEquals(List.of("tomjones@example.com"), entry.values("mail"));
        assertEquals(List.of("Austin"), entry.values("l"));
        assertEquals(List.of("8376797d-1111-2222-3333-444455556666"), entry.values("entryUUID"));
        assertEquals(List.of("TRUE"), entry.values("ds-pwp-account-disabled"));
        assertEquals(List.of("20240101120000.000Z"), entry.values("pwdAccountLockedTime"));
        assertTrue(entry.createOnly().contains("entryUUID"));
        assertTrue(entry.managed().contains("title"), "unmapped-but-managed attributes are removed when the source drops them");
        assertTrue(entry.managed().contains("TITLE") && entry.createOnly().contains("entryuuid") && entry.values("GIVENNAME").contains("Tom"),
                "attribute names compare as LDAP compares them, without case");
        assertThrows(UnsupportedOperationException.class, () -> entry.managed().add("description"), "one entry cannot change the mapping's names");
        assertTrue(entry.values("title").isEmpty());
        assertFalse(mapping.syncClass().modifiesAsCreates());
        assertTrue(mapping.syncClass().createsAsModifies());
        assertEquals(List.of(List.of("entryUUID"), List.of("uid")), mapping.correlation().stream().map(CorrelationRule::attributes).toList());
    }

    @Test
    void theIdentityMapHasNoDnButFeedsIdBasedCorrelation() {
        PipeMapping mapping = MappingFile.load("mappings/pingone-to-directory.yaml");
        MappedEntry identity = mapping.mapIdentity(JSON.createObjectNode().put("id", "abc"));
        assertNull(identity.dn());
        assertEquals("abc", mapping.correlation().get(0).criteria(identity).orElseThrow().get("entryUUID"));
        assertTrue(mapping.correlation().get(1).criteria(identity).isEmpty(), "uid needs the full user");
    }

    @Test
    void constantsAndMultipleValues() {
        PipeMapping mapping = MappingFile.parse("t.yaml", """
                attribute-map:
                  - {to-attribute: description, type: constant, value: "from PingOne"}
                  - {to-attribute: businessCategory, type: constant, values: [a, b]}
                  - {to-attribute: mail, from-attribute: emails.value}
                """);
        MappedEntry entry = mapping.map(JSON.createObjectNode().set("emails", JSON.createArrayNode()
                .add(JSON.createObjectNode().put("value", "x@example.com")).add(JSON.createObjectNode().put("value", "y@example.com"))));
        assertEquals(List.of("from PingOne"), entry.values("description"));
        assertEquals(List.of("a", "b"), entry.values("businessCategory"));
        assertEquals(List.of("x@example.com", "y@example.com"), entry.values("mail"));
    }

    /** PingOne's User requires an email address: the shipped provisioning mapping fails a user without mail up front. */
    @Test
    void aRequiredAttributeWithoutAValueFailsTheEntryNamingIt() {
        PipeMapping mapping = MappingFile.load("mappings/directory-to-pingone.yaml");
        ObjectNode withMail = JSON.createObjectNode().put("uid", "ann").put("mail", "ann@example.com").put("sn", "Ann");
        assertEquals(List.of("ann@example.com"), mapping.map(withMail).values("email"));
        MappingException e = assertThrows(MappingException.class, () -> mapping.map(JSON.createObjectNode().put("uid", "bob").put("sn", "Bob")));
        assertEquals("email is required (the mapping's required: true) and this entry gives it no value: it has no mail; give the entry one,"
                + " or map email from something it has", e.getMessage());
        assertEquals(List.of(), mapping.mapIdentity(JSON.createObjectNode().put("id", "x")).values("email"), "an identity has no attributes to require");

        PipeMapping fallback = MappingFile.parse("t.yaml", """
                attribute-map:
                  - {to-attribute: email, type: constructed, value-pattern: ["{mail}", "{userPrincipalName}"], required: true}
                """);
        assertEquals(List.of("bob@corp.example.com"), fallback.map(JSON.createObjectNode().put("userPrincipalName", "bob@corp.example.com")).values("email"));
        assertTrue(assertThrows(MappingException.class, () -> fallback.map(JSON.createObjectNode())).getMessage()
                .contains("none of [{mail}, {userPrincipalName}] yields one"));
    }

    @Test
    void brokenFilesNameTheFileTheLineAndTheProblem() {
        assertError("""
                attribute-map:
                  - {to-attribute: uid, type: constructd, value-pattern: "{username}"}
                """, "bad.yaml line 2: attribute-map[0] (uid).type 'constructd' is not one of direct, constructed, constant");
        assertError("""
                sync-class:
                  scope-exit-action: vanish
                attribute-map: []
                """, "bad.yaml line 2: sync-class.scope-exit-action 'vanish' is not one of delete, disable");
        assertError("""
                attribute-map:
                  - to-attribute: cn
                    type: constructed
                    value-pattern: "{name.given"
                """, "bad.yaml line 2: attribute-map[0] (cn): value pattern '{name.given': '{' at position 1 is never closed");
        assertError("""
                attribute-map:
                  - {to-attribute: uid, from-attribute: username}
                colour: blue
                """, "bad.yaml line 3: the file: unknown key 'colour'");
        assertError("""
                attribute-map:
                  - {to-attribute: uid, from-attribute: username
                """, "bad.yaml line 3: not valid YAML");
        assertError("""
                sync-class: {}
                """, "bad.yaml: 'attribute-map' is missing");
        // value patterns that can never give a value, or never be reached
        assertError("""
                attribute-map:
                  - to-attribute: sn
                    type: constructed
                    value-pattern: ["unknown", "{name.family}"]
                """, "bad.yaml line 4: attribute-map[0] (sn).value-pattern[1] '{name.family}' can never be used:"
                + " value-pattern[0] 'unknown' has no placeholder, so it always yields");
        assertError("""
                attribute-map:
                  - {to-attribute: sn, type: constructed, value-pattern: ["{name.family}", "  "]}
                """, "bad.yaml line 2: attribute-map[0] (sn).value-pattern[1] '  ' never yields a value: it is blank and has no placeholder");
    }

    @Test
    void aMissingFileSaysWhereItLooked() {
        MappingException e = assertThrows(MappingException.class, () -> MappingFile.load("mappings/nope.yaml"));
        assertTrue(e.getMessage().contains("mappings/nope.yaml: no such mapping file"), e.getMessage());
    }

    private static void assertError(String yaml, String expectedStart) {
        MappingException e = assertThrows(MappingException.class, () -> MappingFile.parse("bad.yaml", yaml));
        assertTrue(e.getMessage().startsWith(expectedStart), "got: " + e.getMessage());
    }
}

package io.idsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValuePatternTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode user() throws Exception {
        return JSON.readTree("""
                {"id":"u-1","username":"jsmith","name":{"given":"Janet","family":"Smith"},
                 "emails":[{"value":"a@example.com"},{"value":"b@example.com"}],
                 "tags":["x","y"],"address":{"locality":"Denver"},"enabled":false,"nothing":null}
                """);
    }

    @Test
    void placeholdersReachIntoTheDocumentWithJsonPaths() throws Exception {
        assertEquals(List.of("Janet"), ValuePattern.parse("{name.given}").apply(user()));
        assertEquals(List.of("Janet Smith (jsmith)"), ValuePattern.parse("{name.given} {name.family} ({username})").apply(user()));
        assertEquals(List.of("Denver"), ValuePattern.parse("{address.locality}").apply(user()));
        assertEquals(List.of("false"), ValuePattern.parse("{enabled}").apply(user()));
    }

    @Test
    void literalTextAndEscapedBraces() throws Exception {
        assertEquals(List.of("{\"given\":\"Janet\"}"), ValuePattern.parse("{{\"given\":\"{name.given}\"}}").apply(user()));
        assertEquals(List.of("account"), ValuePattern.parse("account").apply(user()));
    }

    @Test
    void aMissingOrNullValueYieldsNothing() throws Exception {
        assertEquals(List.of(), ValuePattern.parse("{name.middle}").apply(user()));
        assertEquals(List.of(), ValuePattern.parse("Dr. {name.middle} {name.family}").apply(user()));
        assertEquals(List.of(), ValuePattern.parse("{nothing}").apply(user()));
        assertEquals(List.of(), ValuePattern.parse("{name.given.deeper}").apply(user()));
    }

    @Test
    void arraysGiveOneValuePerElementAndIndexesPickOne() throws Exception {
        assertEquals(List.of("a@example.com", "b@example.com"), ValuePattern.parse("{emails.value}").apply(user()));
        assertEquals(List.of("b@example.com"), ValuePattern.parse("{emails[1].value}").apply(user()));
        assertEquals(List.of("tag-x", "tag-y"), ValuePattern.parse("tag-{tags}").apply(user()));
    }

    @Test
    void brokenPatternsNameTheProblem() {
        MappingException open = assertThrows(MappingException.class, () -> ValuePattern.parse("{name.given"));
        assertTrue(open.getMessage().contains("never closed"), open.getMessage());
        MappingException close = assertThrows(MappingException.class, () -> ValuePattern.parse("name}"));
        assertTrue(close.getMessage().contains("closes nothing"), close.getMessage());
        MappingException empty = assertThrows(MappingException.class, () -> ValuePattern.parse("{name..given}"));
        assertTrue(empty.getMessage().contains("empty segment"), empty.getMessage());
        MappingException index = assertThrows(MappingException.class, () -> ValuePattern.parse("{emails[x].value}"));
        assertTrue(index.getMessage().contains("not a number"), index.getMessage());
    }
}

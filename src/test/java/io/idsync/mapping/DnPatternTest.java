package io.idsync.mapping;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.ldap.sdk.DN;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DnPatternTest {

    private static final DnPattern PEOPLE = new DnPattern("uid={username},ou=People,dc=example,dc=com");

    private static ObjectNode user(String username) {
        return new ObjectMapper().createObjectNode().put("username", username);
    }

    @Test
    void makesTheDnOfTheDestinationEntry() {
        assertEquals("uid=jsmith,ou=People,dc=example,dc=com", PEOPLE.apply(user("jsmith")));
    }

    @Test
    void specialCharactersStayInsideOneRdnValue() throws Exception {
        for (String username : new String[]{"smith, john", "a+b", "say \"hi\"", "back\\slash", "semi;colon", "<angle>", " leading",
                "trailing ", "#hash", "*)(uid=*", "zoë", "日本"}) {
            DN dn = new DN(PEOPLE.apply(user(username)));
            assertEquals(4, dn.getRDNs().length, username + " makes exactly one RDN: " + dn);
            assertEquals(username, dn.getRDN().getAttributeValues()[0], "the RDN value reads back as " + username);
            assertEquals("ou=People,dc=example,dc=com", dn.getParentString());
        }
    }

    @Test
    void aMissingOrMultiValuedPlaceholderIsAClearError() {
        MappingException missing = assertThrows(MappingException.class, () -> PEOPLE.apply(new ObjectMapper().createObjectNode()));
        assertTrue(missing.getMessage().contains("no value"), missing.getMessage());
        ObjectNode twoNames = new ObjectMapper().createObjectNode();
        twoNames.putArray("username").add("a").add("b");
        MappingException multi = assertThrows(MappingException.class, () -> PEOPLE.apply(twoNames));
        assertTrue(multi.getMessage().contains("multi-valued"), multi.getMessage());
    }

    @Test
    void aPatternThatCannotMakeADnIsRefusedUpFront() {
        MappingException e = assertThrows(MappingException.class, () -> new DnPattern("uid={username}ou=People,,dc=com"));
        assertTrue(e.getMessage().contains("does not make a valid DN"), e.getMessage());
    }
}

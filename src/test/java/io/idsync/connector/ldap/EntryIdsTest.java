package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.Entry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Entry ids: text ids as they are, AD's binary objectGUID in the text form AD tools print. */
class EntryIdsTest {

    // {3F2504E0-4F89-11D3-9A0C-0305E82C3301} as AD stores it: the first three groups little-endian
    private static final byte[] STORED = {(byte) 0xE0, 0x04, 0x25, 0x3F, (byte) 0x89, 0x4F, (byte) 0xD3, 0x11,
            (byte) 0x9A, 0x0C, 0x03, 0x05, (byte) 0xE8, 0x2C, 0x33, 0x01};

    @Test
    void anObjectGuidReadsAsAdPrintsItAndIsSearchedByItsBytes() {
        Entry entry = new Entry("cn=x,dc=example,dc=com");
        entry.addAttribute("objectGUID", STORED);
        EntryIds ids = new EntryIds("objectGUID");
        assertEquals("3f2504e0-4f89-11d3-9a0c-0305e82c3301", ids.of(entry));
        assertArrayEquals(STORED, EntryIds.parse("3F2504E0-4F89-11D3-9A0C-0305E82C3301"));
        assertArrayEquals(STORED, ids.equality(ids.of(entry)).getAssertionValueBytes());
    }

    @Test
    void aTextIdIsTakenAsItIs() {
        Entry entry = new Entry("cn=x,dc=example,dc=com");
        entry.addAttribute("entryUUID", "6c171b6d-8cb2-43fc-bb85-ecb8a50de9f8");
        EntryIds ids = new EntryIds("entryUUID");
        assertEquals("6c171b6d-8cb2-43fc-bb85-ecb8a50de9f8", ids.of(entry));
        assertEquals("(entryUUID=6c171b6d-8cb2-43fc-bb85-ecb8a50de9f8)", ids.equality(ids.of(entry)).toString());
    }

    @Test
    void somethingThatIsNotAGuidIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EntryIds.parse("*)(cn=*"));
        assertTrue(e.getMessage().contains("'*)(cn=*'"), e.getMessage());
    }
}

package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;

import java.util.Locale;

/**
 * How an LDAP source names its entries: the value of the id attribute, which survives renames. Most servers
 * have a textual {@code entryUUID}; Active Directory has the binary {@code objectGUID}, which is named in its
 * usual text form ({@code 3f2504e0-4f89-11d3-9a0c-0305e82c3301}, the first three groups little-endian, as AD
 * tools print it) and searched for by its bytes.
 */
public final class EntryIds {

    private final String attribute;
    private final boolean guid;

    EntryIds(String attribute) {
        this.attribute = attribute;
        this.guid = attribute.equalsIgnoreCase("objectGUID");
    }

    /** The attribute that holds the id. */
    String attribute() {
        return attribute;
    }

    /** The entry's id, or null when it has none. */
    String of(Entry entry) {
        if (!guid) {
            return entry.getAttributeValue(attribute);
        }
        byte[] bytes = entry.getAttributeValueBytes(attribute);
        return bytes == null || bytes.length != 16 ? null : format(bytes);
    }

    /** The filter that finds the entry with this id. */
    Filter equality(String id) {
        return guid ? Filter.createEqualityFilter(attribute, parse(id)) : Filter.createEqualityFilter(attribute, id);
    }

    /** AD's text form of a binary objectGUID. */
    public static String format(byte[] b) {
        return String.format(Locale.ROOT, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    }

    static byte[] parse(String id) {
        String hex = id.replace("-", "");
        if (hex.length() != 32 || !hex.matches("[0-9a-fA-F]+")) {
            throw new IllegalArgumentException("'" + id + "' is not an objectGUID (32 hex digits in 8-4-4-4-12 groups)");
        }
        byte[] text = new byte[16];
        for (int i = 0; i < 16; i++) {
            text[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        int[] order = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
        byte[] bytes = new byte[16];
        for (int i = 0; i < 16; i++) {
            bytes[order[i]] = text[i];
        }
        return bytes;
    }
}

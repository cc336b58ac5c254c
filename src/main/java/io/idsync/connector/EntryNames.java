package io.idsync.connector;

import java.util.List;
import java.util.Map;

/**
 * How a destination names its entries (ConnId's {@code Name}): when two names are the same entry, and which
 * attribute values a name carries. The road only knows that a wanted name differs from the current one (a
 * rename); what a rename is (an LDAP modDN) is the destination's business.
 */
public interface EntryNames {

    /** Names compared as written: a PingOne or SCIM id, a username. */
    EntryNames EXACT = new EntryNames() {
        @Override
        public boolean same(String current, String wanted) {
            return current.equals(wanted);
        }

        @Override
        public Map<String, List<String>> valuesIn(String name) {
            return Map.of();
        }
    };

    /** Whether {@code wanted} names the entry now called {@code current}, so that no rename is needed. */
    boolean same(String current, String wanted);

    /** The attribute values an entry gets with this name (an LDAP RDN's), already in place after a rename. */
    Map<String, List<String>> valuesIn(String name);
}

package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.RDN;
import io.idsync.connector.EntryNames;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** LDAP names are DNs: compared as the schema normalizes them, except that a change of case in the RDN is a rename the user made. */
public final class LdapNames implements EntryNames {

    public static final LdapNames INSTANCE = new LdapNames();

    private LdapNames() {
    }

    @Override
    public boolean same(String current, String wanted) {
        try {
            DN currentDn = new DN(current);
            DN wantedDn = new DN(wanted);
            return currentDn.equals(wantedDn) && currentDn.getRDN().toString().equals(wantedDn.getRDN().toString());
        } catch (LDAPException e) {
            return true; // not a DN: nothing a modDN could do (the mapping file's dn-pattern is checked when it loads)
        }
    }

    @Override
    public Map<String, List<String>> valuesIn(String name) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        try {
            RDN rdn = new DN(name).getRDN();
            for (int i = 0; i < rdn.getAttributeNames().length; i++) {
                values.put(rdn.getAttributeNames()[i], List.of(rdn.getAttributeValues()[i]));
            }
        } catch (LDAPException ignored) {
            // not a DN: it carries no values
        }
        return values;
    }
}

package io.idsync.connector.ldap;

/**
 * Where an LDAP source finds its entries (PingFederate's "source location") and how it reads them.
 *
 * @param entryType         what the source synchronizes: users or groups
 * @param groupDn           the users are the members of this group, nested groups included; or null
 * @param searchBase        with {@code filter}: the users are the entries under this base that match
 * @param idAttribute       the stable id of an entry ({@code entryUUID}; renames keep it)
 * @param disabledAttribute the attribute that is TRUE for a disabled account ({@code ds-pwp-account-disabled});
 *                          Active Directory's {@code userAccountControl} bit 0x2 is always honoured too
 * @param changeDetection   {@code changelog} (cn=changelog), {@code usn} (Active Directory's uSNChanged),
 *                          {@code modify-timestamp}, or {@code auto}: the first of these the server offers
 */
public record LdapSourceSettings(io.idsync.connector.EntryType entryType, String groupDn, String searchBase, String filter, String idAttribute, String disabledAttribute,
                                 String changeDetection) {

    public static LdapSourceSettings users(String groupDn, String searchBase, String filter, String idAttribute, String disabledAttribute) {
        return new LdapSourceSettings(io.idsync.connector.EntryType.USER, groupDn, searchBase, filter, idAttribute, disabledAttribute, "auto");
    }

    public LdapSourceSettings withChangeDetection(String how) {
        return new LdapSourceSettings(entryType, groupDn, searchBase, filter, idAttribute, disabledAttribute, how);
    }
}

package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import io.idsync.connector.Change;
import io.idsync.connector.EntryType;
import io.idsync.connector.SystemUnavailable;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The reads an LDAP source's change feeds and reader share: an entry by DN, the change for the entry now at a DN, and
 * what kind of entry it is. One instance per source, over the connection's pool.
 */
final class SourceLookups {

    private static final Set<String> GROUP_CLASSES = Set.of("groupofnames", "groupofuniquenames", "group");

    /** how many DNs the source remembers the ids of: a bounded cache, never the directory */
    static final int KNOWN_DNS = 100_000;

    private final LdapDirectory directory;
    private final EntryIds ids;
    private final String idAttribute;
    /**
     * The id of each entry by the DN it was last seen at (normalized), the most recent {@value #KNOWN_DNS}: a changelog
     * that names a delete by its DN alone (389 DS's retro changelog as shipped, without {@code nsslapd-attribute}) is
     * mapped through it.
     */
    private final java.util.Map<String, String> knownIds = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, String> eldest) {
            return size() > KNOWN_DNS;
        }
    });

    SourceLookups(LdapDirectory directory, String idAttribute) {
        this.directory = directory;
        this.ids = new EntryIds(idAttribute);
        this.idAttribute = idAttribute;
    }

    LdapDirectory directory() {
        return directory;
    }

    EntryIds ids() {
        return ids;
    }

    /**
     * The entry at {@code dn} with these attributes, or null when there is none.
     *
     * @throws SystemUnavailable when the directory cannot answer
     */
    SearchResultEntry get(String dn, String... attributes) {
        try {
            return directory.pool().getEntry(dn, attributes);
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT || e.getResultCode() == ResultCode.INVALID_DN_SYNTAX) {
                return null;
            }
            throw directory.systemFailure("read of " + dn, e);
        }
    }

    /**
     * The change for the entry now at {@code dn}; empty when it is gone (the feed's later change says what happened to it:
     * a delete or a rename).
     *
     * @throws SystemUnavailable when the directory cannot answer
     */
    Optional<Change> changeFor(String dn, Change.Kind kind, Instant at) {
        SearchResultEntry current = get(dn, idAttribute, "objectClass");
        if (current == null || ids.of(current) == null) {
            return Optional.empty();
        }
        seen(current.getDN(), ids.of(current));
        return Optional.of(new Change(ids.of(current), typeOf(current), kind, at, Set.of(), null));
    }

    /** Notes that the entry with this id is at {@code dn}. */
    void seen(String dn, String id) {
        if (dn != null && id != null) {
            knownIds.put(normalize(dn), id);
        }
    }

    /** The id of the entry last seen at {@code dn}, if this source has seen it since it started. */
    Optional<String> lastSeenAt(String dn) {
        return Optional.ofNullable(knownIds.get(normalize(dn)));
    }

    static EntryType typeOf(Entry entry) {
        for (String objectClass : entry.getObjectClassValues() == null ? new String[0] : entry.getObjectClassValues()) {
            if (GROUP_CLASSES.contains(objectClass.toLowerCase(Locale.ROOT))) {
                return EntryType.GROUP;
            }
        }
        return EntryType.USER;
    }

    static String normalize(String dn) {
        try {
            return new DN(dn).toNormalizedString();
        } catch (LDAPException e) {
            return dn.toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A group's member DNs ({@code member} and {@code uniqueMember}), all of them. Active Directory gives at most its
     * MaxValRange (1,500) values in one read, as {@code member;range=0-1499}, and no plain {@code member}: the rest are
     * read a range at a time ({@code member;range=1500-*}) until the range ends in {@code *}. A client that takes the
     * first range for the group drops every member after it, without a word.
     *
     * @throws SystemUnavailable when a further range cannot be read
     */
    List<String> members(Entry group) {
        List<String> all = new ArrayList<>();
        for (com.unboundid.ldap.sdk.Attribute attribute : group.getAttributes()) {
            String base = attribute.getBaseName();
            if (!base.equalsIgnoreCase("member") && !base.equalsIgnoreCase("uniqueMember")) {
                continue;
            }
            Collections.addAll(all, attribute.getValues());
            String range = range(attribute);
            while (range != null && !range.endsWith("-*")) {
                long next = Long.parseLong(range.substring(range.indexOf('-') + 1)) + 1;
                SearchResultEntry more = get(group.getDN(), base + ";range=" + next + "-*");
                com.unboundid.ldap.sdk.Attribute part = more == null ? null : more.getAttributes().stream()
                        .filter(a -> a.getBaseName().equalsIgnoreCase(base) && range(a) != null).findFirst().orElse(null);
                if (part == null) {
                    throw new SystemUnavailable("LDAP read of " + group.getDN() + ": the directory gave " + base + " up to value " + (next - 1)
                            + " and then no " + base + ";range=" + next + "-*");
                }
                Collections.addAll(all, part.getValues());
                range = range(part);
            }
        }
        return all;
    }

    /** The {@code range=<low>-<high or *>} option of an attribute, or null. */
    private static String range(com.unboundid.ldap.sdk.Attribute attribute) {
        for (String option : attribute.getOptions()) {
            if (option.toLowerCase(Locale.ROOT).startsWith("range=")) {
                return option.substring("range=".length());
            }
        }
        return null;
    }
}

package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.ChangeLogEntry;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.idsync.connector.Change;
import io.idsync.connector.ChangeBatch;
import io.idsync.connector.ConnectionMeters;
import io.idsync.connector.EntryRejected;
import io.idsync.connector.SystemUnavailable;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Change detection on a server with a changelog (PingDirectory, 389 DS, the demo directory): the {@code cn=changelog}
 * entries after the token's change number, a batch of at most {@value #BATCH}. Change numbers are assigned in commit
 * order, and a batch keeps only a gap-free run of them, so nothing committed during the search is passed over.
 * <p>
 * The changelog names entries by DN; each change is resolved to the entry's stable id: the current entry for adds and
 * modifies, the new DN for renames, and for deletes the id the changelog kept ({@code deletedEntryAttrs} on
 * PingDirectory and the demo directory, {@code targetEntryUUID} or {@code targetUniqueID} elsewhere). A delete it
 * cannot name is a WARN and {@code idsync_changes_unmapped_total}, and the reconciliation removes the entry.
 */
final class ChangelogFeed implements ChangeDetection {

    private static final Logger LOG = Logger.getLogger(ChangelogFeed.class);
    private static final int BATCH = 1000;
    private static final String[] ATTRIBUTES = {"changeNumber", "changeTime", "targetDN", "changeType", "changes", "newRDN", "deleteOldRDN",
            "newSuperior", "deletedEntryAttrs", "targetEntryUUID", "targetUniqueID"};

    private final SourceLookups lookups;
    private final GroupScope scope;
    private final io.idsync.connector.EntryType sourceType;

    /** @param sourceType what the source synchronizes: a delete named only by an id is taken as one of those */
    ChangelogFeed(SourceLookups lookups, GroupScope scope, io.idsync.connector.EntryType sourceType) {
        this.lookups = lookups;
        this.scope = scope;
        this.sourceType = sourceType;
    }

    /**
     * The last change number now: a new pipe's initial load starts after it.
     *
     * @throws ConfigurationError when the server has no changelog
     * @throws SystemUnavailable  when the root DSE cannot be read
     */
    @Override
    public String currentToken() {
        LdapDirectory directory = lookups.directory();
        String lastChange;
        try {
            com.unboundid.ldap.sdk.RootDSE root = directory.pool().getRootDSE();
            lastChange = root == null ? null : root.getAttributeValue("lastChangeNumber");
        } catch (com.unboundid.ldap.sdk.LDAPException e) {
            throw directory.systemFailure("read of the root DSE", e);
        }
        if (lastChange == null) {
            throw new io.idsync.connector.ConfigurationError(directory.settings().url() + " has no cn=changelog (no lastChangeNumber in its root DSE):"
                    + " set change-detection to usn, entry-csn or modify-timestamp");
        }
        return lastChange;
    }

    /** A change number. */
    @Override
    public boolean owns(String token) {
        return !token.isEmpty() && token.chars().allMatch(Character::isDigit);
    }

    @Override
    public String describe(String token) {
        return "change number " + parse(token);
    }

    /**
     * Before the changelog's first change number: every change it keeps is read again.
     *
     * @throws SystemUnavailable when the root DSE cannot be read
     */
    @Override
    public String beginning() {
        LdapDirectory directory = lookups.directory();
        try {
            com.unboundid.ldap.sdk.RootDSE root = directory.pool().getRootDSE();
            String first = root == null ? null : root.getAttributeValue("firstChangeNumber");
            return first == null ? "0" : Long.toString(Math.max(0, Long.parseLong(first) - 1));
        } catch (com.unboundid.ldap.sdk.LDAPException e) {
            throw directory.systemFailure("read of the root DSE", e);
        }
    }

    /** A changelog's positions are change numbers: a time has none. */
    @Override
    public String at(java.time.Instant time) {
        throw new UnsupportedStartpoint("the changelog's positions are change numbers, not times: give a change number, end or beginning");
    }

    @Override
    public String parse(String token) {
        if (!owns(token)) {
            throw new UnsupportedStartpoint("'" + token + "' is not a change number (the changelog's positions are change numbers)");
        }
        return token;
    }

    /**
     * The changes after change number {@code token}, oldest first.
     *
     * @throws SystemUnavailable when the changelog cannot be read
     */
    @Override
    public ChangeBatch changesSince(String token) {
        long after = Long.parseLong(token);
        List<SearchResultEntry> entries = new ArrayList<>();
        try {
            SearchRequest request = new SearchRequest("cn=changelog", SearchScope.ONE,
                    Filter.createGreaterOrEqualFilter("changeNumber", Long.toString(after + 1)), ATTRIBUTES);
            request.setSizeLimit(BATCH);
            List<SearchResultEntry> found;
            try {
                found = lookups.directory().pool().search(request).getSearchEntries();
            } catch (LDAPSearchException e) {
                if (e.getResultCode() != ResultCode.SIZE_LIMIT_EXCEEDED) {
                    throw e;
                }
                found = e.getSearchEntries();
            }
            for (SearchResultEntry entry : found) {
                if (entry.getAttributeValueAsLong("changeNumber") != null) {
                    entries.add(entry);
                }
            }
        } catch (LDAPException e) {
            throw lookups.directory().systemFailure("read of cn=changelog after change " + after, e);
        }
        // the server returns them in DN order: put them in change order, and keep a gap-free prefix
        entries.sort(Comparator.comparingLong(e -> e.getAttributeValueAsLong("changeNumber")));
        List<Change> changes = new ArrayList<>();
        long last = after;
        for (SearchResultEntry entry : entries) {
            long number = entry.getAttributeValueAsLong("changeNumber");
            if (number != last + 1 && entries.size() >= BATCH) {
                break; // with a truncated answer, a gap may hide changes not returned yet
            }
            last = number;
            changes.addAll(changesOf(entry));
        }
        return new ChangeBatch(changes, Long.toString(last));
    }

    /**
     * The changes one changelog entry stands for. An entry the SDK cannot read as a change (a rename without its new RDN,
     * say) is a WARN and {@code idsync_changes_unmapped_total}, and the feed goes on past it: one malformed entry must
     * neither stop the pipe for good nor pass unnoticed.
     */
    List<Change> changesOf(Entry raw) {
        try {
            return toChanges(new ChangeLogEntry(raw));
        } catch (LDAPException e) {
            String type = String.valueOf(raw.getAttributeValue("changeType")).toLowerCase(java.util.Locale.ROOT);
            ConnectionMeters.unmapped("ldap", lookups.directory().settings().name(), type.startsWith("mod") && !type.equals("modify") ? "rename" : type);
            LOG.warnf("%s: change %s (%s of %s) cannot be read (%s): it is left to the reconciliation (reconcile-cron)",
                    lookups.directory().settings().name(), raw.getAttributeValue("changeNumber"), type, raw.getAttributeValue("targetDN"),
                    e.getExceptionMessage());
            return List.of();
        }
    }

    /** When the server made the change ({@code changeTime}, PingDirectory's and 389 DS's), or now for a server that does not say. */
    private static Instant changeTime(ChangeLogEntry entry) {
        String time = entry.getAttributeValue("changeTime");
        if (time != null) {
            try {
                return com.unboundid.util.StaticUtils.decodeGeneralizedTime(time).toInstant();
            } catch (java.text.ParseException e) {
                // not a generalized time: the time it is read stands for it
            }
        }
        return Instant.now();
    }

    /** The changes one changelog entry stands for, at its change time (package-private for the tests of what cannot be mapped). */
    List<Change> toChanges(ChangeLogEntry entry) {
        Instant at = changeTime(entry);
        switch (entry.getChangeType()) {
            case DELETE -> {
                return deleted(entry, at).map(List::of).orElse(List.of());
            }
            case MODIFY_DN -> {
                // a rename's entry gone from its new DN was deleted or renamed again: a later change says so
                return lookups.changeFor(entry.getNewDN(), Change.Kind.MODIFY, at).map(List::of).orElse(List.of());
            }
            case ADD, MODIFY -> {
                List<Change> changes = new ArrayList<>();
                Change.Kind kind = entry.getChangeType() == com.unboundid.ldap.sdk.ChangeType.ADD ? Change.Kind.CREATE : Change.Kind.MODIFY;
                lookups.changeFor(entry.getTargetDN(), kind, at).ifPresent(changes::add);
                if (scope.contains(entry.getTargetDN())) {
                    changes.addAll(memberChanges(entry, at));
                }
                return changes;
            }
            default -> {
                return List.of();
            }
        }
    }

    /** The deleted entry's id: from the attributes the changelog kept, or the id of the target it names. */
    private java.util.Optional<Change> deleted(ChangeLogEntry entry, Instant now) {
        List<Attribute> attributes = entry.getDeletedEntryAttributes();
        if (attributes != null) {
            Entry deleted = new Entry(entry.getTargetDN(), attributes);
            String id = lookups.ids().of(deleted);
            if (id != null) {
                return java.util.Optional.of(new Change(id, SourceLookups.typeOf(deleted), Change.Kind.DELETE, now, Set.of(), null));
            }
        }
        String id = targetId(entry);
        if (id == null) {
            // a changelog naming the DN alone (389 DS's retro changelog as shipped): the entry seen last at that DN
            id = lookups.lastSeenAt(entry.getTargetDN()).orElse(null);
        }
        if (id != null) {
            // the entry's type died with it: taken as the source's, a delete of an id the pipe never linked is nothing to it
            return java.util.Optional.of(new Change(id, sourceType, Change.Kind.DELETE, now, Set.of(), null));
        }
        ConnectionMeters.unmapped("ldap", lookups.directory().settings().name(), "delete");
        LOG.warnf("%s: change %d deletes %s, but the changelog keeps neither deletedEntryAttrs nor the entry's %s (targetEntryUUID,"
                        + " targetUniqueID), and idsync has not seen that entry since it started: it cannot be named, and is left to"
                        + " the reconciliation (reconcile-cron). On 389 DS, have the Retro Changelog keep the id:"
                        + " nsslapd-attribute: entryuuid:targetEntryUUID (or nsuniqueid:targetUniqueId with id-attribute nsUniqueId)",
                lookups.directory().settings().name(), entry.getChangeNumber(), entry.getTargetDN(), lookups.ids().attribute());
        return java.util.Optional.empty();
    }

    /** The id of a changelog entry's target where the changelog names it by the id attribute's value. */
    private String targetId(ChangeLogEntry entry) {
        String attribute = lookups.ids().attribute();
        if (attribute.equalsIgnoreCase("entryUUID")) {
            String uuid = entry.getAttributeValue("targetEntryUUID");
            if (uuid == null) {
                uuid = entry.getAttributeValue("targetUniqueID"); // PingDirectory's and OpenDJ's name for the entryUUID
            }
            return uuid != null && uuid.matches("(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}") ? uuid.toLowerCase(java.util.Locale.ROOT) : null;
        }
        if (attribute.equalsIgnoreCase("nsUniqueId")) {
            return entry.getAttributeValue("targetUniqueID"); // 389 DS's retro changelog
        }
        return null;
    }

    /**
     * Members added to or removed from a scope group enter or leave the scope: each is a change. A replace or delete-all
     * of the member values names no one, so then the members as last seen are compared with the members now.
     */
    private List<Change> memberChanges(ChangeLogEntry entry, Instant now) {
        Set<String> named = new LinkedHashSet<>();
        boolean unnamed = false;
        if (entry.getAddAttributes() != null) {
            for (Attribute attribute : entry.getAddAttributes()) {
                if (isMemberAttribute(attribute.getBaseName())) {
                    named.addAll(List.of(attribute.getValues()));
                }
            }
        }
        if (entry.getModifications() != null) {
            for (Modification modification : entry.getModifications()) {
                if (isMemberAttribute(modification.getAttributeName())) {
                    named.addAll(List.of(modification.getValues()));
                    unnamed |= modification.getModificationType() == ModificationType.REPLACE || modification.getValues().length == 0;
                }
            }
        }
        return scope.membersMoved(entry.getTargetDN(), named, unnamed, now);
    }

    private static boolean isMemberAttribute(String name) {
        return name.equalsIgnoreCase("member") || name.equalsIgnoreCase("uniqueMember");
    }
}

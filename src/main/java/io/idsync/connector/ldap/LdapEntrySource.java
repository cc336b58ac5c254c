package io.idsync.connector.ldap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.ChangeLogEntry;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;
import com.unboundid.asn1.ASN1OctetString;
import io.idsync.connector.Change;
import io.idsync.connector.ChangeBatch;
import io.idsync.connector.ChangeSource;
import io.idsync.connector.EntryType;
import io.idsync.connector.Paging;
import io.idsync.connector.PermanentFailure;
import io.idsync.connector.SourceEntry;
import io.idsync.connector.SourceReader;
import io.idsync.connector.TransientFailure;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Users of an LDAP directory as a sync source. On a server with a changelog (PingDirectory, 389 DS, the
 * demo directory) changes are the {@code cn=changelog} entries after the checkpoint's change number. The
 * changelog names entries by DN, so each change is resolved to the entry's stable id: the current entry
 * for adds and modifies, the new DN for renames, {@code deletedEntryAttrs} for deletes. A change to a
 * scope group's {@code member} values is a change to each member added or removed.
 * <p>
 * On a server without one, changes are the entries whose stamp is at or after the checkpoint's: Active
 * Directory's {@code uSNChanged} (token {@code usn:<usn>|<ids seen at it>}) or, elsewhere (OpenLDAP without
 * accesslog), {@code modifyTimestamp} (token {@code ts:<time>|}: whole seconds, each read once it is over): adds, modifies and
 * renames, and for scope groups their members joining or leaving. Deletes are not visible this way; a full
 * reconciliation finds them. {@link LdapSourceSettings#changeDetection()} chooses, or lets the root DSE say.
 * <p>
 * The document the attribute map reads is the entry as JSON (one value: a string; several: an array),
 * plus {@code dn} and the in-memory intermediate {@value #ENABLED_IN_DIRECTORY} ({@code true}/{@code false}).
 */
public final class LdapEntrySource implements ChangeSource, SourceReader {

    public static final String ENABLED_IN_DIRECTORY = "accountEnabledInDirectory";

    private static final int BATCH = 1000;
    /**
     * How long after a second of modifyTimestamp is over, by idsync's clock, its entries are read: every write of it
     * is in by then. The directory's clock must agree with idsync's within that.
     */
    private static final java.time.Duration SETTLE = java.time.Duration.ofSeconds(2);
    private static final int PAGE = 500;
    private static final Set<String> GROUP_CLASSES = Set.of("groupofnames", "groupofuniquenames", "group");
    private static final String[] CHANGELOG_ATTRIBUTES = {"changeNumber", "targetDN", "changeType", "changes", "newRDN", "deleteOldRDN",
            "newSuperior", "deletedEntryAttrs"};

    private final LdapDirectory directory;
    private final LdapSourceSettings settings;
    private final EntryIds ids;
    private volatile Set<String> scopeGroups;
    private volatile long scopeGroupsAt;
    /** each scope group's members as last seen: a replace or delete-all of member values names no one */
    private final java.util.Map<String, Set<String>> knownMembers = new java.util.concurrent.ConcurrentHashMap<>();

    public LdapEntrySource(LdapDirectory directory, LdapSourceSettings settings) {
        this.directory = directory;
        this.settings = settings;
        this.ids = new EntryIds(settings.idAttribute());
    }

    // --- change detection ----------------------------------------------------------------------------

    /**
     * An attribute every write stamps with a growing value, for servers without a changelog: the token is
     * {@code <prefix><value>|<ids seen at that value>} (entries at the edge are not returned twice).
     */
    private record Sequence(String prefix, String attribute, Comparator<String> order) {
    }

    private static final Sequence MODIFY_TIMESTAMP = new Sequence("ts:", "modifyTimestamp", Comparator.naturalOrder());
    /**
     * OpenLDAP's change sequence number, stamped on every write with microseconds and a counter, so no two writes
     * share one: a burst of any size in one second is followed a batch at a time, and the token names one entry.
     */
    private static final Sequence CSN = new Sequence("csn:", "entryCSN", Comparator.naturalOrder());
    private static final Sequence USN = new Sequence("usn:", "uSNChanged", Comparator.comparing(Long::valueOf));

    @Override
    public String currentToken() {
        String how = settings.changeDetection().toLowerCase(Locale.ROOT);
        try {
            com.unboundid.ldap.sdk.RootDSE root = directory.pool().getRootDSE();
            String lastChange = root.getAttributeValue("lastChangeNumber");
            String highestUsn = root.getAttributeValue("highestCommittedUSN");
            if (how.equals("changelog") || (how.equals("auto") && lastChange != null)) {
                if (lastChange == null) {
                    throw new PermanentFailure(directory.settings().url() + " has no cn=changelog (no lastChangeNumber in its root DSE):"
                            + " set change-detection to usn or modify-timestamp");
                }
                return lastChange;
            }
            if (settings.groupDn() != null) {
                scopeGroups(); // remembers the members now, to see who joins or leaves
            }
            if (how.equals("usn") || (how.equals("auto") && highestUsn != null)) {
                if (highestUsn == null) {
                    throw new PermanentFailure(directory.settings().url() + " shows no highestCommittedUSN in its root DSE:"
                            + " it is not Active Directory; set change-detection to changelog or modify-timestamp");
                }
                return USN.prefix() + highestUsn + "|";
            }
            if (!how.equals("auto") && !how.equals("modify-timestamp")) {
                throw new PermanentFailure("change-detection '" + settings.changeDetection() + "' is not one of auto, changelog, usn, modify-timestamp");
            }
            // OpenLDAP stamps every entry with an entryCSN: follow it from the suffix's newest (contextCSN) or from now
            SearchResultEntry suffix = directory.pool().getEntry(directory.settings().baseDn(), "contextCSN", "entryCSN");
            if (suffix != null && suffix.getAttributeValue("entryCSN") != null) {
                String contextCsn = suffix.getAttributeValue("contextCSN");
                return CSN.prefix() + (contextCsn != null ? contextCsn
                        : new java.text.SimpleDateFormat("yyyyMMddHHmmss.SSS'000Z#000000#000#000000'", java.util.Locale.ROOT) {
                            {
                                setTimeZone(java.util.TimeZone.getTimeZone("UTC"));
                            }
                        }.format(new java.util.Date())) + "|";
            }
            // elsewhere, follow modifyTimestamp from now (second resolution; the edge is de-duplicated)
            return MODIFY_TIMESTAMP.prefix() + com.unboundid.util.StaticUtils.encodeGeneralizedTime(new java.util.Date()).replaceAll("\\.\\d+Z$", "Z") + "|";
        } catch (LDAPException e) {
            throw new TransientFailure("LDAP read of the root DSE of " + directory.settings().url() + " failed: " + e.getMessage());
        }
    }

    @Override
    public ChangeBatch changesSince(String token) {
        for (Sequence sequence : List.of(CSN, MODIFY_TIMESTAMP, USN)) {
            if (token.startsWith(sequence.prefix())) {
                return changesBySequence(sequence, token.substring(sequence.prefix().length()));
            }
        }
        long after = Long.parseLong(token);
        List<ChangeLogEntry> entries = new ArrayList<>();
        try {
            SearchRequest request = new SearchRequest("cn=changelog", SearchScope.ONE,
                    Filter.createGreaterOrEqualFilter("changeNumber", Long.toString(after + 1)), CHANGELOG_ATTRIBUTES);
            request.setSizeLimit(BATCH);
            List<SearchResultEntry> found;
            try {
                found = directory.pool().search(request).getSearchEntries();
            } catch (LDAPSearchException e) {
                if (e.getResultCode() != ResultCode.SIZE_LIMIT_EXCEEDED) {
                    throw e;
                }
                found = e.getSearchEntries();
            }
            for (SearchResultEntry entry : found) {
                entries.add(new ChangeLogEntry(entry));
            }
        } catch (LDAPException e) {
            throw new TransientFailure("LDAP read of cn=changelog after change " + after + " failed: " + e.getMessage());
        }
        // the server returns them in DN order: put them in change order, and keep a gap-free prefix
        entries.sort(Comparator.comparingLong(ChangeLogEntry::getChangeNumber));
        List<Change> changes = new ArrayList<>();
        long last = after;
        for (ChangeLogEntry entry : entries) {
            if (entry.getChangeNumber() != last + 1 && entries.size() >= BATCH) {
                break; // with a truncated answer, a gap may hide changes not returned yet
            }
            last = entry.getChangeNumber();
            changes.addAll(toChanges(entry));
        }
        return new ChangeBatch(changes, Long.toString(last));
    }

    private List<Change> toChanges(ChangeLogEntry entry) {
        Instant now = Instant.now();
        switch (entry.getChangeType()) {
            case DELETE -> {
                List<Attribute> attributes = entry.getDeletedEntryAttributes();
                Entry deleted = attributes == null ? null : new Entry(entry.getTargetDN(), attributes);
                String id = deleted == null ? null : ids.of(deleted);
                return id == null ? List.of() : List.of(new Change(id, typeOf(deleted), Change.Kind.DELETE, now, Set.of(), null));
            }
            case MODIFY_DN -> {
                return changeFor(entry.getNewDN(), Change.Kind.MODIFY, now).map(List::of).orElse(List.of());
            }
            case ADD, MODIFY -> {
                List<Change> changes = new ArrayList<>();
                Change.Kind kind = entry.getChangeType() == com.unboundid.ldap.sdk.ChangeType.ADD ? Change.Kind.CREATE : Change.Kind.MODIFY;
                changeFor(entry.getTargetDN(), kind, now).ifPresent(changes::add);
                if (isScopeGroup(entry.getTargetDN())) {
                    changes.addAll(memberChanges(entry, now));
                }
                return changes;
            }
            default -> {
                return List.of();
            }
        }
    }

    /** Entries stamped at or after the token's value, oldest first, paged; edge entries already seen are skipped. */
    private ChangeBatch changesBySequence(Sequence sequence, String token) {
        int bar = token.indexOf('|');
        String since = token.substring(0, bar);
        Set<String> seenAtEdge = new LinkedHashSet<>(List.of(token.substring(bar + 1).split(",")));
        seenAtEdge.remove("");
        // where every write has its own stamp (entryCSN, uSNChanged), a batch takes the oldest BATCH of them and the
        // next poll goes on from there; with modifyTimestamp, whose seconds many writes share, it takes whole seconds,
        // each once it is SETTLE past (so every write of it is in), and the token is that second alone
        boolean bounded = sequence != MODIFY_TIMESTAMP;
        Instant settled = Instant.now().minus(SETTLE).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Comparator<SearchResultEntry> byStamp = Comparator.comparing(e -> e.getAttributeValue(sequence.attribute()), sequence.order());
        java.util.PriorityQueue<SearchResultEntry> newestLast = new java.util.PriorityQueue<>(byStamp.reversed());
        List<SearchResultEntry> modified = new ArrayList<>();
        com.unboundid.ldap.sdk.LDAPConnection connection = null;
        try {
            // a paged search continues on the connection it started on: a server answers another one's cookie as invalid
            connection = directory.pool().getConnection();
            ASN1OctetString cookie = null;
            do {
                SearchRequest request = new SearchRequest(directory.settings().baseDn(), SearchScope.SUB,
                        Filter.createGreaterOrEqualFilter(sequence.attribute(), since), settings.idAttribute(), "objectClass", sequence.attribute());
                request.addControl(new SimplePagedResultsControl(PAGE, cookie));
                SearchResult result = connection.search(request);
                for (SearchResultEntry entry : result.getSearchEntries()) {
                    if (!bounded) {
                        modified.add(entry);
                    } else {
                        newestLast.add(entry);
                        if (newestLast.size() > BATCH) {
                            newestLast.poll(); // the newest goes: memory stays at BATCH entries whatever the burst
                        }
                    }
                }
                SimplePagedResultsControl paged = SimplePagedResultsControl.get(result);
                cookie = paged == null || paged.getCookie().getValueLength() == 0 ? null : paged.getCookie();
            } while (cookie != null);
            directory.pool().releaseConnection(connection);
        } catch (LDAPException e) {
            if (connection != null) {
                directory.pool().releaseDefunctConnection(connection);
            }
            throw new TransientFailure("LDAP search of " + directory.settings().baseDn() + " for entries with " + sequence.attribute()
                    + " from " + since + " failed: " + e.getMessage());
        }
        modified.addAll(newestLast);
        modified.sort(byStamp);
        Instant now = Instant.now();
        List<Change> changes = new ArrayList<>();
        String last = since;
        Set<String> atLast = new LinkedHashSet<>(seenAtEdge);
        for (SearchResultEntry entry : modified) {
            String id = ids.of(entry);
            String at = entry.getAttributeValue(sequence.attribute());
            if (id == null || at == null || (at.equals(since) && seenAtEdge.contains(id)) || (!bounded && !before(at, settled))) {
                continue; // seen (a token from before whole seconds), or in a second that is not over yet: the next poll
            }
            if (!at.equals(last)) {
                last = at;
                atLast = new LinkedHashSet<>();
            }
            atLast.add(id);
            changes.add(new Change(id, typeOf(entry), Change.Kind.MODIFY, now, Set.of(), null));
            if (isScopeGroup(entry.getDN())) {
                String group = normalize(entry.getDN());
                Set<String> before = knownMembers.getOrDefault(group, Set.of());
                Set<String> after = members(entry.getDN());
                Set<String> moved = new LinkedHashSet<>();
                before.stream().filter(dn -> !after.contains(dn)).forEach(moved::add);
                after.stream().filter(dn -> !before.contains(dn)).forEach(moved::add);
                knownMembers.put(group, after);
                scopeGroups = null;
                for (String dn : moved) {
                    changeFor(dn, Change.Kind.MODIFY, now).ifPresent(changes::add);
                }
            }
        }
        if (!bounded) {
            // everything stamped before the settled second is in this batch: the next one starts there, nothing to remember
            String next = com.unboundid.util.StaticUtils.encodeGeneralizedTime(java.util.Date.from(settled)).replaceAll("\\.\\d+Z$", "Z");
            return new ChangeBatch(changes, sequence.prefix() + (before(since, settled) ? next + "|" : since + "|" + String.join(",", seenAtEdge)));
        }
        return new ChangeBatch(changes, sequence.prefix() + last + "|" + String.join(",", atLast));
    }

    /** Whether a generalized time ({@code 20261202011500Z}, {@code 20261202011500.0Z}) is before {@code instant}. */
    private static boolean before(String generalizedTime, Instant instant) {
        try {
            return com.unboundid.util.StaticUtils.decodeGeneralizedTime(generalizedTime).toInstant().isBefore(instant);
        } catch (java.text.ParseException e) {
            throw new PermanentFailure("modifyTimestamp '" + generalizedTime + "' is not a generalized time");
        }
    }

    /**
     * Members added to or removed from a scope group enter or leave the scope: each is a change. A replace
     * or delete-all of the member values names no one, so the group's members as last seen are compared
     * with its members now.
     */
    private List<Change> memberChanges(ChangeLogEntry entry, Instant now) {
        Set<String> dns = new LinkedHashSet<>();
        boolean unnamed = false;
        if (entry.getAddAttributes() != null) {
            for (Attribute attribute : entry.getAddAttributes()) {
                if (isMemberAttribute(attribute.getBaseName())) {
                    dns.addAll(List.of(attribute.getValues()));
                }
            }
        }
        if (entry.getModifications() != null) {
            for (Modification modification : entry.getModifications()) {
                if (isMemberAttribute(modification.getAttributeName())) {
                    dns.addAll(List.of(modification.getValues()));
                    unnamed |= modification.getModificationType() == com.unboundid.ldap.sdk.ModificationType.REPLACE
                            || modification.getValues().length == 0;
                }
            }
        }
        String group = normalize(entry.getTargetDN());
        Set<String> before = knownMembers.getOrDefault(group, Set.of());
        Set<String> after = members(entry.getTargetDN());
        if (unnamed) {
            for (String dn : before) {
                if (!after.contains(dn)) {
                    dns.add(dn);
                }
            }
            for (String dn : after) {
                if (!before.contains(dn)) {
                    dns.add(dn);
                }
            }
        }
        knownMembers.put(group, after);
        scopeGroups = null; // nesting may have changed
        List<Change> changes = new ArrayList<>();
        for (String dn : dns) {
            changeFor(dn, Change.Kind.MODIFY, now).ifPresent(changes::add);
        }
        return changes;
    }

    /** A group's member DNs now, normalised. */
    private Set<String> members(String groupDn) {
        SearchResultEntry group = get(groupDn, "member", "uniqueMember");
        Set<String> members = new LinkedHashSet<>();
        if (group != null) {
            concat(group.getAttributeValues("member"), group.getAttributeValues("uniqueMember")).forEach(dn -> members.add(normalize(dn)));
        }
        return members;
    }

    private static boolean isMemberAttribute(String name) {
        return name.equalsIgnoreCase("member") || name.equalsIgnoreCase("uniqueMember");
    }

    /** The change for the entry now at {@code dn}; empty when it is gone (a later change says what happened). */
    private Optional<Change> changeFor(String dn, Change.Kind kind, Instant at) {
        SearchResultEntry current = get(dn, settings.idAttribute(), "objectClass");
        if (current == null || ids.of(current) == null) {
            return Optional.empty();
        }
        return Optional.of(new Change(ids.of(current), typeOf(current), kind, at, Set.of(), null));
    }

    private static EntryType typeOf(Entry entry) {
        for (String objectClass : entry.getObjectClassValues() == null ? new String[0] : entry.getObjectClassValues()) {
            if (GROUP_CLASSES.contains(objectClass.toLowerCase(Locale.ROOT))) {
                return EntryType.GROUP;
            }
        }
        return EntryType.USER;
    }

    /** The groups of the source location that name the member with this id, each as a change. */
    @Override
    public List<Change> changesForMember(String memberId) {
        if (settings.entryType() != EntryType.GROUP || settings.searchBase() == null) {
            return List.of();
        }
        try {
            SearchRequest byId = new SearchRequest(directory.settings().baseDn(), SearchScope.SUB,
                    ids.equality(memberId), "1.1");
            byId.setSizeLimit(2);
            List<SearchResultEntry> members = directory.pool().search(byId).getSearchEntries();
            if (members.size() != 1) {
                return List.of();
            }
            String dn = members.get(0).getDN();
            Filter naming = Filter.createANDFilter(Filter.create(settings.filter()),
                    Filter.createORFilter(Filter.createEqualityFilter("member", dn), Filter.createEqualityFilter("uniqueMember", dn)));
            Instant now = Instant.now();
            List<Change> changes = new ArrayList<>();
            for (SearchResultEntry group : directory.pool().search(new SearchRequest(settings.searchBase(), SearchScope.SUB, naming,
                    settings.idAttribute(), "objectClass")).getSearchEntries()) {
                if (ids.of(group) != null) {
                    changes.add(new Change(ids.of(group), typeOf(group), Change.Kind.MODIFY, now, Set.of(), null));
                }
            }
            return changes;
        } catch (LDAPException e) {
            throw new TransientFailure("LDAP search of the groups naming " + settings.idAttribute() + "=" + memberId + " failed: " + e.getMessage());
        }
    }

    @Override
    public boolean inScope(Change change) {
        return settings.entryType() == change.entryType() && change.sourceId() != null;
    }

    // --- reading -------------------------------------------------------------------------------------

    /** A placeholder's attribute must be in the directory's schema; dn and the attributes the source computes always are. */
    @Override
    public List<String> schemaProblems(java.util.Collection<String> paths) {
        List<String> attributes = paths.stream().map(path -> path.split("[.\\[]", 2)[0]).distinct()
                .filter(name -> !Set.of("dn", ENABLED_IN_DIRECTORY.toLowerCase(java.util.Locale.ROOT), SourceEntry.MEMBER_IDS.toLowerCase(java.util.Locale.ROOT))
                        .contains(name.toLowerCase(java.util.Locale.ROOT)))
                .toList();
        return directory.schemaProblems(attributes, List.of()).orElse(List.of()).stream()
                .map(problem -> "a placeholder can never have a value: " + problem).toList();
    }

    @Override
    public Optional<SourceEntry> read(String id) {
        try {
            SearchRequest request = new SearchRequest(directory.settings().baseDn(), SearchScope.SUB,
                    ids.equality(id), "*", settings.idAttribute(), settings.disabledAttribute());
            request.setSizeLimit(2);
            List<SearchResultEntry> found = directory.pool().search(request).getSearchEntries();
            return found.size() == 1 ? Optional.of(entry(found.get(0))) : Optional.empty();
        } catch (LDAPException e) {
            throw new TransientFailure("LDAP read of " + settings.idAttribute() + "=" + id + " failed: " + e.getMessage());
        }
    }

    @Override
    public boolean inScope(SourceEntry entry) {
        String dn = entry.document().path("dn").asText();
        try {
            if (settings.groupDn() != null) {
                for (String group : scopeGroups()) {
                    if (directory.pool().compare(group, "member", dn).compareMatched()) {
                        return true;
                    }
                }
                return false;
            }
            return new DN(dn).isDescendantOf(settings.searchBase(), false) && Filter.create(settings.filter()).matchesEntry(toEntry(entry));
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT || e.getResultCode() == ResultCode.UNDEFINED_ATTRIBUTE_TYPE) {
                return false;
            }
            throw new TransientFailure("LDAP scope check of " + dn + " failed: " + e.getMessage());
        }
    }

    @Override
    public Iterator<SourceEntry> scan() {
        return settings.groupDn() != null ? scanGroupMembers() : scanFilter();
    }

    /** The members of the scope groups that are users, read one by one as the iterator advances. */
    private Iterator<SourceEntry> scanGroupMembers() {
        Deque<String> members = new ArrayDeque<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String group : scopeGroups()) {
            SearchResultEntry entry = get(group, "member", "uniqueMember");
            if (entry != null) {
                addAll(members, entry.getAttributeValues("member"));
                addAll(members, entry.getAttributeValues("uniqueMember"));
            }
        }
        // member DNs only (a string each), the entries read one by one as the reader advances
        return Paging.map(members.iterator(), dn -> {
            if (!seen.add(normalize(dn))) {
                return null;
            }
            SearchResultEntry entry = get(dn, "*", settings.idAttribute(), settings.disabledAttribute());
            return entry != null && typeOf(entry) == EntryType.USER ? entry(entry) : null;
        });
    }

    /**
     * Entries under the base that match the filter, a page of {@value #PAGE} at a time (simple paged results), on a
     * connection of the scan's own.
     */
    private Iterator<SourceEntry> scanFilter() {
        ScanConnection held = new ScanConnection();
        Iterator<SearchResultEntry> entries = Paging.pages((ASN1OctetString) null, cookie -> {
            try {
                if (held.connection == null) {
                    held.connection = directory.connectAlone();
                }
                SearchRequest request = new SearchRequest(settings.searchBase(), SearchScope.SUB, settings.filter(), "*",
                        settings.idAttribute(), settings.disabledAttribute());
                request.addControl(new SimplePagedResultsControl(PAGE, cookie));
                SearchResult result = held.connection.search(request);
                SimplePagedResultsControl response = SimplePagedResultsControl.get(result);
                ASN1OctetString next = response == null ? null : response.getCookie();
                if (next == null || next.getValueLength() == 0) {
                    held.run();
                    return Paging.Page.last(result.getSearchEntries());
                }
                return Paging.Page.then(result.getSearchEntries(), next);
            } catch (LDAPException e) {
                held.run();
                throw new TransientFailure("LDAP paged search of " + settings.searchBase() + " for " + settings.filter() + " failed: " + e.getMessage());
            }
        });
        Iterator<SourceEntry> scan = Paging.map(entries, this::entry);
        SCANS.register(scan, held); // a scan given up half-way (the batch stopped) closes its connection when it is collected
        return scan;
    }

    /** The connection one paged scan runs on, from its first page to its last. */
    private static final class ScanConnection implements Runnable {
        volatile com.unboundid.ldap.sdk.LDAPConnection connection;

        @Override
        public void run() {
            com.unboundid.ldap.sdk.LDAPConnection current = connection;
            connection = null;
            if (current != null) {
                current.close();
            }
        }
    }

    private static final java.lang.ref.Cleaner SCANS = java.lang.ref.Cleaner.create();

    /** The configured group and every group nested in it, refreshed every 30 s and when a group changes. */
    Set<String> scopeGroups() {
        Set<String> groups = scopeGroups;
        if (groups != null && System.currentTimeMillis() - scopeGroupsAt < 30_000) {
            return groups;
        }
        Set<String> found = new LinkedHashSet<>();
        Deque<String> pending = new ArrayDeque<>(List.of(settings.groupDn()));
        while (!pending.isEmpty() && found.size() < 1000) {
            String dn = pending.poll();
            if (!found.add(normalize(dn))) {
                continue;
            }
            SearchResultEntry group = get(dn, "member", "uniqueMember", "objectClass");
            if (group == null) {
                continue;
            }
            List<String> groupMembers = concat(group.getAttributeValues("member"), group.getAttributeValues("uniqueMember"));
            knownMembers.putIfAbsent(normalize(dn), groupMembers.stream().map(LdapEntrySource::normalize)
                    .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new)));
            for (String member : groupMembers) {
                SearchResultEntry candidate = get(member, "objectClass");
                if (candidate != null && typeOf(candidate) == EntryType.GROUP) {
                    pending.add(member);
                }
            }
        }
        scopeGroups = Set.copyOf(found);
        scopeGroupsAt = System.currentTimeMillis();
        return scopeGroups;
    }

    private SearchResultEntry get(String dn, String... attributes) {
        try {
            return directory.pool().getEntry(dn, attributes);
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT || e.getResultCode() == ResultCode.INVALID_DN_SYNTAX) {
                return null;
            }
            throw new TransientFailure("LDAP read of " + dn + " failed: " + e.getMessage());
        }
    }

    private boolean isScopeGroup(String dn) {
        return settings.groupDn() != null && scopeGroups().contains(normalize(dn));
    }

    /** The entry as the attribute map sees it, with the account status as an intermediate attribute. */
    SourceEntry entry(Entry entry) {
        ObjectNode document = JsonNodeFactory.instance.objectNode();
        document.put("dn", entry.getDN());
        for (Attribute attribute : entry.getAttributes()) {
            String[] values = attribute.getValues();
            if (values.length == 1) {
                document.put(attribute.getBaseName(), values[0]);
            } else {
                ArrayNode array = document.putArray(attribute.getBaseName());
                for (String value : values) {
                    array.add(value);
                }
            }
        }
        if (settings.entryType() == EntryType.GROUP) {
            ArrayNode memberIds = document.putArray(SourceEntry.MEMBER_IDS);
            for (String member : concat(entry.getAttributeValues("member"), entry.getAttributeValues("uniqueMember"))) {
                SearchResultEntry user = get(member, settings.idAttribute(), "objectClass");
                if (user != null && typeOf(user) == EntryType.USER && ids.of(user) != null) {
                    memberIds.add(ids.of(user));
                }
            }
        }
        boolean disabled = "TRUE".equalsIgnoreCase(entry.getAttributeValue(settings.disabledAttribute()));
        Long accountControl = entry.getAttributeValueAsLong("userAccountControl");
        if (accountControl != null && (accountControl & 0x2) != 0) {
            disabled = true;
        }
        document.put(ENABLED_IN_DIRECTORY, disabled ? "false" : "true");
        String id = ids.of(entry);
        if (id != null) {
            document.put(settings.idAttribute(), id); // a binary objectGUID in its text form
        }
        return new SourceEntry(id, document);
    }

    private static Entry toEntry(SourceEntry source) {
        Entry entry = new Entry(source.document().path("dn").asText());
        source.document().fields().forEachRemaining(field -> {
            if (field.getKey().equals("dn")) {
                return;
            }
            if (field.getValue().isArray()) {
                List<String> values = new ArrayList<>();
                field.getValue().forEach(v -> values.add(v.asText()));
                entry.addAttribute(field.getKey(), values.toArray(String[]::new));
            } else {
                entry.addAttribute(field.getKey(), field.getValue().asText());
            }
        });
        return entry;
    }

    private static String normalize(String dn) {
        try {
            return new DN(dn).toNormalizedString();
        } catch (LDAPException e) {
            return dn.toLowerCase(Locale.ROOT);
        }
    }

    private static void addAll(Deque<String> into, String[] values) {
        if (values != null) {
            Collections.addAll(into, values);
        }
    }

    private static List<String> concat(String[] a, String[] b) {
        List<String> all = new ArrayList<>();
        if (a != null) {
            Collections.addAll(all, a);
        }
        if (b != null) {
            Collections.addAll(all, b);
        }
        return all;
    }
}

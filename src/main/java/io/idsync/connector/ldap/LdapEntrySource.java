package io.idsync.connector.ldap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
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
import io.idsync.connector.ConfigurationError;
import io.idsync.connector.EntryType;
import io.idsync.connector.Paging;
import io.idsync.connector.EntryRejected;
import io.idsync.connector.SourceEntry;
import io.idsync.connector.SourceReader;
import io.idsync.connector.SystemUnavailable;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Entries of an LDAP directory as a sync source: change detection, reading, scope. Changes come from the feed the
 * server offers ({@link LdapSourceSettings#changeDetection()} chooses, or {@code auto} lets the root DSE say): the
 * changelog ({@link ChangelogFeed}), or a stamp every write sets ({@link StampFeed}: OpenLDAP's entryCSN, Active
 * Directory's uSNChanged, modifyTimestamp elsewhere). A change to a scope group's members is a change to each member
 * who joined or left ({@link GroupScope}).
 * <p>
 * The document the attribute map reads is the entry as JSON (one value: a string; several: an array),
 * plus {@code dn} and the in-memory intermediate {@value #ENABLED_IN_DIRECTORY} ({@code true}/{@code false}).
 */
public final class LdapEntrySource implements ChangeSource, SourceReader, io.idsync.connector.Startpoints, io.idsync.connector.FilteredScan {

    public static final String ENABLED_IN_DIRECTORY = "accountEnabledInDirectory";

    private static final List<String> DETECTIONS = List.of("auto", "changelog", "usn", "entry-csn", "modify-timestamp");

    private final LdapDirectory directory;
    private final LdapSourceSettings settings;
    private final EntryIds ids;
    private final SourceLookups lookups;
    private final GroupScope scope;
    private final ChangelogFeed changelog;
    /** the scope's base and filter, parsed on first use (a filter the server refuses is named by the first search, as before) */
    private volatile DN base;
    private volatile Filter filter;
    private volatile ChangeDetection detection;

    public LdapEntrySource(LdapDirectory directory, LdapSourceSettings settings) {
        this.directory = directory;
        this.settings = settings;
        this.lookups = new SourceLookups(directory, settings.idAttribute());
        this.ids = lookups.ids();
        this.scope = new GroupScope(lookups, settings.groupDn());
        this.changelog = new ChangelogFeed(lookups, scope, settings.entryType());
    }

    // --- change detection ----------------------------------------------------------------------------

    /**
     * Where the feed the server offers stands now.
     *
     * @throws ConfigurationError when the configured change detection is unknown or the server does not offer it
     * @throws SystemUnavailable when the directory cannot answer
     */
    @Override
    public String currentToken() {
        if (scope.scoped()) {
            scope.groups(); // remembers the members now, to see who joins or leaves
        }
        return detection().currentToken();
    }

    /**
     * The next batch after {@code token}, from the detection that wrote it (a checkpoint written before the
     * configuration changed keeps its own).
     *
     * @throws SystemUnavailable when the directory cannot answer
     */
    @Override
    public ChangeBatch changesSince(String token) {
        return detectionOf(token).changesSince(token);
    }

    /** The detection whose format {@code token} is in: the one in use, or the one that wrote an older checkpoint. */
    private ChangeDetection detectionOf(String token) {
        ChangeDetection chosen = detection();
        if (chosen.owns(token)) {
            return chosen;
        }
        StampFeed.Stamp stamp = StampFeed.Stamp.ofToken(token);
        return stamp == null ? changelog : stampFeed(stamp);
    }

    /** The position in the words of the detection that wrote it. */
    @Override
    public String describe(String token) {
        return detectionOf(token).describe(token);
    }

    /** @throws SystemUnavailable when the directory cannot answer */
    @Override
    public String beginning() {
        return detection().beginning();
    }

    /** @throws UnsupportedStartpoint when the detection's positions are not times (changelog, USN) */
    @Override
    public String at(java.time.Instant time) {
        return detection().at(time);
    }

    /** @throws UnsupportedStartpoint when {@code token} is not a position of the detection in use */
    @Override
    public String parse(String token) {
        return detection().parse(token);
    }

    /** The change detection, chosen once: as configured, or for auto what the root DSE offers. */
    private ChangeDetection detection() {
        ChangeDetection known = detection;
        if (known != null) {
            return known;
        }
        String how = settings.changeDetection().toLowerCase(Locale.ROOT);
        if (!DETECTIONS.contains(how)) {
            throw new ConfigurationError("change-detection '" + settings.changeDetection() + "' is not one of " + String.join(", ", DETECTIONS));
        }
        try {
            com.unboundid.ldap.sdk.RootDSE root = directory.pool().getRootDSE();
            known = how.equals("changelog") || (how.equals("auto") && root.getAttributeValue("lastChangeNumber") != null)
                    ? changelog : stampFeed(stampFor(how, root));
        } catch (LDAPException e) {
            throw directory.systemFailure("read of the root DSE", e);
        }
        detection = known;
        return known;
    }

    /** The stamp a server without changelog is followed by: as configured, or for auto the best it has. */
    private StampFeed.Stamp stampFor(String how, com.unboundid.ldap.sdk.RootDSE root) throws LDAPException {
        for (StampFeed.Stamp stamp : StampFeed.Stamp.values()) {
            if (stamp.setting.equals(how)) {
                return stamp;
            }
        }
        if (root.getAttributeValue("highestCommittedUSN") != null) {
            return StampFeed.Stamp.USN;
        }
        SearchResultEntry base = directory.pool().getEntry(directory.settings().baseDn(), "entryCSN");
        return base != null && base.getAttributeValue("entryCSN") != null ? StampFeed.Stamp.ENTRY_CSN : StampFeed.Stamp.MODIFY_TIMESTAMP;
    }

    private StampFeed stampFeed(StampFeed.Stamp stamp) {
        return new StampFeed(lookups, scope, stamp, directory.settings().pageSize());
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
                    changes.add(new Change(ids.of(group), SourceLookups.typeOf(group), Change.Kind.MODIFY, now, Set.of(), null));
                }
            }
            return changes;
        } catch (LDAPException e) {
            throw directory.systemFailure("search of the groups naming " + settings.idAttribute() + "=" + memberId, e);
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
            throw directory.systemFailure("read of " + settings.idAttribute() + "=" + id, e);
        }
    }

    /** Its id ({@code idAttribute}), its DN, or a uid, cn or mail value; several entries with the value are refused. */
    @Override
    public Optional<SourceEntry> lookup(String identifier) {
        Optional<SourceEntry> byId = read(identifier);
        if (byId.isPresent()) {
            return byId;
        }
        try {
            if (DN.isValidDN(identifier) && identifier.contains("=")) {
                SearchResultEntry entry = directory.pool().getEntry(identifier, "*", settings.idAttribute(), settings.disabledAttribute());
                return entry == null ? Optional.empty() : Optional.of(entry(entry));
            }
            Filter named = Filter.createORFilter(Filter.createEqualityFilter("uid", identifier), Filter.createEqualityFilter("cn", identifier),
                    Filter.createEqualityFilter("mail", identifier));
            SearchRequest request = new SearchRequest(settings.searchBase(), SearchScope.SUB,
                    Filter.createANDFilter(Filter.create(settings.filter()), named), "*", settings.idAttribute(), settings.disabledAttribute());
            request.setSizeLimit(2);
            List<SearchResultEntry> found = directory.pool().search(request).getSearchEntries();
            if (found.size() > 1) {
                throw ambiguous(identifier);
            }
            return found.stream().findFirst().map(this::entry);
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
                throw ambiguous(identifier);
            }
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return Optional.empty();
            }
            throw directory.systemFailure("look-up of '" + identifier + "'", e);
        }
    }

    private EntryRejected ambiguous(String identifier) {
        return new EntryRejected("more than one entry under " + settings.searchBase() + " has uid, cn or mail '" + identifier
                + "': name it by its DN or " + settings.idAttribute());
    }

    @Override
    public String scopeRule(SourceEntry entry) {
        String dn = entry.document().path("dn").asText();
        if (settings.groupDn() != null) {
            return inScope(entry) ? "a member of " + String.join(" or ", scope.groups()) : "not a member of " + String.join(" or ", scope.groups());
        }
        try {
            if (!new DN(dn).isDescendantOf(settings.searchBase(), false)) {
                return "not under the search base " + settings.searchBase();
            }
        } catch (LDAPException e) {
            return "its DN " + dn + " is not a DN the directory takes";
        }
        return (inScope(entry) ? "under " + settings.searchBase() + " and matching " : "under " + settings.searchBase() + " but not matching ") + settings.filter();
    }

    @Override
    public boolean inScope(SourceEntry entry) {
        String dn = entry.document().path("dn").asText();
        try {
            if (settings.groupDn() != null) {
                for (String group : scope.groups()) {
                    if (directory.pool().compare(group, "member", dn).compareMatched()) {
                        return true;
                    }
                }
                return false;
            }
            return new DN(dn).isDescendantOf(base(), false) && filter().matchesEntry(toEntry(entry));
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT || e.getResultCode() == ResultCode.UNDEFINED_ATTRIBUTE_TYPE) {
                return false;
            }
            throw directory.systemFailure("scope check of " + dn, e);
        }
    }

    /** A search with the pipe's base and filter, or a group's members: each entry is in scope as the server answered it. */
    @Override
    public boolean scansOnlyInScope() {
        return true;
    }

    private DN base() throws LDAPException {
        DN parsed = base;
        return parsed != null ? parsed : (base = new DN(settings.searchBase()));
    }

    private Filter filter() throws LDAPException {
        Filter parsed = filter;
        return parsed != null ? parsed : (filter = Filter.create(settings.filter()));
    }

    @Override
    public Iterator<SourceEntry> scan() {
        return settings.groupDn() != null ? scanGroupMembers() : scanFilter();
    }

    /** The members of the scope groups that are users, read one by one as the iterator advances. */
    private Iterator<SourceEntry> scanGroupMembers() {
        Deque<String> members = new ArrayDeque<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String group : scope.groups()) {
            SearchResultEntry entry = lookups.get(group, "member", "uniqueMember");
            if (entry != null) {
                members.addAll(lookups.members(entry));
            }
        }
        // member DNs only (a string each), the entries read one by one as the reader advances
        return Paging.map(members.iterator(), dn -> {
            if (!seen.add(SourceLookups.normalize(dn))) {
                return null;
            }
            SearchResultEntry entry = lookups.get(dn, "*", settings.idAttribute(), settings.disabledAttribute());
            return entry != null && SourceLookups.typeOf(entry) == EntryType.USER ? entry(entry) : null;
        });
    }

    /**
     * Entries under the base that match the filter, a page of the connection's {@code page-size} at a time (simple paged results), on a
     * connection of the scan's own.
     */
    @Override
    public String filterSyntax() {
        return "an LDAP filter such as (departmentNumber=42), ANDed with the pipe's scope";
    }

    /** The pipe's search with {@code filter} ANDed to its own; for a group's members, those the filter matches. */
    @Override
    public Iterator<SourceEntry> scan(String filter) {
        Filter parsed;
        try {
            parsed = Filter.create(filter);
        } catch (LDAPException e) {
            throw new IllegalArgumentException("'" + filter + "' is not an LDAP filter: " + e.getExceptionMessage());
        }
        if (settings.groupDn() != null) {
            return Paging.map(scanGroupMembers(), entry -> {
                try {
                    return parsed.matchesEntry(toEntry(entry)) ? entry : null;
                } catch (LDAPException e) {
                    return null; // a filter the entry cannot be matched with (an unknown matching rule) does not take it
                }
            });
        }
        try {
            return scanFilter(Filter.createANDFilter(Filter.create(settings.filter()), parsed).toString());
        } catch (LDAPException e) {
            throw new IllegalArgumentException("'" + filter + "' cannot go with the pipe's filter " + settings.filter() + ": " + e.getExceptionMessage());
        }
    }

    private Iterator<SourceEntry> scanFilter() {
        return scanFilter(settings.filter());
    }

    private Iterator<SourceEntry> scanFilter(String filter) {
        ScanConnection held = new ScanConnection();
        Iterator<SearchResultEntry> entries = Paging.pages((ASN1OctetString) null, cookie -> {
            try {
                if (held.connection == null) {
                    held.connection = directory.connectAlone();
                }
                SearchRequest request = new SearchRequest(settings.searchBase(), SearchScope.SUB, filter, "*",
                        settings.idAttribute(), settings.disabledAttribute());
                request.addControl(new SimplePagedResultsControl(directory.settings().pageSize(), cookie));
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
                throw directory.systemFailure("paged search of " + settings.searchBase() + " for " + filter, e);
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
            for (String member : lookups.members(entry)) {
                SearchResultEntry user = lookups.get(member, settings.idAttribute(), "objectClass");
                if (user != null && SourceLookups.typeOf(user) == EntryType.USER && ids.of(user) != null) {
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
            lookups.seen(entry.getDN(), id);
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
}

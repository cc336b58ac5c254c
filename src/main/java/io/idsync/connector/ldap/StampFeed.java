package io.idsync.connector.ldap;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.RootDSE;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;
import com.unboundid.util.StaticUtils;
import io.idsync.connector.Change;
import io.idsync.connector.ChangeBatch;
import io.idsync.connector.ConfigurationError;
import io.idsync.connector.EntryRejected;
import io.idsync.connector.SystemUnavailable;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Change detection on a server without a changelog: the entries whose stamp, an attribute every write sets to a growing
 * value, is past the token's. Adds, modifies and renames show this way (and a scope group's members joining or leaving,
 * by comparing its members); deletes do not, and are left to the pipe's reconciliation.
 * <p>
 * <b>Each batch is bounded before its search.</b> One search is not a snapshot of the directory: each page of a paged
 * search is a new search operation (and OpenLDAP's back-mdb renews a long search's read transaction every
 * {@code rtxnsize} entries), so a write that commits while the search runs is returned when it lands on an entry ahead
 * of the search's cursor and not when it lands behind it. A token moved to the newest stamp seen would then pass over
 * the missed write for good. So before searching, a batch reads a bound that no write still to commit can be under,
 * and takes only the stamps up to it: whatever commits during the search is above the bound, and the next batch's.
 * <ul>
 * <li>{@link Stamp#ENTRY_CSN} (OpenLDAP): the bound is the {@code contextCSN} of the database holding the base, which
 * the syncprov overlay keeps as the newest CSN whose write, and every earlier one, has committed, or the CSN of
 * {@value #SETTLE_SECONDS} s ago when that is later: syncprov moves contextCSN only past a run of committed CSNs, so
 * when the last writes of a burst commit out of order the later one's CSN stays above contextCSN until the next write
 * (on a quiet directory, for good; seen: 2 of 10,000 concurrent modifies). Without syncprov there
 * is no contextCSN, and the bound is the CSN of {@value #SETTLE_SECONDS} s ago by idsync's clock (a write is stamped
 * when it starts and commits within that; the directory's clock must agree with idsync's within it). With several
 * contextCSN values (multi-provider replication), the newest, but no later than that settle time.</li>
 * <li>{@link Stamp#USN} (Active Directory): the root DSE's {@code highestCommittedUSN}, read before the search, as
 * Microsoft documents polling by uSNChanged.</li>
 * <li>{@link Stamp#MODIFY_TIMESTAMP} (any other server): whole seconds that ended {@value #SETTLE_SECONDS} s ago by
 * idsync's clock; many writes share a second, so a batch takes whole seconds and the token is a time.</li>
 * </ul>
 * This holds where a paged search's cookie names the last entry returned (OpenLDAP's back-mdb) or the server keeps the
 * result set (Active Directory, 389 DS). A server whose cookie is a mere offset into the result (UnboundID's in-memory
 * server, the demo directory) can skip an entry ahead of the cursor when one behind it leaves the result during the
 * search; a {@code page-size} above the largest batch keeps such a feed to one page.
 * <p>
 * Where every write has a stamp of its own (entryCSN, uSNChanged) a batch holds at most {@value #BATCH} entries, the
 * oldest, and the next one goes on from the last; the token is {@code <prefix><stamp>|<ids at that stamp>}, so an entry
 * at the edge is not returned twice, or {@code <prefix><bound>|^} once everything up to the bound is read.
 */
final class StampFeed implements ChangeDetection {

    /** An attribute every write stamps, its token prefix and its bound. */
    enum Stamp {
        ENTRY_CSN("csn:", "entryCSN", "entry-csn"),
        USN("usn:", "uSNChanged", "usn"),
        MODIFY_TIMESTAMP("ts:", "modifyTimestamp", "modify-timestamp");

        final String prefix;
        final String attribute;
        /** the value of {@code change-detection} that names it */
        final String setting;

        Stamp(String prefix, String attribute, String setting) {
            this.prefix = prefix;
            this.attribute = attribute;
            this.setting = setting;
        }

        int compare(String a, String b) {
            return this == USN ? Long.compare(Long.parseLong(a), Long.parseLong(b)) : a.compareTo(b);
        }

        /** The stamp whose tokens start so, or null (a changelog's change number). */
        static Stamp ofToken(String token) {
            return Arrays.stream(values()).filter(stamp -> token.startsWith(stamp.prefix)).findFirst().orElse(null);
        }
    }

    static final int SETTLE_SECONDS = 2;
    /** in a token's edge: every entry at the token's stamp has been read (the stamp was a bound) */
    private static final String READ_WHOLE = "^";
    private static final Duration SETTLE = Duration.ofSeconds(SETTLE_SECONDS);
    private static final int BATCH = 1000;
    private static final DateTimeFormatter CSN_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss.SSSSSS'Z#000000#000#000000'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final SourceLookups lookups;
    private final GroupScope scope;
    private final Stamp stamp;
    private final int pageSize;
    /** the naming context whose contextCSN bounds an entryCSN feed, found once */
    private volatile String namingContext;

    StampFeed(SourceLookups lookups, GroupScope scope, Stamp stamp, int pageSize) {
        this.lookups = lookups;
        this.scope = scope;
        this.stamp = stamp;
        this.pageSize = pageSize;
    }

    /**
     * Where the feed stands now, as a token: the bound a batch would read now. Changes up to {@value #SETTLE_SECONDS} s
     * old may come again after an initial load, which is harmless (a change is applied from the entry as it is).
     *
     * @throws SystemUnavailable when the directory cannot answer
     * @throws ConfigurationError when the server has no such stamp (no highestCommittedUSN: not Active Directory)
     */
    @Override
    public String currentToken() {
        return stamp.prefix + (stamp == Stamp.MODIFY_TIMESTAMP ? generalizedTime(settledSecond()) + "|" : bound() + "|" + READ_WHOLE);
    }

    /**
     * The changes after {@code token} (without its prefix) up to the bound read now, oldest first.
     *
     * @throws SystemUnavailable when the directory cannot answer
     */
    @Override
    public ChangeBatch changesSince(String prefixed) {
        String token = prefixed.substring(stamp.prefix.length());
        int bar = token.indexOf('|');
        String since = token.substring(0, bar);
        Set<String> seenAtEdge = new LinkedHashSet<>(List.of(token.substring(bar + 1).split(",")));
        seenAtEdge.remove("");
        boolean seconds = stamp == Stamp.MODIFY_TIMESTAMP;
        Instant settled = settledSecond();
        String bound = seconds ? generalizedTime(settled) : bound(); // before the search: see the class comment
        if (seconds ? !before(since, settled) : stamp.compare(bound, since) < 0) {
            return new ChangeBatch(List.of(), stamp.prefix + token);
        }
        Filter window = seconds
                ? Filter.createANDFilter(Filter.createGreaterOrEqualFilter(stamp.attribute, since),
                Filter.createNOTFilter(Filter.createGreaterOrEqualFilter(stamp.attribute, bound)))
                : Filter.createANDFilter(Filter.createGreaterOrEqualFilter(stamp.attribute, since), Filter.createLessOrEqualFilter(stamp.attribute, bound));
        List<SearchResultEntry> found = search(window, !seconds);
        boolean full = !seconds && found.size() >= BATCH;

        Instant now = Instant.now();
        List<Change> changes = new ArrayList<>();
        String last = since;
        Set<String> atLast = new LinkedHashSet<>(seenAtEdge);
        for (SearchResultEntry entry : found) {
            String id = lookups.ids().of(entry);
            String at = entry.getAttributeValue(stamp.attribute);
            if (id == null || at == null || (at.equals(since) && (seenAtEdge.contains(id) || seenAtEdge.contains(READ_WHOLE)))) {
                continue; // no id, or seen by the batch before at the edge
            }
            if (!at.equals(last)) {
                last = at;
                atLast = new LinkedHashSet<>();
            }
            atLast.add(id);
            changes.add(new Change(id, SourceLookups.typeOf(entry), Change.Kind.MODIFY, changedAt(at, now), Set.of(), null));
            if (scope.contains(entry.getDN())) {
                changes.addAll(scope.membersMoved(entry.getDN(), Set.of(), true, now));
            }
        }
        String next;
        if (seconds) {
            next = bound + "|"; // every second before it is read whole
        } else if (full) {
            next = last + "|" + String.join(",", atLast); // more may wait up to the bound: the next batch goes on from here
        } else {
            next = bound + "|" + READ_WHOLE; // all up to the bound is read
        }
        return new ChangeBatch(changes, stamp.prefix + next);
    }

    /**
     * The entries in the window, sorted by stamp: all of them, or the oldest {@value #BATCH}, a page of {@code pageSize}
     * at a time on one connection (a server answers another connection's paged-results cookie as invalid). Memory stays
     * at a batch whatever the burst.
     */
    private List<SearchResultEntry> search(Filter window, boolean oldestBatch) {
        Comparator<SearchResultEntry> byStamp = Comparator.comparing(e -> e.getAttributeValue(stamp.attribute), stamp::compare);
        PriorityQueue<SearchResultEntry> newestFirst = new PriorityQueue<>(byStamp.reversed());
        List<SearchResultEntry> all = new ArrayList<>();
        LdapDirectory directory = lookups.directory();
        LDAPConnection connection = null;
        try {
            connection = directory.pool().getConnection();
            ASN1OctetString cookie = null;
            do {
                SearchRequest request = new SearchRequest(directory.settings().baseDn(), SearchScope.SUB, window,
                        lookups.ids().attribute(), "objectClass", stamp.attribute);
                request.addControl(new SimplePagedResultsControl(pageSize, cookie));
                SearchResult result = connection.search(request);
                for (SearchResultEntry entry : result.getSearchEntries()) {
                    if (!oldestBatch) {
                        all.add(entry);
                    } else {
                        newestFirst.add(entry);
                        if (newestFirst.size() > BATCH) {
                            newestFirst.poll();
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
            throw directory.systemFailure("search of " + directory.settings().baseDn() + " for entries with " + window, e);
        }
        all.addAll(newestFirst);
        all.sort(byStamp);
        return all;
    }

    /** A token of this stamp ({@code csn:}, {@code usn:}, {@code ts:}). */
    @Override
    public boolean owns(String token) {
        return token.startsWith(stamp.prefix);
    }

    @Override
    public String describe(String token) {
        String position = parse(token).substring(stamp.prefix.length());
        int bar = position.indexOf('|');
        String edge = position.substring(bar + 1);
        return stamp.attribute + " " + position.substring(0, bar) + (edge.equals(READ_WHOLE) ? " (every entry at it read)"
                : edge.isEmpty() ? "" : " (" + edge.split(",").length + " entries at it read)");
    }

    /** Before any stamp: every entry is read again (oldest first, a batch at a time). */
    @Override
    public String beginning() {
        return position(Instant.EPOCH);
    }

    /** The entries stamped at or after {@code time}; a USN is a counter, not a time. */
    @Override
    public String at(Instant time) {
        if (time.equals(Instant.EPOCH) && stamp == Stamp.USN) {
            throw new UnsupportedStartpoint("uSNChanged positions are update sequence numbers, not times: give a USN, end or beginning");
        }
        return position(time);
    }

    /** The position at {@code time}; the epoch is the beginning (for a USN too: 0). */
    private String position(Instant time) {
        return switch (stamp) {
            case ENTRY_CSN -> stamp.prefix + CSN_TIME.format(time) + "|";
            case MODIFY_TIMESTAMP -> stamp.prefix + generalizedTime(time.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)) + "|";
            case USN -> {
                if (time.equals(Instant.EPOCH)) {
                    yield stamp.prefix + "0|";
                }
                throw new UnsupportedStartpoint("uSNChanged positions are update sequence numbers, not times: give a USN, end or beginning");
            }
        };
    }

    /** A token of this stamp, or the stamp alone ({@code 12345}, {@code 20261207090000.000000Z#000000#000#000000}). */
    @Override
    public String parse(String token) {
        String position = owns(token) ? token.substring(stamp.prefix.length()) : token;
        String value = position.contains("|") ? position.substring(0, position.indexOf('|')) : position;
        boolean valid = switch (stamp) {
            case USN -> value.matches("\\d{1,19}");
            case ENTRY_CSN -> value.matches("\\d{14}(\\.\\d{6})?Z#[0-9a-fA-F]{6}#[0-9a-fA-F]{3}#[0-9a-fA-F]{6}");
            case MODIFY_TIMESTAMP -> value.matches("\\d{14}(\\.\\d+)?Z");
        };
        if (!valid) {
            throw new UnsupportedStartpoint("'" + token + "' is not a " + stamp.attribute + " position (" + stamp.prefix + "<" + stamp.attribute + ">|)");
        }
        return stamp.prefix + (position.contains("|") ? position : position + "|");
    }

    /** The newest stamp no write still to commit can be under (entryCSN, uSNChanged). */
    private String bound() {
        LdapDirectory directory = lookups.directory();
        try {
            if (stamp == Stamp.USN) {
                String highest = directory.pool().getRootDSE().getAttributeValue("highestCommittedUSN");
                if (highest == null) {
                    throw new io.idsync.connector.ConfigurationError(directory.settings().url() + " shows no highestCommittedUSN in its root DSE:"
                            + " it is not Active Directory; set change-detection to changelog, entry-csn or modify-timestamp");
                }
                return highest;
            }
            String settled = CSN_TIME.format(Instant.now().minus(SETTLE));
            SearchResultEntry context = directory.pool().getEntry(namingContext(), "contextCSN");
            String[] values = context == null ? null : context.getAttributeValues("contextCSN");
            if (values == null || values.length == 0) {
                return settled; // no syncprov: a settle window
            }
            if (values.length == 1) {
                // syncprov moves contextCSN only past a run of committed CSNs: when a burst's last writes commit out of
                // order, the later one's CSN stays above it until the directory's next write. A write stamped before
                // the settle time has committed too, so a quiet directory's stragglers come within it.
                return values[0].compareTo(settled) < 0 ? settled : values[0];
            }
            String newest = Arrays.stream(values).max(String::compareTo).orElseThrow();
            return newest.compareTo(settled) < 0 ? newest : settled;
        } catch (LDAPException e) {
            throw directory.systemFailure("read of the change bound (" + (stamp == Stamp.USN ? "highestCommittedUSN" : "contextCSN") + ")", e);
        }
    }

    /** The naming context (database suffix) that holds the base DN: where syncprov keeps contextCSN. */
    private String namingContext() throws LDAPException {
        String known = namingContext;
        if (known != null) {
            return known;
        }
        String base = lookups.directory().settings().baseDn();
        String found = base;
        RootDSE root = lookups.directory().pool().getRootDSE();
        String[] contexts = root == null ? null : root.getNamingContextDNs();
        for (String context : contexts == null ? new String[0] : contexts) {
            if (!context.isEmpty() && new DN(base).isDescendantOf(context, true)) {
                found = context;
            }
        }
        namingContext = found;
        return found;
    }

    private static Instant settledSecond() {
        return Instant.now().minus(SETTLE).truncatedTo(ChronoUnit.SECONDS);
    }

    private static String generalizedTime(Instant instant) {
        return StaticUtils.encodeGeneralizedTime(java.util.Date.from(instant)).replaceAll("\\.\\d+Z$", "Z");
    }

    /** Whether a generalized time ({@code 20261202011500Z}, {@code 20261202011500.0Z}) is before {@code instant}. */
    private static boolean before(String generalizedTime, Instant instant) {
        try {
            return StaticUtils.decodeGeneralizedTime(generalizedTime).toInstant().isBefore(instant);
        } catch (ParseException e) {
            throw new EntryRejected("modifyTimestamp '" + generalizedTime + "' in the checkpoint is not a generalized time");
        }
    }

    /**
     * When the entry changed, from its stamp: an entryCSN and a modifyTimestamp carry the server's time (the change's
     * latency is measured from it); a USN does not, so the read's time stands for it.
     */
    private Instant changedAt(String stampValue, Instant read) {
        if (stamp == Stamp.USN) {
            return read;
        }
        try {
            String time = stamp == Stamp.ENTRY_CSN ? stampValue.substring(0, Math.max(0, stampValue.indexOf('#'))) : stampValue;
            Instant at = com.unboundid.util.StaticUtils.decodeGeneralizedTime(time).toInstant();
            return at.isAfter(read) ? read : at; // a server clock ahead of idsync's is not a negative latency
        } catch (java.text.ParseException | RuntimeException e) {
            return read;
        }
    }
}

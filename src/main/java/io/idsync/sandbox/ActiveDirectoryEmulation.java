package io.idsync.sandbox;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedAddRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedAddResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedDeleteRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedDeleteResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyDNRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyDNResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchEntry;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.AddRequest;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a domain controller does by itself, for the demo directory's AD-style subtrees (demo and tests only):
 * every entry added there gets a binary {@code objectGUID}, every add, modify and rename is stamped with the
 * next update sequence number ({@code uSNCreated}, {@code uSNChanged}), the root DSE shows
 * {@code highestCommittedUSN}, and users carry {@code memberOf}, the
 * back link of the groups' {@code member} values. As in AD, a membership change does not change the member's
 * {@code uSNChanged}: it is the group that changed; and a group of more than 1,500 members is read in ranges.
 */
final class ActiveDirectoryEmulation extends InMemoryOperationInterceptor {

    private static final String MEMBERS_BEFORE = "idsync.membersBefore";
    /** AD's default MaxValRange: the most values of one attribute a read gives */
    static final int MAX_VAL_RANGE = 1500;

    private final List<DN> subtrees = new ArrayList<>();
    private final AtomicLong usn = new AtomicLong(12_000);
    /** USNs given to writes that have not committed yet: highestCommittedUSN stays under the oldest, as in AD */
    private final java.util.NavigableSet<Long> uncommitted = new java.util.TreeSet<>();
    private static final String USN_ALLOCATED = "idsync.usn";
    private volatile InMemoryDirectoryServer server;

    ActiveDirectoryEmulation(String... subtrees) {
        for (String subtree : subtrees) {
            try {
                this.subtrees.add(new DN(subtree));
            } catch (LDAPException e) {
                throw new IllegalArgumentException("not a DN: " + subtree, e);
            }
        }
    }

    /** The server whose entries the back links are written to (it exists only after its configuration). */
    void attach(InMemoryDirectoryServer server) {
        this.server = server;
    }

    @Override
    public void processAddRequest(InMemoryInterceptedAddRequest request) {
        if (inScope(request.getRequest().getDN()) && isActiveDirectoryClass(request.getRequest().toEntry())) {
            AddRequest stamped = request.getRequest().duplicate();
            if (!stamped.hasAttribute("objectGUID")) {
                byte[] guid = new byte[16];
                java.util.concurrent.ThreadLocalRandom.current().nextBytes(guid);
                stamped.addAttribute(new Attribute("objectGUID", guid));
            }
            String next = Long.toString(allocate(request));
            stamped.replaceAttribute("uSNCreated", next);
            stamped.replaceAttribute("uSNChanged", next);
            request.setRequest(stamped);
        }
    }

    @Override
    public void processAddResult(InMemoryInterceptedAddResult result) {
        committed(result.getProperty(USN_ALLOCATED));
        if (result.getResult().getResultCode() == ResultCode.SUCCESS && inScope(result.getRequest().getDN())) {
            Attribute members = result.getRequest().toEntry().getAttribute("member");
            refreshMemberOf(members == null ? Set.of() : new LinkedHashSet<>(List.of(members.getValues())));
        }
    }

    @Override
    public void processModifyRequest(InMemoryInterceptedModifyRequest request) {
        String dn = request.getRequest().getDN();
        if (!inScope(dn) || !isActiveDirectoryClass(entry(dn))) {
            return;
        }
        if (request.getRequest().getModifications().stream().anyMatch(m -> m.getAttributeName().equalsIgnoreCase("member"))) {
            request.setProperty(MEMBERS_BEFORE, members(dn));
        }
        List<Modification> modifications = new ArrayList<>(request.getRequest().getModifications());
        modifications.add(new Modification(ModificationType.REPLACE, "uSNChanged", Long.toString(allocate(request))));
        request.setRequest(new ModifyRequest(dn, modifications, request.getRequest().getControls()));
    }

    @Override
    public void processModifyResult(InMemoryInterceptedModifyResult result) {
        committed(result.getProperty(USN_ALLOCATED));
        refreshAfter(result.getResult().getResultCode(), result.getProperty(MEMBERS_BEFORE), result.getRequest().getDN());
    }

    @Override
    public void processDeleteRequest(InMemoryInterceptedDeleteRequest request) {
        if (inScope(request.getRequest().getDN())) {
            request.setProperty(MEMBERS_BEFORE, members(request.getRequest().getDN()));
        }
    }

    @Override
    public void processDeleteResult(InMemoryInterceptedDeleteResult result) {
        refreshAfter(result.getResult().getResultCode(), result.getProperty(MEMBERS_BEFORE), null);
    }

    @Override
    public void processModifyDNRequest(InMemoryInterceptedModifyDNRequest request) {
        if (inScope(request.getRequest().getDN())) {
            request.setProperty(MEMBERS_BEFORE, members(request.getRequest().getDN()));
        }
    }

    @Override
    public void processModifyDNResult(InMemoryInterceptedModifyDNResult result) {
        if (result.getResult().getResultCode() != ResultCode.SUCCESS || result.getProperty(MEMBERS_BEFORE) == null) {
            return;
        }
        try {
            String newDn = newDn(result.getRequest().getDN(), result.getRequest().getNewRDN(), result.getRequest().getNewSuperiorDN());
            if (inScope(newDn) && isActiveDirectoryClass(entry(newDn))) {
                server.modify(newDn, new Modification(ModificationType.REPLACE, "uSNChanged", Long.toString(usn.incrementAndGet())));
            }
        } catch (LDAPException e) {
            throw new IllegalStateException("the demo directory could not stamp a renamed entry: " + e.getMessage(), e);
        }
        refreshAfter(ResultCode.SUCCESS, result.getProperty(MEMBERS_BEFORE), null);
    }

    @Override
    public void processSearchEntry(InMemoryInterceptedSearchEntry entry) {
        if (entry.getSearchEntry().getDN().isEmpty()) {
            Entry rootDse = entry.getSearchEntry().duplicate();
            rootDse.setAttribute("highestCommittedUSN", Long.toString(highestCommitted()));
            entry.setSearchEntry(rootDse);
        } else if (inScope(entry.getSearchEntry().getDN())) {
            rangedMembers(entry);
        }
    }

    /**
     * AD's ranged retrieval: a group's {@code member} of more than {@value #MAX_VAL_RANGE} values is given as
     * {@code member;range=0-1499}, the first range, and never whole; {@code member;range=<low>-*} asks for the values
     * from {@code low}, a range at a time, the last one named {@code <low>-*}.
     */
    private void rangedMembers(InMemoryInterceptedSearchEntry intercepted) {
        String asked = null;
        for (String attribute : intercepted.getRequest().getAttributeList()) {
            if (attribute.toLowerCase(java.util.Locale.ROOT).startsWith("member;range=")) {
                asked = attribute.substring("member;range=".length());
            }
        }
        Entry found = intercepted.getSearchEntry();
        if (asked == null && (!found.hasAttribute("member") || found.getAttribute("member").size() <= MAX_VAL_RANGE)) {
            return;
        }
        List<String> values;
        try {
            Entry whole = server.getEntry(found.getDN(), "member");
            values = whole == null || !whole.hasAttribute("member") ? List.of() : List.of(whole.getAttributeValues("member"));
        } catch (LDAPException e) {
            return;
        }
        int low = asked == null ? 0 : Integer.parseInt(asked.substring(0, asked.indexOf('-')));
        int high = Math.min(low + MAX_VAL_RANGE, values.size()) - 1;
        Entry ranged = found.duplicate();
        ranged.removeAttribute("member");
        if (low < values.size()) {
            ranged.addAttribute(new Attribute("member;range=" + low + "-" + (high == values.size() - 1 ? "*" : Integer.toString(high)),
                    values.subList(low, high + 1)));
        }
        intercepted.setSearchEntry(ranged);
    }

    /** The next USN, for a write that commits later ({@link #committed}). */
    private synchronized long allocate(com.unboundid.ldap.listener.interceptor.InMemoryInterceptedRequest request) {
        long next = usn.incrementAndGet();
        uncommitted.add(next);
        request.setProperty(USN_ALLOCATED, next);
        return next;
    }

    private synchronized void committed(Object allocated) {
        if (allocated != null) {
            uncommitted.remove((Long) allocated);
        }
    }

    /** The newest USN under which every write has committed (or failed): a poll bounded by it misses none. */
    private synchronized long highestCommitted() {
        return uncommitted.isEmpty() ? usn.get() : uncommitted.first() - 1;
    }

    // --- memberOf ------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private void refreshAfter(ResultCode code, Object before, String groupDn) {
        if (code != ResultCode.SUCCESS || before == null) {
            return;
        }
        Set<String> affected = new LinkedHashSet<>((Set<String>) before);
        if (groupDn != null) {
            // the members who joined or left; the others' memberOf stays as it is
            Set<String> after = members(groupDn);
            Set<String> joined = new LinkedHashSet<>(after);
            joined.removeAll(affected);
            affected.removeAll(after);
            affected.addAll(joined);
        }
        refreshMemberOf(affected);
    }

    /**
     * Rewrites each entry's memberOf from the groups naming it now (written directly: no USN, as in AD). The groups are
     * read once for all the entries: a group of 5,000 members is one search, not 5,000.
     */
    private void refreshMemberOf(Set<String> dns) {
        if (dns.isEmpty()) {
            return;
        }
        java.util.Map<String, Set<String>> groupsOf = new java.util.HashMap<>();
        try {
            for (SearchResultEntry group : server.search(DemoDirectory.BASE_DN, SearchScope.SUB, Filter.createPresenceFilter("member"), "member")
                    .getSearchEntries()) {
                for (String member : group.getAttributeValues("member")) {
                    groupsOf.computeIfAbsent(normalize(member), m -> new LinkedHashSet<>()).add(group.getDN());
                }
            }
        } catch (LDAPException e) {
            throw new IllegalStateException("the demo directory could not read its groups: " + e.getMessage(), e);
        }
        for (String dn : dns) {
            try {
                Entry entry = inScope(dn) ? server.getEntry(dn, "memberOf") : null;
                if (entry == null) {
                    continue;
                }
                Set<String> groups = groupsOf.getOrDefault(normalize(dn), Set.of());
                Set<String> current = entry.hasAttribute("memberOf") ? new LinkedHashSet<>(List.of(entry.getAttributeValues("memberOf"))) : Set.of();
                if (!groups.equals(current)) {
                    server.modify(dn, new Modification(ModificationType.REPLACE, "memberOf", groups.toArray(String[]::new)));
                }
            } catch (LDAPException e) {
                if (e.getResultCode() == ResultCode.OBJECT_CLASS_VIOLATION) {
                    continue; // an entry that cannot be a member in AD's schema (not a user or group)
                }
                throw new IllegalStateException("the demo directory could not update memberOf of " + dn + ": " + e.getMessage(), e);
            }
        }
    }

    private static String normalize(String dn) {
        try {
            return new DN(dn).toNormalizedString();
        } catch (LDAPException e) {
            return dn.toLowerCase(java.util.Locale.ROOT);
        }
    }

    private Set<String> members(String groupDn) {
        try {
            Entry group = server.getEntry(groupDn, "member");
            return group == null || group.getAttribute("member") == null ? Set.of() : new LinkedHashSet<>(List.of(group.getAttributeValues("member")));
        } catch (LDAPException e) {
            return Set.of();
        }
    }

    /** AD's own classes ({@code user}, {@code group}) carry the stamps; other entries placed here are left alone. */
    private static boolean isActiveDirectoryClass(Entry entry) {
        return entry != null && (entry.hasObjectClass("user") || entry.hasObjectClass("group"));
    }

    private Entry entry(String dn) {
        try {
            return server.getEntry(dn, "objectClass");
        } catch (LDAPException e) {
            return null;
        }
    }

    private boolean inScope(String dn) {
        try {
            DN parsed = new DN(dn);
            return subtrees.stream().anyMatch(subtree -> parsed.isDescendantOf(subtree, false));
        } catch (LDAPException e) {
            return false;
        }
    }

    private static String newDn(String dn, String newRdn, String newSuperior) throws LDAPException {
        DN parent = newSuperior != null ? new DN(newSuperior) : new DN(dn).getParent();
        return newRdn + "," + parent;
    }
}

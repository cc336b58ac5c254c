package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.SearchResultEntry;
import io.idsync.connector.Change;
import io.idsync.connector.EntryType;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A user source scoped by a group (PingFederate's "source location" as a group): the group and every group nested in
 * it, and their members as last seen, so that a member joining or leaving is a change of that member. A changelog
 * names the values added or removed, but a replace or delete-all of {@code member} names no one, and a stamp-based feed
 * only says the group changed: both are answered by comparing the members as last seen with the members now.
 */
final class GroupScope {

    private static final long REFRESH_MILLIS = 30_000;
    private static final int MAX_GROUPS = 1000;

    private final SourceLookups lookups;
    private final String groupDn;
    private volatile Set<String> groups;
    private volatile long groupsAt;
    private final Map<String, Set<String>> knownMembers = new ConcurrentHashMap<>();

    /** @param groupDn the configured group, or null for a source without group scope (then nothing is a scope group) */
    GroupScope(SourceLookups lookups, String groupDn) {
        this.lookups = lookups;
        this.groupDn = groupDn;
    }

    boolean scoped() {
        return groupDn != null;
    }

    /**
     * The configured group and every group nested in it (normalized DNs), refreshed every 30 s and after a group changes;
     * reading them remembers their members, so that who joins or leaves from now on is seen.
     */
    Set<String> groups() {
        Set<String> current = groups;
        if (current != null && System.currentTimeMillis() - groupsAt < REFRESH_MILLIS) {
            return current;
        }
        Set<String> found = new LinkedHashSet<>();
        Deque<String> pending = new ArrayDeque<>(List.of(groupDn));
        while (!pending.isEmpty() && found.size() < MAX_GROUPS) {
            String dn = pending.poll();
            if (!found.add(SourceLookups.normalize(dn))) {
                continue;
            }
            SearchResultEntry group = lookups.get(dn, "member", "uniqueMember", "objectClass");
            if (group == null) {
                continue;
            }
            List<String> members = lookups.members(group);
            knownMembers.putIfAbsent(SourceLookups.normalize(dn), members.stream().map(SourceLookups::normalize)
                    .collect(Collectors.toCollection(LinkedHashSet::new)));
            for (String member : members) {
                SearchResultEntry candidate = lookups.get(member, "objectClass");
                if (candidate != null && SourceLookups.typeOf(candidate) == EntryType.GROUP) {
                    pending.add(member);
                }
            }
        }
        groups = Set.copyOf(found);
        groupsAt = System.currentTimeMillis();
        return groups;
    }

    /** Whether {@code dn} is one of the scope's groups. */
    boolean contains(String dn) {
        return groupDn != null && groups().contains(SourceLookups.normalize(dn));
    }

    /**
     * The members of scope group {@code dn} who joined or left it since it was last seen, plus {@code named} (the DNs a
     * changelog names as added or removed), each as a change of that member; the group's members now become the ones
     * last seen, and nesting is read again.
     *
     * @param compare whether to compare the members as last seen with the members now (a replace, a delete-all, a
     *                stamp-based feed), or only to take {@code named}
     */
    List<Change> membersMoved(String dn, Collection<String> named, boolean compare, Instant now) {
        String group = SourceLookups.normalize(dn);
        Set<String> before = knownMembers.getOrDefault(group, Set.of());
        Set<String> after = new LinkedHashSet<>();
        SearchResultEntry entry = lookups.get(dn, "member", "uniqueMember");
        if (entry != null) {
            lookups.members(entry).forEach(member -> after.add(SourceLookups.normalize(member)));
        }
        Set<String> moved = new LinkedHashSet<>(named);
        if (compare) {
            before.stream().filter(member -> !after.contains(member)).forEach(moved::add);
            after.stream().filter(member -> !before.contains(member)).forEach(moved::add);
        }
        knownMembers.put(group, after);
        groups = null; // nesting may have changed
        return moved.stream().map(member -> lookups.changeFor(member, Change.Kind.MODIFY, now)).flatMap(java.util.Optional::stream).toList();
    }
}

package io.idsync.connector.pingone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.Paging;
import io.idsync.connector.EntryRejected;
import io.idsync.connector.SourceEntry;
import io.idsync.connector.SourceReader;
import io.idsync.connector.SystemUnavailable;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * PingOne users as the reader of a sync source, the way PingDataSync's {@code ping-one-customer} source works:
 * changes come from the audit activities ({@link PingOneActivities}), and each changed user is then read here in
 * full. Scope is the pipe's {@code population-to-synchronize} list (names or ids) and, where set, its
 * {@code group-names-containing} list: PingOne's provisioning rule filter "Group Names Contains" (seed 004), met by a
 * user one of whose direct groups' names contains one of the texts, ignoring case. Such a pipe reads each user with
 * {@code include=memberOfGroupNames}, so joining or leaving the group (a membership activity) is a change of scope.
 */
public final class PingOneUserSource implements SourceReader, io.idsync.connector.FilteredScan {

    /** Intermediate attributes: exist only in memory, for the attribute map (PingDataSync's names). */
    public static final String DISABLED_FROM_PINGONE = "ds-pwp-account-disabled-from-pingone";
    public static final String LOCKED_TIME_FROM_PINGONE = "pwdAccountLockedTimeFromPingOne";

    private static final String INCLUDE_GROUP_NAMES = "include=memberOfGroupNames";
    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final PingOneClient client;
    private final List<String> populationsToSynchronize;
    private final List<String> groupNamesContaining;
    private volatile Set<String> populationIds;

    /**
     * @param populationsToSynchronize the pipe's population names or ids; empty means every population
     * @param groupNamesContaining     texts one of the user's group names must contain; empty means any user
     */
    public PingOneUserSource(PingOneClient client, List<String> populationsToSynchronize, List<String> groupNamesContaining) {
        this.client = client;
        this.populationsToSynchronize = List.copyOf(populationsToSynchronize);
        this.groupNamesContaining = groupNamesContaining.stream().map(text -> text.toLowerCase(Locale.ROOT)).toList();
    }

    private PingOneSettings settings() {
        return client.settings();
    }

    // --- reading -------------------------------------------------------------------------------------

    @Override
    public Optional<SourceEntry> read(String id) {
        JsonNode user = client.getOrNull("/users/" + PingOneClient.encode(id) + (byGroups() ? "?" + INCLUDE_GROUP_NAMES : ""));
        return user == null ? Optional.empty() : Optional.of(entry(user));
    }

    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[0-9a-fA-F-]{36}");

    /** A user id, or a username ({@code username eq}). */
    @Override
    public Optional<SourceEntry> lookup(String identifier) {
        if (ID.matcher(identifier).matches()) {
            Optional<SourceEntry> byId = read(identifier);
            if (byId.isPresent()) {
                return byId;
            }
        }
        Iterator<JsonNode> found = client.pages("/users?limit=2&filter=" + PingOneClient.encode("username eq " + PingOneClient.filterValue(identifier)), "users");
        return found.hasNext() ? read(found.next().path("id").asText()) : Optional.empty();
    }

    @Override
    public String scopeRule(SourceEntry entry) {
        Set<String> populations = populationIds();
        String population = entry.document().path("population").path("id").asText();
        if (!populations.isEmpty() && !populations.contains(population)) {
            return "its population (" + population + ") is not one of the pipe's populations: " + String.join(", ", populationsToSynchronize);
        }
        String inPopulation = populations.isEmpty() ? "every population is synchronized" : "its population is one of the pipe's: " + String.join(", ", populationsToSynchronize);
        if (!byGroups()) {
            return inPopulation;
        }
        List<String> names = new ArrayList<>();
        entry.document().path("memberOfGroupNames").forEach(name -> names.add(name.asText()));
        String matching = names.stream().filter(this::matchesGroupScope).findFirst().orElse(null);
        return matching != null ? inPopulation + "; Group Names Contains " + groupNamesContaining + ": member of '" + matching + "'"
                : "Group Names Contains " + groupNamesContaining + ": none of its groups matches (" + (names.isEmpty() ? "no group" : String.join(", ", names)) + ")";
    }

    @Override
    public boolean inScope(SourceEntry entry) {
        Set<String> populations = populationIds();
        boolean inPopulation = populations.isEmpty() || populations.contains(entry.document().path("population").path("id").asText());
        if (!inPopulation || !byGroups()) {
            return inPopulation;
        }
        for (JsonNode name : entry.document().path("memberOfGroupNames")) {
            if (matchesGroupScope(name.asText())) {
                return true;
            }
        }
        return false;
    }

    private boolean byGroups() {
        return !groupNamesContaining.isEmpty();
    }

    private boolean matchesGroupScope(String groupName) {
        String name = groupName.toLowerCase(Locale.ROOT);
        return groupNamesContaining.stream().anyMatch(name::contains);
    }

    @Override
    public Iterator<SourceEntry> scan() {
        return byGroups() ? scanGroupMembers() : scanPopulations();
    }

    /**
     * The members of each group the scope names, one group after the other; a user who is also in an earlier such
     * group was read there and is skipped, so each user comes once without remembering who came.
     */
    private Iterator<SourceEntry> scanGroupMembers() {
        List<String[]> groups = new ArrayList<>(); // id, name: the groups in scope
        client.pages("/groups?limit=1000", "groups").forEachRemaining(group -> {
            if (matchesGroupScope(group.path("name").asText())) {
                groups.add(new String[]{group.path("id").asText(), group.path("name").asText()});
            }
        });
        return Paging.flatMap(IntStream.range(0, groups.size()).iterator(), i -> {
            String members = "/users?limit=" + settings().pageSize() + "&filter="
                    + PingOneClient.encode("memberOfGroups[id eq " + PingOneClient.filterValue(groups.get(i)[0]) + "]");
            // a list carries no group names (PingOne's User: "not returned with a list of users"), so each member is
            // read with them: the entry is the one a change would read, and its other groups tell whether it came already
            return Paging.map(client.pages(members, "users"), listed -> {
                SourceEntry entry = read(listed.path("id").asText()).orElse(null);
                return entry != null && inScope(entry) && !memberOfAny(entry, groups.subList(0, i)) ? entry : null;
            });
        });
    }

    private static boolean memberOfAny(SourceEntry entry, List<String[]> groups) {
        for (JsonNode name : entry.document().path("memberOfGroupNames")) {
            for (String[] group : groups) {
                if (group[1].equals(name.asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String filterSyntax() {
        return "a PingOne filter such as username sw \"e0001\" (PingOne's SCIM-like language: eq, sw, ew, and, or), ANDed with the pipe's populations";
    }

    /** The pipe's populations' users that PingOne's own filter also matches; not offered for a scope of group names. */
    @Override
    public Iterator<SourceEntry> scan(String filter) {
        if (byGroups()) {
            throw new IllegalArgumentException("a run of a pipe scoped by group names takes source ids, not a filter");
        }
        if (filter.isBlank()) {
            throw new IllegalArgumentException("an empty filter");
        }
        requireBalanced(filter);
        return scanPopulations(filter);
    }

    /**
     * The filter goes inside parentheses after the pipe's population: one whose parentheses or quotes do not balance
     * could close them and widen the search beyond the populations ({@code a") or (username pr}), so it is refused.
     */
    private static void requireBalanced(String filter) {
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < filter.length(); i++) {
            char c = filter.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth < 0) {
                break;
            }
        }
        if (quoted || depth != 0) {
            throw new IllegalArgumentException("'" + filter + "' does not balance its parentheses and quotes");
        }
    }

    private Iterator<SourceEntry> scanPopulations() {
        return scanPopulations(null);
    }

    /** @param filter PingOne's filter the users must also match, or null */
    private Iterator<SourceEntry> scanPopulations(String filter) {
        Set<String> populations = populationIds();
        List<String> firstPages = new ArrayList<>();
        String limit = "limit=" + settings().pageSize();
        if (populations.isEmpty()) {
            firstPages.add("/users?" + limit + (filter == null ? "" : "&filter=" + PingOneClient.encode(filter)));
        } else {
            for (String populationId : populations) {
                String inPopulation = "population.id eq " + PingOneClient.filterValue(populationId);
                firstPages.add("/users?" + limit + "&filter=" + PingOneClient.encode(filter == null ? inPopulation : inPopulation + " and (" + filter + ")"));
            }
        }
        return Paging.map(Paging.flatMap(firstPages.iterator(), start -> client.pages(start, "users")), PingOneUserSource::entry);
    }

    /**
     * The user with the intermediate account-status attributes added (in memory only). The user is a
     * response just parsed for this read, so it is changed in place rather than copied.
     */
    static SourceEntry entry(JsonNode user) {
        if (!(user instanceof ObjectNode document)) {
            throw new EntryRejected("PingOne answered a user that is not a JSON object but " + user.getNodeType());
        }
        document.remove("_links");
        boolean locked = "LOCKED".equals(user.path("account").path("status").asText());
        boolean disabled = !user.path("enabled").asBoolean(true) || locked;
        document.put(DISABLED_FROM_PINGONE, disabled ? "TRUE" : "FALSE");
        String lockedAt = user.path("account").path("lockedAt").asText(null);
        if (locked && lockedAt != null) {
            document.put(LOCKED_TIME_FROM_PINGONE, GENERALIZED_TIME.format(Instant.parse(lockedAt)));
        }
        return new SourceEntry(user.path("id").asText(), document);
    }

    /** Population names and ids resolved to ids once; a name that matches nothing stops the pipe with its name. */
    Set<String> populationIds() {
        Set<String> resolved = populationIds;
        if (resolved != null) {
            return resolved;
        }
        List<String> wanted = populationsToSynchronize;
        if (wanted.isEmpty()) {
            populationIds = Set.of();
            return populationIds;
        }
        Set<String> ids = new LinkedHashSet<>();
        List<JsonNode> all = new ArrayList<>();
        client.pages("/populations?limit=1000", "populations").forEachRemaining(all::add);
        for (String want : wanted) {
            Optional<JsonNode> match = all.stream().filter(p -> want.equals(p.path("id").asText()) || want.equalsIgnoreCase(p.path("name").asText())).findFirst();
            if (match.isEmpty()) {
                throw new SystemUnavailable("connection '" + settings().name() + "': the pipe's population-to-synchronize '" + want
                        + "' is neither the name nor the id of a population in environment " + settings().environmentId());
            }
            ids.add(match.get().path("id").asText());
        }
        populationIds = Set.copyOf(ids);
        return populationIds;
    }
}

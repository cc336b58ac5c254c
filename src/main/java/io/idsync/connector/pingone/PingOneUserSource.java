package io.idsync.connector.pingone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.Change;
import io.idsync.connector.ChangeBatch;
import io.idsync.connector.ChangeSource;
import io.idsync.connector.EntryType;
import io.idsync.connector.PermanentFailure;
import io.idsync.connector.SourceEntry;
import io.idsync.connector.SourceReader;
import io.idsync.connector.TransientFailure;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * PingOne users as a sync source, the way PingDataSync's {@code ping-one-customer} source works: changes come
 * from the audit activities feed, polled in {@code recordedAt} windows that end {@code polling-offset} behind
 * now (activities become visible a few seconds late); each changed user is then read in full. Scope is the
 * {@code population-to-synchronize} list (names or ids).
 * <p>
 * The checkpoint token is {@code <recordedAt>|<activity ids at that instant>}: the next window starts at that
 * instant inclusive and skips those ids, so an activity at a window edge is seen exactly once.
 */
public final class PingOneUserSource implements ChangeSource, SourceReader {

    /** Intermediate attributes: exist only in memory, for the attribute map (PingDataSync's names). */
    public static final String DISABLED_FROM_PINGONE = "ds-pwp-account-disabled-from-pingone";
    public static final String LOCKED_TIME_FROM_PINGONE = "pwdAccountLockedTimeFromPingOne";

    private static final Duration MAX_WINDOW = Duration.ofDays(14).minusMinutes(1);
    private static final int MAX_BATCH = 20_000;
    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final PingOneClient client;
    private final List<String> populationsToSynchronize;
    private final List<String> actorIdsToIgnore;
    private volatile Set<String> populationIds;

    /**
     * @param populationsToSynchronize the pipe's population names or ids; empty means every population
     * @param actorIdsToIgnore         client ids whose changes the pipe skips (the opposite pipe's worker app)
     */
    public PingOneUserSource(PingOneClient client, List<String> populationsToSynchronize, List<String> actorIdsToIgnore) {
        this.client = client;
        this.populationsToSynchronize = List.copyOf(populationsToSynchronize);
        this.actorIdsToIgnore = List.copyOf(actorIdsToIgnore);
    }

    private PingOneSettings settings() {
        return client.settings();
    }

    // --- change detection ----------------------------------------------------------------------------

    @Override
    public String currentToken() {
        return windowEnd().toString() + "|";
    }

    @Override
    public ChangeBatch changesSince(String token) {
        int bar = token.indexOf('|');
        if (bar < 0) {
            throw new PermanentFailure("checkpoint '" + token + "' is not a PingOne activities position");
        }
        Instant from = Instant.parse(token.substring(0, bar));
        Set<String> seenAtFrom = new LinkedHashSet<>(List.of(token.substring(bar + 1).split(",")));
        seenAtFrom.remove("");
        Instant to = windowEnd();
        if (!to.isAfter(from)) {
            return new ChangeBatch(List.of(), token);
        }
        if (Duration.between(from, to).compareTo(MAX_WINDOW) > 0) {
            to = from.plus(MAX_WINDOW); // catching up after a long stop: PingOne serves at most 14 days per query
        }
        List<JsonNode> newestFirst = fetchWindow(from, to);
        while (newestFirst.size() > MAX_BATCH && Duration.between(from, to).toMillis() > 1) {
            // keep a batch bounded: halve the window until it fits
            to = from.plusMillis(Duration.between(from, to).toMillis() / 2);
            newestFirst = fetchWindow(from, to);
        }
        List<Change> changes = new ArrayList<>(newestFirst.size());
        Set<String> idsAtEnd = new LinkedHashSet<>();
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            JsonNode activity = newestFirst.get(i);
            String activityId = activity.path("id").asText();
            Instant at = Instant.parse(activity.path("recordedAt").asText());
            if (at.equals(to)) {
                idsAtEnd.add(activityId);
            }
            if (at.equals(from) && seenAtFrom.contains(activityId)) {
                continue;
            }
            changes.add(toChange(activity, at));
        }
        return new ChangeBatch(changes, to + "|" + String.join(",", idsAtEnd));
    }

    @Override
    public boolean inScope(Change change) {
        if (change.entryType() != EntryType.USER || change.sourceId() == null) {
            return false;
        }
        return change.actors().isEmpty() || !actorIdsToIgnore.containsAll(change.actors());
    }

    private List<JsonNode> fetchWindow(Instant from, Instant to) {
        String filter = "recordedAt ge \"" + from + "\" and recordedAt le \"" + to + "\"";
        List<JsonNode> activities = new ArrayList<>();
        Iterator<JsonNode> it = client.pages("/activities?limit=1000&filter=" + PingOneClient.encode(filter), "activities");
        while (it.hasNext()) {
            activities.add(it.next());
            if (activities.size() > MAX_BATCH * 2) {
                break; // enough to know the window must shrink
            }
        }
        return activities;
    }

    private static Change toChange(JsonNode activity, Instant at) {
        String type = activity.path("action").path("type").asText("");
        JsonNode resource = activity.path("resources").path(0);
        String resourceType = resource.path("type").asText("");
        String resourceId = resource.path("id").asText(null);
        Change.Kind kind = type.endsWith(".CREATED") ? Change.Kind.CREATE
                : type.endsWith(".DELETED") ? Change.Kind.DELETE : Change.Kind.MODIFY;
        if (resourceType.equals("MEMBER_OF_GROUP")) {
            // href .../users/{userId}/memberOfGroups/{groupId}: the user's memberships changed
            String href = resource.path("href").asText("");
            int users = href.indexOf("/users/");
            if (users >= 0) {
                resourceId = href.substring(users + 7).split("/")[0];
                resourceType = "USER";
                kind = Change.Kind.MODIFY;
            }
        }
        EntryType entryType = switch (resourceType) {
            case "USER" -> EntryType.USER;
            case "GROUP" -> EntryType.GROUP;
            default -> null; // populations, applications...: no pipe's entries
        };
        String actor = activity.path("actors").path("client").path("id").asText("");
        return new Change(resourceId, entryType, kind, at, Set.of(actor), null);
    }

    private Instant windowEnd() {
        return Instant.now().minus(settings().pollingOffset()).truncatedTo(ChronoUnit.MILLIS);
    }

    // --- reading -------------------------------------------------------------------------------------

    @Override
    public Optional<SourceEntry> read(String id) {
        JsonNode user = client.getOrNull("/users/" + PingOneClient.encode(id));
        return user == null ? Optional.empty() : Optional.of(entry(user));
    }

    @Override
    public boolean inScope(SourceEntry entry) {
        Set<String> populations = populationIds();
        return populations.isEmpty() || populations.contains(entry.document().path("population").path("id").asText());
    }

    @Override
    public Iterator<SourceEntry> scan() {
        Set<String> populations = populationIds();
        List<String> firstPages = new ArrayList<>();
        String limit = "limit=" + settings().pageSize();
        if (populations.isEmpty()) {
            firstPages.add("/users?" + limit);
        } else {
            for (String populationId : populations) {
                firstPages.add("/users?" + limit + "&filter=" + PingOneClient.encode("population.id eq " + PingOneClient.filterValue(populationId)));
            }
        }
        Iterator<String> pageStarts = firstPages.iterator();
        return new Iterator<>() {
            private Iterator<JsonNode> users = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!users.hasNext() && pageStarts.hasNext()) {
                    users = client.pages(pageStarts.next(), "users");
                }
                return users.hasNext();
            }

            @Override
            public SourceEntry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return entry(users.next());
            }
        };
    }

    /**
     * The user with the intermediate account-status attributes added (in memory only). The user is a
     * response just parsed for this read, so it is changed in place rather than copied.
     */
    static SourceEntry entry(JsonNode user) {
        if (!(user instanceof ObjectNode document)) {
            throw new PermanentFailure("PingOne answered a user that is not a JSON object but " + user.getNodeType());
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
                throw new TransientFailure("connection '" + settings().name() + "': the pipe's population-to-synchronize '" + want
                        + "' is neither the name nor the id of a population in environment " + settings().environmentId());
            }
            ids.add(match.get().path("id").asText());
        }
        populationIds = Set.copyOf(ids);
        return populationIds;
    }
}

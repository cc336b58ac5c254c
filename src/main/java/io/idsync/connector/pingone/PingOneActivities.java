package io.idsync.connector.pingone;

import com.fasterxml.jackson.databind.JsonNode;
import io.idsync.connector.Change;
import io.idsync.connector.ChangeBatch;
import io.idsync.connector.ChangeSource;
import io.idsync.connector.EntryType;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A PingOne environment's audit activities as a change feed, the way PingDataSync's {@code ping-one-customer}
 * source reads them: polled in {@code recordedAt} windows that end {@code polling-offset} behind now
 * (activities become visible a few seconds late). A pipe of users and a pipe of groups each have one: the
 * pipe's entry type and the actors it ignores (PingDataSync's {@code actor-id-to-ignore}, against echoes) decide
 * which changes are its.
 * <p>
 * The checkpoint token is {@code <recordedAt>|<activity ids at that instant>}: the next window starts at that
 * instant inclusive and skips those ids, so an activity at a window edge is seen exactly once.
 */
public final class PingOneActivities implements ChangeSource, io.idsync.connector.Startpoints {

    private static final Duration MAX_WINDOW = Duration.ofDays(14).minusMinutes(1);
    private static final int MAX_BATCH = 20_000;

    private final PingOneClient client;
    private final EntryType entryType;
    private final List<String> actorIdsToIgnore;

    /** @param actorIdsToIgnore client ids whose changes the pipe skips (the opposite pipe's worker app) */
    public PingOneActivities(PingOneClient client, EntryType entryType, List<String> actorIdsToIgnore) {
        this.client = client;
        this.entryType = entryType;
        this.actorIdsToIgnore = List.copyOf(actorIdsToIgnore);
    }

    @Override
    public String currentToken() {
        return windowEnd().toString() + "|";
    }

    @Override
    public String describe(String token) {
        String position = parse(token);
        int bar = position.indexOf('|');
        String seen = position.substring(bar + 1);
        return "PingOne activities recorded from " + position.substring(0, bar) + (seen.isEmpty() ? "" : " (" + seen.split(",").length + " at that instant read)");
    }

    /** PingOne keeps activities for a time only (and serves 14 days per query): a time says how far back to go. */
    @Override
    public String beginning() {
        throw new UnsupportedStartpoint("PingOne keeps its activities for a limited time: give a time (2026-12-07T09:00:00Z, or 10 minutes ago) or end");
    }

    @Override
    public String at(Instant time) {
        return time.truncatedTo(ChronoUnit.MILLIS) + "|";
    }

    /** {@code <recordedAt>|<activity ids at that instant>}, or the instant alone. */
    @Override
    public String parse(String token) {
        String position = token.contains("|") ? token : token + "|";
        try {
            Instant.parse(position.substring(0, position.indexOf('|')));
        } catch (java.time.format.DateTimeParseException e) {
            throw new UnsupportedStartpoint("'" + token + "' is not a PingOne activities position (<recordedAt>|<activity ids>, e.g. 2026-12-07T09:00:00Z|)");
        }
        return position;
    }

    @Override
    public ChangeBatch changesSince(String token) {
        String position;
        try {
            position = parse(token);
        } catch (UnsupportedStartpoint e) {
            throw new io.idsync.connector.ConfigurationError("checkpoint '" + token + "' is not a PingOne activities position: set the pipe's startpoint");
        }
        int bar = position.indexOf('|');
        Instant from = Instant.parse(position.substring(0, bar));
        Set<String> seenAtFrom = new LinkedHashSet<>(List.of(position.substring(bar + 1).split(",")));
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
            changes.addAll(toChanges(activity, at));
        }
        return new ChangeBatch(changes, to + "|" + String.join(",", idsAtEnd));
    }

    /** A change of the pipe's entry type, made by someone other than the actors it ignores. */
    @Override
    public boolean inScope(Change change) {
        if (change.entryType() != entryType || change.sourceId() == null) {
            return false;
        }
        return change.actors().isEmpty() || !actorIdsToIgnore.containsAll(change.actors());
    }

    /** For a group pipe: the groups a newly provisioned user is a direct member of, each as a change. */
    @Override
    public List<Change> changesForMember(String memberId) {
        if (entryType != EntryType.GROUP) {
            return List.of();
        }
        List<Change> changes = new ArrayList<>();
        client.pages("/users/" + PingOneClient.encode(memberId) + "/memberOfGroups?limit=1000", "groupMemberships")
                .forEachRemaining(membership -> changes.add(new Change(membership.path("id").asText(), EntryType.GROUP, Change.Kind.MODIFY,
                        Instant.now(), Set.of(), null)));
        return changes;
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

    /**
     * The changes one activity stands for: one per user or group among its {@code resources[]}. A membership
     * ({@code MEMBER_OF_GROUP}, href {@code .../users/{userId}/memberOfGroups/{groupId}}) changes both the user's
     * memberships and the group's members; its ids are read from the href, which Ping documents, rather than from
     * the resource's {@code id}, which it does not say is the user's or the group's.
     */
    static List<Change> toChanges(JsonNode activity, Instant at) {
        String type = activity.path("action").path("type").asText("");
        Set<String> actor = Set.of(activity.path("actors").path("client").path("id").asText(""));
        Change.Kind kind = type.endsWith(".CREATED") ? Change.Kind.CREATE
                : type.endsWith(".DELETED") ? Change.Kind.DELETE : Change.Kind.MODIFY;
        Set<Change> changes = new LinkedHashSet<>();
        for (JsonNode resource : activity.path("resources")) {
            String resourceType = resource.path("type").asText("");
            String resourceId = resource.path("id").asText(null);
            if (resourceType.equals("MEMBER_OF_GROUP")) {
                String href = resource.path("href").asText("");
                String userId = segmentAfter(href, "/users/");
                String groupId = segmentAfter(href, "/memberOfGroups/");
                if (userId != null) {
                    changes.add(new Change(userId, EntryType.USER, Change.Kind.MODIFY, at, actor, null));
                }
                changes.add(new Change(groupId != null ? groupId : resourceId, EntryType.GROUP, Change.Kind.MODIFY, at, actor, null));
                continue;
            }
            // the group of a membership event named beside its user is changed, not created or deleted
            boolean membership = type.startsWith("MEMBER_OF_GROUP.");
            switch (resourceType) {
                case "USER" -> changes.add(new Change(resourceId, EntryType.USER, membership ? Change.Kind.MODIFY : kind, at, actor, null));
                case "GROUP" -> changes.add(new Change(resourceId, EntryType.GROUP, membership ? Change.Kind.MODIFY : kind, at, actor, null));
                default -> changes.add(new Change(resourceId, null, kind, at, actor, null)); // populations, applications...: no pipe's entries
            }
        }
        return List.copyOf(changes);
    }

    private static String segmentAfter(String href, String marker) {
        int at = href.indexOf(marker);
        if (at < 0) {
            return null;
        }
        String rest = href.substring(at + marker.length()).split("[/?#]")[0];
        return rest.isEmpty() ? null : rest;
    }

    private Instant windowEnd() {
        return Instant.now().minus(client.settings().pollingOffset()).truncatedTo(ChronoUnit.MILLIS);
    }
}

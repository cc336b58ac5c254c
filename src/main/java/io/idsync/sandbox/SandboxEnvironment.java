package io.idsync.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One PingOne environment held in memory: populations, users, groups, memberships, worker applications and
 * the audit activities every change leaves behind. Its methods are the API's operations; they throw
 * {@link SandboxError} with PingOne's status, code and details where PingOne would refuse.
 * <p>
 * One lock serialises writes, which is what keeps username uniqueness and the activity order honest.
 */
public final class SandboxEnvironment {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The user attributes that PUT replaces and PATCH merges; everything else is read-only or ignored. */
    static final Set<String> MUTABLE_USER_ATTRIBUTES = Set.of("username", "email", "name", "nickname", "title", "type",
            "locale", "preferredLanguage", "timezone", "primaryPhone", "mobilePhone", "photo", "address", "externalId",
            "accountId");

    /** A worker application: who may ask for a token, and how it presents its secret. */
    public record Application(String clientId, String name, String secret, TokenAuthMethod method) {
    }

    public enum TokenAuthMethod {
        CLIENT_SECRET_BASIC, CLIENT_SECRET_POST
    }

    /** Who made a change: shows up as {@code actors.client} in the activity. */
    record Actor(String clientId, String name) {
    }

    private final String id;
    private final String baseUrl;
    private final Object writeLock = new Object();
    private final AtomicLong sequence = new AtomicLong();

    private final Map<String, ObjectNode> populations = new ConcurrentHashMap<>();
    private final NavigableMap<Long, ObjectNode> users = new ConcurrentSkipListMap<>();
    private final Map<String, Long> userSequence = new ConcurrentHashMap<>();
    private final Map<String, String> usernameIndex = new ConcurrentHashMap<>();
    private final NavigableMap<Long, ObjectNode> groups = new ConcurrentSkipListMap<>();
    private final Map<String, Long> groupSequence = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> membershipsByUser = new ConcurrentHashMap<>();
    private final Map<String, Application> applications = new ConcurrentHashMap<>();
    private final List<ObjectNode> activities = new ArrayList<>();
    private final int activityRetention;
    private volatile long lastRecordedAtMillis;
    private volatile boolean emailRequired = true;

    SandboxEnvironment(String id, String baseUrl, int activityRetention) {
        this.id = id;
        this.baseUrl = baseUrl;
        this.activityRetention = activityRetention;
    }

    public String id() {
        return id;
    }

    /**
     * Whether users need an email address. PingOne's User schema requires one (the default here); Ping's Create User
     * page lists only username, so an environment may be set up without.
     */
    public SandboxEnvironment requireEmail(boolean required) {
        this.emailRequired = required;
        return this;
    }

    String apiBase() {
        return baseUrl + "/v1/environments/" + id;
    }

    // --- applications --------------------------------------------------------------------------------

    public void addApplication(String clientId, String name, String secret, TokenAuthMethod method) {
        applications.put(clientId, new Application(clientId, name, secret, method));
    }

    Application application(String clientId) {
        return clientId == null ? null : applications.get(clientId);
    }

    private final Map<String, List<String>> scopes = new ConcurrentHashMap<>();

    /** Grants an application scopes (of a custom resource, say {@code idsync:operator}): its tokens carry them in {@code scope}. */
    public void grantScopes(String clientId, String... granted) {
        scopes.put(clientId, List.of(granted));
    }

    List<String> scopes(String clientId) {
        return scopes.getOrDefault(clientId, List.of());
    }

    // --- populations ---------------------------------------------------------------------------------

    public String createPopulation(String name, boolean isDefault) {
        return createPopulation(null, name, null, isDefault).get("id").asText();
    }

    ObjectNode createPopulation(Actor actor, String name, String description, boolean isDefault) {
        synchronized (writeLock) {
            if (name == null || name.isBlank()) {
                throw SandboxError.required("name");
            }
            if (populationByName(name) != null) {
                throw SandboxError.uniqueness("name", "A population with this name already exists");
            }
            ObjectNode population = JSON.createObjectNode();
            String popId = UUID.randomUUID().toString();
            String now = now();
            population.put("id", popId);
            population.putObject("environment").put("id", id);
            population.put("name", name);
            if (description != null) {
                population.put("description", description);
            }
            population.put("default", isDefault);
            population.put("createdAt", now);
            population.put("updatedAt", now);
            populations.put(popId, population);
            if (actor != null) {
                record(actor, "POPULATION.CREATED", "POPULATION", popId, name, null, "Created Population " + name);
            }
            return population;
        }
    }

    ObjectNode populationByName(String name) {
        return populations.values().stream().filter(p -> p.get("name").asText().equalsIgnoreCase(name)).findFirst().orElse(null);
    }

    ObjectNode population(String popId) {
        ObjectNode population = populations.get(popId);
        if (population == null) {
            throw SandboxError.notFound();
        }
        ObjectNode copy = population.deepCopy();
        copy.put("userCount", users.values().stream().filter(u -> popId.equals(u.path("population").path("id").asText())).count());
        return copy;
    }

    List<ObjectNode> populations() {
        return populations.values().stream().map(p -> population(p.get("id").asText())).toList();
    }

    void deletePopulation(Actor actor, String popId) {
        synchronized (writeLock) {
            ObjectNode population = populations.get(popId);
            if (population == null) {
                throw SandboxError.notFound();
            }
            boolean inUse = users.values().stream().anyMatch(u -> popId.equals(u.path("population").path("id").asText()));
            if (inUse) {
                throw new SandboxError(400, "REQUEST_FAILED", "The request could not be completed. The population contains users.", null, null);
            }
            populations.remove(popId);
            record(actor, "POPULATION.DELETED", "POPULATION", popId, population.get("name").asText(), null, "Deleted Population");
        }
    }

    String defaultPopulationId() {
        return populations.values().stream().filter(p -> p.path("default").asBoolean()).map(p -> p.get("id").asText())
                .findFirst().orElseGet(() -> populations.keySet().stream().findFirst().orElse(null));
    }

    // --- users ---------------------------------------------------------------------------------------

    /** Seeds a user without an activity, as if it existed before anyone watched the feed. */
    public String seedUser(ObjectNode body, String populationId) {
        return createUser(null, body, populationId).get("id").asText();
    }

    ObjectNode createUser(Actor actor, JsonNode body, String populationId) {
        synchronized (writeLock) {
            SandboxUserRules.check(body, true, emailRequired);
            String username = text(body, "username");
            if (usernameIndex.containsKey(username.toLowerCase(Locale.ROOT))) {
                throw SandboxError.uniqueness("username", "must be unique");
            }
            String popId = populationId != null ? populationId : defaultPopulationId();
            if (popId == null || !populations.containsKey(popId)) {
                throw new SandboxError(400, "INVALID_DATA", "The request could not be completed. One or more validation errors were in the request.",
                        "INVALID_VALUE", "population.id");
            }
            ObjectNode user = JSON.createObjectNode();
            String userId = UUID.randomUUID().toString();
            String now = now();
            user.put("id", userId);
            user.putObject("environment").put("id", id);
            copyMutable(body, user, false);
            user.put("createdAt", now);
            user.put("updatedAt", now);
            user.put("enabled", !body.has("enabled") || body.get("enabled").asBoolean(true));
            ObjectNode account = user.putObject("account");
            account.put("canAuthenticate", true);
            account.put("status", "OK");
            user.putObject("lifecycle").put("status", "ACCOUNT_OK");
            user.putObject("identityProvider").put("type", "PING_ONE");
            user.put("mfaEnabled", false);
            user.put("verifyStatus", "NOT_INITIATED");
            user.putObject("population").put("id", popId);
            long seq = sequence.incrementAndGet();
            users.put(seq, user);
            userSequence.put(userId, seq);
            usernameIndex.put(username.toLowerCase(Locale.ROOT), userId);
            if (actor != null) {
                record(actor, "USER.CREATED", "USER", userId, username, popId, "Created User " + username);
            }
            return user;
        }
    }

    ObjectNode user(String userId) {
        Long seq = userSequence.get(userId);
        ObjectNode user = seq == null ? null : users.get(seq);
        if (user == null) {
            throw SandboxError.notFound();
        }
        return user;
    }

    /** Users from {@code afterSequence} on that match, for one page; the sequence is the paging cursor. */
    Iterator<Map.Entry<Long, ObjectNode>> usersAfter(long afterSequence) {
        return users.tailMap(afterSequence, false).entrySet().iterator();
    }

    /**
     * The users who may have one of these usernames (ignoring case), by sequence, after {@code afterSequence}: a lookup
     * by name without a scan of every user (correlation searches are one per few entries, and a scan each made a
     * large load quadratic).
     */
    Iterator<Map.Entry<Long, ObjectNode>> usersNamed(java.util.Collection<String> usernames, long afterSequence) {
        java.util.TreeMap<Long, ObjectNode> found = new java.util.TreeMap<>();
        for (String username : usernames) {
            String id = usernameIndex.get(username.toLowerCase(Locale.ROOT));
            Long seq = id == null ? null : userSequence.get(id);
            ObjectNode user = seq == null ? null : users.get(seq);
            if (user != null && seq > afterSequence) {
                found.put(seq, user);
            }
        }
        return found.entrySet().iterator();
    }

    /** The user as the filter sees it: with memberOfGroupIDs, which PingOne evaluates but never lists. */
    ObjectNode filterView(ObjectNode user) {
        Set<String> groupIds = membershipsByUser.get(user.get("id").asText());
        if (groupIds == null || groupIds.isEmpty()) {
            return user;
        }
        ObjectNode view = user.deepCopy();
        ArrayNode ids = view.putArray("memberOfGroupIDs");
        groupIds.forEach(ids::add);
        return view;
    }

    int userCount() {
        return users.size();
    }

    ObjectNode replaceUser(Actor actor, String userId, JsonNode body, boolean patch) {
        synchronized (writeLock) {
            ObjectNode user = user(userId);
            String oldUsername = user.get("username").asText();
            SandboxUserRules.check(body, !patch, emailRequired);
            String newUsername = body.has("username") ? body.get("username").asText() : oldUsername;
            String owner = usernameIndex.get(newUsername.toLowerCase(Locale.ROOT));
            if (owner != null && !owner.equals(userId)) {
                throw SandboxError.uniqueness("username", "must be unique");
            }
            if (!patch) {
                MUTABLE_USER_ATTRIBUTES.forEach(user::remove);
            }
            copyMutable(body, user, patch);
            user.put("updatedAt", now());
            usernameIndex.remove(oldUsername.toLowerCase(Locale.ROOT));
            usernameIndex.put(newUsername.toLowerCase(Locale.ROOT), userId);
            record(actor, "USER.UPDATED", "USER", userId, newUsername, populationOf(user), "Updated User " + newUsername);
            return user;
        }
    }

    ObjectNode setEnabled(Actor actor, String userId, boolean enabled) {
        synchronized (writeLock) {
            ObjectNode user = user(userId);
            user.put("enabled", enabled);
            user.put("updatedAt", now());
            record(actor, "USER.UPDATED", "USER", userId, user.get("username").asText(), populationOf(user),
                    "Updated enabled for User " + user.get("username").asText());
            return user;
        }
    }

    ObjectNode setPopulation(Actor actor, String userId, String populationId) {
        synchronized (writeLock) {
            ObjectNode user = user(userId);
            if (populationId == null || !populations.containsKey(populationId)) {
                throw new SandboxError(400, "INVALID_DATA", "The request could not be completed. One or more validation errors were in the request.",
                        "INVALID_VALUE", "id");
            }
            user.putObject("population").put("id", populationId);
            user.put("updatedAt", now());
            record(actor, "USER.UPDATED", "USER", userId, user.get("username").asText(), populationId,
                    "Updated population for User " + user.get("username").asText());
            return user;
        }
    }

    ObjectNode setLocked(Actor actor, String userId, boolean locked) {
        synchronized (writeLock) {
            ObjectNode user = user(userId);
            ObjectNode account = (ObjectNode) user.get("account");
            account.put("status", locked ? "LOCKED" : "OK");
            account.put("canAuthenticate", !locked);
            if (locked) {
                account.put("lockedAt", now());
            } else {
                account.remove("lockedAt");
            }
            user.put("updatedAt", now());
            String username = user.get("username").asText();
            // Ping's event types name the unlock (and the lock) on their own, not as a USER.UPDATED
            record(actor, locked ? "USER.LOCKED" : "USER.UNLOCKED", "USER", userId, username, populationOf(user),
                    (locked ? "Locked account for User " : "Unlocked account for User ") + username);
            return user;
        }
    }

    void deleteUser(Actor actor, String userId) {
        synchronized (writeLock) {
            ObjectNode user = user(userId);
            users.remove(userSequence.remove(userId));
            usernameIndex.remove(user.get("username").asText().toLowerCase(Locale.ROOT));
            membershipsByUser.remove(userId);
            record(actor, "USER.DELETED", "USER", userId, user.get("username").asText(), populationOf(user),
                    "Deleted User " + user.get("username").asText());
        }
    }

    /** Deletes a user leaving no activity, as a change the audit feed never showed (tests of reconciliation). */
    public void deleteUserWithoutActivity(String userId) {
        deleteUser(null, userId);
    }

    /** Moves a user to another population leaving no activity (tests of reconciliation). */
    public void moveUserWithoutActivity(String userId, String populationId) {
        setPopulation(null, userId, populationId);
    }

    private static String populationOf(ObjectNode user) {
        return user.path("population").path("id").asText(null);
    }

    private static void copyMutable(JsonNode from, ObjectNode to, boolean patch) {
        from.fields().forEachRemaining(field -> {
            if (!MUTABLE_USER_ATTRIBUTES.contains(field.getKey())) {
                return; // read-only and unknown attributes are ignored, as PingOne does
            }
            if (field.getValue().isNull()) {
                to.remove(field.getKey());
            } else if (patch && field.getValue().isObject() && to.get(field.getKey()) instanceof ObjectNode existing) {
                field.getValue().fields().forEachRemaining(inner -> {
                    if (inner.getValue().isNull()) {
                        existing.remove(inner.getKey());
                    } else {
                        existing.set(inner.getKey(), inner.getValue().deepCopy());
                    }
                });
            } else {
                to.set(field.getKey(), field.getValue().deepCopy());
            }
        });
    }

    // --- groups and memberships ----------------------------------------------------------------------

    public String seedGroup(String name, String description) {
        return createGroup(null, JSON.createObjectNode().put("name", name).put("description", description)).get("id").asText();
    }

    ObjectNode createGroup(Actor actor, JsonNode body) {
        synchronized (writeLock) {
            String name = text(body, "name");
            if (name == null || name.isBlank()) {
                throw SandboxError.required("name");
            }
            String popId = body.path("population").path("id").asText(null);
            if (groupByName(name, popId) != null) {
                throw SandboxError.uniqueness("name", "A group with this name already exists");
            }
            ObjectNode group = JSON.createObjectNode();
            String groupId = UUID.randomUUID().toString();
            group.put("id", groupId);
            group.putObject("environment").put("id", id);
            group.put("name", name);
            group.put("displayName", name);
            copyGroupFields(body, group);
            group.put("createdAt", now());
            group.put("updatedAt", now());
            long seq = sequence.incrementAndGet();
            groups.put(seq, group);
            groupSequence.put(groupId, seq);
            if (actor != null) {
                record(actor, "GROUP.CREATED", "GROUP", groupId, name, popId, "Created Group " + name);
            }
            return group;
        }
    }

    private ObjectNode groupByName(String name, String popId) {
        for (ObjectNode g : groups.values()) {
            String gPop = g.path("population").path("id").asText(null);
            if (g.get("name").asText().equalsIgnoreCase(name) && java.util.Objects.equals(gPop, popId)) {
                return g;
            }
        }
        return null;
    }

    private static void copyGroupFields(JsonNode body, ObjectNode group) {
        for (String field : List.of("description", "externalId", "customData", "population", "userFilter")) {
            if (body.has(field) && !body.get(field).isNull()) {
                group.set(field, body.get(field).deepCopy());
            } else {
                group.remove(field);
            }
        }
    }

    ObjectNode group(String groupId) {
        Long seq = groupSequence.get(groupId);
        ObjectNode group = seq == null ? null : groups.get(seq);
        if (group == null) {
            throw SandboxError.notFound();
        }
        ObjectNode copy = group.deepCopy();
        long members = membershipsByUser.values().stream().filter(s -> s.contains(groupId)).count();
        copy.putObject("directMemberCounts").put("users", members);
        return copy;
    }

    String groupName(String groupId) {
        Long seq = groupSequence.get(groupId);
        ObjectNode group = seq == null ? null : groups.get(seq);
        return group == null ? "" : group.path("name").asText();
    }

    List<ObjectNode> groups() {
        return groups.values().stream().map(g -> group(g.get("id").asText())).toList();
    }

    ObjectNode replaceGroup(Actor actor, String groupId, JsonNode body) {
        synchronized (writeLock) {
            Long seq = groupSequence.get(groupId);
            ObjectNode group = seq == null ? null : groups.get(seq);
            if (group == null) {
                throw SandboxError.notFound();
            }
            String name = text(body, "name");
            if (name == null || name.isBlank()) {
                throw SandboxError.required("name");
            }
            ObjectNode clash = groupByName(name, body.path("population").path("id").asText(null));
            if (clash != null && clash != group) {
                throw SandboxError.uniqueness("name", "A group with this name already exists");
            }
            group.put("name", name);
            group.put("displayName", name);
            copyGroupFields(body, group);
            group.put("updatedAt", now());
            record(actor, "GROUP.UPDATED", "GROUP", groupId, name, null, "Updated Group " + name);
            return group(groupId);
        }
    }

    void deleteGroup(Actor actor, String groupId) {
        synchronized (writeLock) {
            Long seq = groupSequence.remove(groupId);
            ObjectNode group = seq == null ? null : groups.remove(seq);
            if (group == null) {
                throw SandboxError.notFound();
            }
            membershipsByUser.values().forEach(s -> s.remove(groupId));
            record(actor, "GROUP.DELETED", "GROUP", groupId, group.get("name").asText(), null, "Deleted Group");
        }
    }

    Set<String> memberships(String userId) {
        user(userId);
        return Set.copyOf(membershipsByUser.getOrDefault(userId, Set.of()));
    }

    void addMembership(Actor actor, String userId, String groupId) {
        synchronized (writeLock) {
            ObjectNode user = user(userId);
            ObjectNode group = group(groupId);
            boolean added = membershipsByUser.computeIfAbsent(userId, k -> ConcurrentHashMap.newKeySet()).add(groupId);
            if (added && actor != null) {
                recordMembership(actor, "MEMBER_OF_GROUP.CREATED", user, group);
            }
        }
    }

    void removeMembership(Actor actor, String userId, String groupId) {
        synchronized (writeLock) {
            ObjectNode user = user(userId);
            Set<String> groupIds = membershipsByUser.get(userId);
            if (groupIds == null || !groupIds.remove(groupId)) {
                throw SandboxError.notFound();
            }
            recordMembership(actor, "MEMBER_OF_GROUP.DELETED", user, group(groupId));
        }
    }

    private void recordMembership(Actor actor, String type, ObjectNode user, ObjectNode group) {
        String userId = user.get("id").asText();
        String groupId = group.get("id").asText();
        ObjectNode activity = activity(actor, type, "MEMBER_OF_GROUP", groupId, group.get("name").asText(), populationOf(user),
                (type.endsWith("CREATED") ? "Added " : "Removed ") + user.get("username").asText() + " to group " + group.get("name").asText());
        ((ObjectNode) activity.get("resources").get(0)).put("href", apiBase() + "/users/" + userId + "/memberOfGroups/" + groupId);
        append(activity);
    }

    // --- audit activities ----------------------------------------------------------------------------

    private void record(Actor actor, String type, String resourceType, String resourceId, String name, String populationId, String description) {
        if (actor == null) {
            return;
        }
        append(activity(actor, type, resourceType, resourceId, name, populationId, description));
    }

    private ObjectNode activity(Actor actor, String type, String resourceType, String resourceId, String name, String populationId, String description) {
        ObjectNode activity = JSON.createObjectNode();
        String activityId = UUID.randomUUID().toString();
        activity.putObject("_links").putObject("self").put("href", apiBase() + "/activities/" + activityId);
        activity.put("id", activityId);
        // recordedAt never goes back nor runs ahead of the clock; within a millisecond, the list keeps the order
        long millis = Math.max(System.currentTimeMillis(), lastRecordedAtMillis);
        lastRecordedAtMillis = millis;
        String at = Instant.ofEpochMilli(millis).toString();
        activity.put("recordedAt", at);
        activity.put("createdAt", at);
        activity.put("correlationId", UUID.randomUUID().toString());
        ObjectNode client = activity.putObject("actors").putObject("client");
        client.put("id", actor.clientId());
        client.put("name", actor.name());
        client.putObject("environment").put("id", id);
        client.put("href", apiBase() + "/applications/" + actor.clientId());
        client.put("type", "CLIENT");
        ObjectNode action = activity.putObject("action");
        action.put("type", type);
        action.put("description", titleCase(type));
        ObjectNode resource = activity.putArray("resources").addObject();
        resource.put("type", resourceType);
        resource.put("id", resourceId);
        resource.put("name", name);
        resource.putObject("environment").put("id", id);
        if (populationId != null) {
            resource.putObject("population").put("id", populationId);
        }
        String collection = switch (resourceType) {
            case "USER" -> "/users/";
            case "GROUP" -> "/groups/";
            case "POPULATION" -> "/populations/";
            default -> "/";
        };
        resource.put("href", apiBase() + collection + resourceId);
        ObjectNode result = activity.putObject("result");
        result.put("status", "SUCCESS");
        result.put("description", description);
        return activity;
    }

    private void append(ObjectNode activity) {
        synchronized (activities) {
            activities.add(activity);
            if (activities.size() > activityRetention) {
                activities.subList(0, activities.size() - activityRetention).clear();
            }
        }
    }

    /** Visible activities matching the filter, newest first. */
    List<ObjectNode> activities(Predicate<JsonNode> filter, Instant visibleUntil) {
        List<ObjectNode> matches = new ArrayList<>();
        synchronized (activities) {
            for (int i = activities.size() - 1; i >= 0; i--) {
                ObjectNode activity = activities.get(i);
                if (Instant.parse(activity.get("recordedAt").asText()).isAfter(visibleUntil)) {
                    continue;
                }
                if (filter.test(activity)) {
                    matches.add(activity);
                }
            }
        }
        return matches;
    }

    ObjectNode activity(String activityId) {
        synchronized (activities) {
            return activities.stream().filter(a -> a.get("id").asText().equals(activityId)).findFirst()
                    .orElseThrow(SandboxError::notFound);
        }
    }

    private static String titleCase(String type) {
        StringBuilder out = new StringBuilder();
        for (String part : type.replace('.', '_').split("_")) {
            if (!out.isEmpty()) {
                out.append(' ');
            }
            out.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return out.toString();
    }

    // --- helpers -------------------------------------------------------------------------------------

    /** Names of populations by id, for listing ids in seeds and tests. */
    public Map<String, String> populationIdsByName() {
        Map<String, String> byName = new LinkedHashMap<>();
        populations.values().forEach(p -> byName.put(p.get("name").asText(), p.get("id").asText()));
        return byName;
    }

    /** The ids of users in a population (tests and benchmarks use it to assert what the pipe should see). */
    public Set<String> userIdsInPopulation(String populationId) {
        Set<String> ids = new LinkedHashSet<>();
        users.values().forEach(u -> {
            if (populationId.equals(u.path("population").path("id").asText())) {
                ids.add(u.get("id").asText());
            }
        });
        return ids;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }
}

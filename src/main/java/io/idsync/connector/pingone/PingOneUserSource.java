package io.idsync.connector.pingone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.idsync.connector.Paging;
import io.idsync.connector.PermanentFailure;
import io.idsync.connector.SourceEntry;
import io.idsync.connector.SourceReader;
import io.idsync.connector.TransientFailure;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * PingOne users as the reader of a sync source, the way PingDataSync's {@code ping-one-customer} source works:
 * changes come from the audit activities ({@link PingOneActivities}), and each changed user is then read here in
 * full. Scope is the pipe's {@code population-to-synchronize} list (names or ids).
 */
public final class PingOneUserSource implements SourceReader {

    /** Intermediate attributes: exist only in memory, for the attribute map (PingDataSync's names). */
    public static final String DISABLED_FROM_PINGONE = "ds-pwp-account-disabled-from-pingone";
    public static final String LOCKED_TIME_FROM_PINGONE = "pwdAccountLockedTimeFromPingOne";

    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final PingOneClient client;
    private final List<String> populationsToSynchronize;
    private volatile Set<String> populationIds;

    /** @param populationsToSynchronize the pipe's population names or ids; empty means every population */
    public PingOneUserSource(PingOneClient client, List<String> populationsToSynchronize) {
        this.client = client;
        this.populationsToSynchronize = List.copyOf(populationsToSynchronize);
    }

    private PingOneSettings settings() {
        return client.settings();
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
        return Paging.map(Paging.flatMap(firstPages.iterator(), start -> client.pages(start, "users")), PingOneUserSource::entry);
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

package io.idsync.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.idsync.connector.pingone.PingOneClient;
import io.idsync.sandbox.DemoDirectory;
import io.idsync.sandbox.DemoSeed;
import io.idsync.testsupport.SandboxAdmin;
import io.idsync.testsupport.SystemsProcess;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The systems of the crash and failover tests, in a JVM of their own ({@link SystemsProcess}): a PingOne sandbox and a
 * directory, which go on while idsync is dead. Two pipes run between them: {@code pingone-to-directory} (Employees →
 * {@code ou=People}) and {@code directory-to-pingone} (members of {@code cn=Provisioning Users} → population Corp).
 * The world makes random mixed changes on both sides and says what differs between the sources and the destinations.
 */
final class SyncWorld implements AutoCloseable {

    static final String WORKER = "idsync-crash-worker";
    static final String PROVISIONING = "idsync-crash-provisioning";
    private static final String PEOPLE = DemoDirectory.PEOPLE_DN;
    private static final String GROUP = DemoSeed.PROVISIONING_GROUP_DN;

    final SystemsProcess systems;
    final SandboxAdmin admin;
    final LDAPConnection ldap;
    final Random random;
    private final List<String> pingOneIds = new ArrayList<>();
    private final List<String> corpDns = new ArrayList<>();
    /** every sAMAccountName the directory has had: a PingOne user of another name is one idsync invented */
    private final Set<String> corpAccounts = new HashSet<>();
    int pingOneChanges;
    int directoryChanges;

    private SyncWorld(SystemsProcess systems, Random random) throws Exception {
        this.systems = systems;
        this.random = random;
        this.ldap = new LDAPConnection("localhost", systems.directoryPort, "cn=Directory Manager", "demo-password");
        this.admin = SandboxAdmin.demoAdmin(systems.pingOneUrl());
        for (String population : List.of("Employees", "Contractors")) {
            admin.client().pages("/users?limit=500&filter=" + PingOneClient.encode("population.id eq \"" + admin.populationId(population) + "\""), "users")
                    .forEachRemaining(user -> pingOneIds.add(user.path("id").asText()));
        }
        for (SearchResultEntry user : ldap.search(DemoSeed.CORP_DN, SearchScope.ONE, "(objectClass=user)", "sAMAccountName").getSearchEntries()) {
            corpDns.add(user.getDN());
            corpAccounts.add(user.getAttributeValue("sAMAccountName"));
        }
    }

    /** The systems started with this many Employees, Corp users and provisioned Corp users. */
    static SyncWorld start(int employees, int corpUsers, int corpProvisioned, Random random) throws Exception {
        SystemsProcess systems = SystemsProcess.start(new SystemsProcess.Seed(employees, 100, corpUsers, corpProvisioned, 1_000_000,
                List.of(WORKER + "=crash-worker-secret", PROVISIONING + "=crash-provisioning-secret")));
        try {
            return new SyncWorld(systems, random);
        } catch (Exception e) {
            systems.close();
            throw e;
        }
    }

    /** idsync's settings for the two pipes between these systems (system properties of the packaged application). */
    Map<String, String> idsyncSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("quarkus.http.port", "0");
        settings.put("idsync.retry.initial-delay-ms", "100");
        // the batches of rounds a kill cut short add up: their leaves and deletes would trip the deletion guard,
        // which holds the pipe until an operator confirms (its own tests are elsewhere)
        settings.put("idsync.pipes.pingone-to-directory.deletion-guard-percent", "100");
        settings.put("idsync.pipes.directory-to-pingone.deletion-guard-percent", "100");
        String pingOne = systems.pingOneUrl();
        for (String[] connection : new String[][]{{"pingone", WORKER, "crash-worker-secret"}, {"provisioning", PROVISIONING, "crash-provisioning-secret"}}) {
            String prefix = "idsync.connections." + connection[0] + ".";
            settings.put(prefix + "type", "pingone");
            settings.put(prefix + "api-url", pingOne + "/v1");
            settings.put(prefix + "auth-url", pingOne + "/" + DemoSeed.ENVIRONMENT + "/as/token");
            settings.put(prefix + "environment-id", DemoSeed.ENVIRONMENT);
            settings.put(prefix + "client-id", connection[1]);
            settings.put(prefix + "client-secret", connection[2]);
            settings.put(prefix + "polling-offset", "500ms");
        }
        settings.put("idsync.connections.directory.url", systems.directoryUrl());
        settings.put("idsync.connections.directory.bind-dn", "cn=Directory Manager");
        settings.put("idsync.connections.directory.bind-password", "demo-password");
        settings.put("idsync.connections.directory.base-dn", DemoDirectory.BASE_DN);
        settings.put("idsync.pipes.pingone-to-directory.population-to-synchronize", "Employees");
        settings.put("idsync.pipes.pingone-to-directory.actor-id-to-ignore", PROVISIONING);
        settings.put("idsync.pipes.pingone-to-directory.polling-interval-ms", "200");
        settings.put("idsync.pipes.directory-to-pingone.enabled", "true");
        settings.put("idsync.pipes.directory-to-pingone.source", "directory");
        settings.put("idsync.pipes.directory-to-pingone.destination", "provisioning");
        settings.put("idsync.pipes.directory-to-pingone.mapping", "mappings/directory-to-pingone.yaml");
        settings.put("idsync.pipes.directory-to-pingone.source-group-dn", GROUP);
        settings.put("idsync.pipes.directory-to-pingone.provisioning-population", "Corp");
        settings.put("idsync.pipes.directory-to-pingone.polling-interval-ms", "200");
        return settings;
    }

    @Override
    public void close() throws Exception {
        try {
            ldap.close();
        } finally {
            systems.close();
        }
    }

    long corpUsers() {
        long[] count = {0};
        admin.client().pages("/users?limit=500&filter=" + PingOneClient.encode("population.id eq \"" + admin.populationId("Corp") + "\""), "users")
                .forEachRemaining(user -> count[0]++);
        return count[0];
    }

    long directoryWrites() throws Exception {
        return Long.parseLong(ldap.getRootDSE().getAttributeValue("lastChangeNumber"));
    }


    // --- the changes ---------------------------------------------------------------------------------

    void makeChanges(int inPingOne, int inDirectory) throws Exception {
        for (int i = 0; i < inPingOne; i++) {
            pingOneChange();
        }
        for (int i = 0; i < inDirectory; i++) {
            directoryChange();
        }
    }

    private void pingOneChange() {
        pingOneChanges++;
        int pick = random.nextInt(100);
        if (pick < 12 || pingOneIds.isEmpty()) {
            String username = "crash" + pingOneChanges + "." + random.nextInt(1_000_000);
            pingOneIds.add(admin.createUser(username, "Crash", "User" + pingOneChanges, random.nextInt(4) == 0 ? "Contractors" : "Employees"));
            return;
        }
        String id = pingOneIds.get(random.nextInt(pingOneIds.size()));
        if (pick < 40) {
            ObjectNode patch = SandboxAdmin.JSON.createObjectNode();
            patch.put("title", "Title " + random.nextInt(1000));
            patch.putObject("name").put("given", "Given" + random.nextInt(1000)).put("family", "Family" + random.nextInt(1000));
            admin.patchUser(id, patch);
        } else if (pick < 55) {
            admin.setEnabled(id, random.nextBoolean());
        } else if (pick < 63) {
            if (random.nextBoolean()) {
                admin.lock(id);
            } else {
                admin.unlock(id);
            }
        } else if (pick < 92) {
            // out of Employees and back, often before idsync has seen the first move
            admin.movePopulation(id, random.nextBoolean() ? "Contractors" : "Employees");
        } else {
            admin.deleteUser(id);
            pingOneIds.remove(id);
        }
    }

    private void directoryChange() throws Exception {
        directoryChanges++;
        int pick = random.nextInt(100);
        if (pick < 10 || corpDns.isEmpty()) {
            String account = String.format(Locale.ROOT, "crash%05d", directoryChanges);
            String dn = "cn=Crash " + directoryChanges + "," + DemoSeed.CORP_DN;
            ldap.add("dn: " + dn, "objectClass: top", "objectClass: person", "objectClass: organizationalPerson", "objectClass: user",
                    "cn: Crash " + directoryChanges, "sn: Crash", "givenName: New", "sAMAccountName: " + account,
                    "userPrincipalName: " + account + "@corp.example.com", "mail: " + account + "@corp.example.com", "userAccountControl: 512");
            ldap.modify(GROUP, new Modification(ModificationType.ADD, "member", dn));
            corpDns.add(dn);
            corpAccounts.add(account);
            return;
        }
        String dn = corpDns.get(random.nextInt(corpDns.size()));
        if (pick < 45) {
            ldap.modify(dn, new Modification(ModificationType.REPLACE, "givenName", "Given" + random.nextInt(1000)),
                    new Modification(ModificationType.REPLACE, "sn", "Family" + random.nextInt(1000)));
        } else if (pick < 92) {
            // a join or a leave of the source group (one that changes nothing is made anyway)
            boolean member = ldap.getEntry(GROUP, "member").hasAttributeValue("member", dn);
            ldap.modify(GROUP, new Modification(member ? ModificationType.DELETE : ModificationType.ADD, "member", dn));
        } else {
            if (ldap.getEntry(GROUP, "member").hasAttributeValue("member", dn)) {
                ldap.modify(GROUP, new Modification(ModificationType.DELETE, "member", dn));
            }
            ldap.delete(dn);
            corpDns.remove(dn);
        }
    }

    // --- what the destinations should hold -----------------------------------------------------------

    /** What differs between the sources and the destinations, counted per kind. */
    record Differences(List<String> missing, List<String> extra, List<String> wrong, List<String> duplicates,
                               int employees, int directoryEntries, int groupMembers, int corpUsers) {
        boolean none() {
            return missing.isEmpty() && extra.isEmpty() && wrong.isEmpty() && duplicates.isEmpty();
        }

        @Override
        public String toString() {
            return missing.size() + " missing, " + extra.size() + " extra, " + wrong.size() + " wrong, " + duplicates.size() + " duplicates"
                    + (none() ? "" : ": missing " + first(missing) + " extra " + first(extra) + " wrong " + first(wrong) + " duplicates " + first(duplicates));
        }

        private static List<String> first(List<String> items) {
            return items.subList(0, Math.min(5, items.size()));
        }
    }

    Differences differences() throws Exception {
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        List<String> duplicates = new ArrayList<>();

        // PingOne → directory: one entry under ou=People per Employee, with the Employee's values
        Map<String, JsonNode> employees = new TreeMap<>();
        admin.client().pages("/users?limit=500&filter=" + PingOneClient.encode("population.id eq \"" + admin.populationId("Employees") + "\""), "users")
                .forEachRemaining(user -> employees.put(user.path("username").asText().toLowerCase(Locale.ROOT), user));
        Map<String, SearchResultEntry> entries = new HashMap<>();
        Map<String, Integer> byUuid = new HashMap<>();
        List<SearchResultEntry> found = ldap.search(PEOPLE, SearchScope.ONE, "(objectClass=inetOrgPerson)",
                "uid", "entryUUID", "givenName", "sn", "title", "ds-pwp-account-disabled").getSearchEntries();
        for (SearchResultEntry entry : found) {
            entries.put(entry.getAttributeValue("uid").toLowerCase(Locale.ROOT), entry);
            byUuid.merge(entry.getAttributeValue("entryUUID"), 1, Integer::sum);
        }
        byUuid.forEach((uuid, count) -> {
            if (count > 1) {
                duplicates.add("entryUUID " + uuid + " x" + count);
            }
        });
        employees.forEach((username, user) -> {
            SearchResultEntry entry = entries.get(username);
            if (entry == null) {
                missing.add("directory " + username);
                return;
            }
            List<String> differs = new ArrayList<>();
            compare(differs, "entryUUID", user.path("id").asText(), entry.getAttributeValue("entryUUID"));
            compare(differs, "givenName", text(user.path("name").path("given")), entry.getAttributeValue("givenName"));
            compare(differs, "sn", user.path("name").path("family").isMissingNode() ? user.path("username").asText() : text(user.path("name").path("family")),
                    entry.getAttributeValue("sn"));
            compare(differs, "title", text(user.path("title")), entry.getAttributeValue("title"));
            boolean active = user.path("enabled").asBoolean(true) && !"LOCKED".equals(user.path("account").path("status").asText());
            // an account created enabled has no disabled state (the password policy state operation never set one)
            String disabled = entry.getAttributeValue("ds-pwp-account-disabled");
            compare(differs, "ds-pwp-account-disabled", active ? "FALSE" : "TRUE", disabled == null ? "FALSE" : disabled);
            if (!differs.isEmpty()) {
                wrong.add("directory " + username + " " + differs);
            }
        });
        entries.keySet().stream().filter(uid -> !employees.containsKey(uid)).forEach(uid -> extra.add("directory " + uid));

        // directory → PingOne: an enabled Corp user per member of the group, with the member's values; no other enabled one
        Set<String> members = new HashSet<>(List.of(ldap.getEntry(GROUP, "member").getAttributeValues("member")));
        Map<String, SearchResultEntry> memberAccounts = new HashMap<>();
        for (SearchResultEntry user : ldap.search(DemoSeed.CORP_DN, SearchScope.ONE, "(objectClass=user)", "sAMAccountName", "givenName", "sn").getSearchEntries()) {
            if (members.stream().anyMatch(member -> member.equalsIgnoreCase(user.getDN()))) {
                memberAccounts.put(user.getAttributeValue("sAMAccountName").toLowerCase(Locale.ROOT), user);
            }
        }
        Map<String, List<JsonNode>> corp = new HashMap<>();
        admin.client().pages("/users?limit=500&filter=" + PingOneClient.encode("population.id eq \"" + admin.populationId("Corp") + "\""), "users")
                .forEachRemaining(user -> corp.computeIfAbsent(user.path("username").asText().toLowerCase(Locale.ROOT), u -> new ArrayList<>()).add(user));
        corp.forEach((username, users) -> {
            if (users.size() > 1) {
                duplicates.add("PingOne " + username + " x" + users.size());
            }
            boolean enabled = users.get(0).path("enabled").asBoolean(true);
            if (!memberAccounts.containsKey(username) && (enabled || corpAccounts.stream().noneMatch(username::equalsIgnoreCase))) {
                extra.add("PingOne " + username + (enabled ? " (enabled, not a member)" : " (no such directory user)"));
            }
        });
        memberAccounts.forEach((account, member) -> {
            List<JsonNode> users = corp.get(account);
            if (users == null) {
                missing.add("PingOne " + account);
                return;
            }
            JsonNode user = users.get(0);
            List<String> differs = new ArrayList<>();
            compare(differs, "enabled", "true", Boolean.toString(user.path("enabled").asBoolean(true)));
            compare(differs, "name.given", member.getAttributeValue("givenName"), text(user.path("name").path("given")));
            compare(differs, "name.family", member.getAttributeValue("sn"), text(user.path("name").path("family")));
            if (!differs.isEmpty()) {
                wrong.add("PingOne " + account + " " + differs);
            }
        });
        int corpUsers = corp.values().stream().mapToInt(List::size).sum();
        return new Differences(missing, extra, wrong, duplicates, employees.size(), found.size(), memberAccounts.size(), corpUsers);
    }

    private static String text(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : node.asText();
    }

    private static void compare(List<String> differs, String what, String wanted, String actual) {
        if (!Objects.equals(wanted, actual)) {
            differs.add(what + " " + actual + " (want " + wanted + ")");
        }
    }
}

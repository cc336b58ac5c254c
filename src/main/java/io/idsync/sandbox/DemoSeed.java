package io.idsync.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/**
 * The demo data: environment {@code demo-env} with populations {@code Employees} and {@code Contractors}, a
 * few groups, the pipe's worker application and {@code demo-admin} for changes made by hand. Names are
 * generated deterministically so every demo start is the same.
 */
public final class DemoSeed {

    public static final String ENVIRONMENT = "demo-env";
    public static final String ADMIN_CLIENT_ID = "demo-admin";
    public static final String ADMIN_SECRET = "demo-admin-secret";

    private static final List<String> GIVEN = List.of("Ada", "Alan", "Barbara", "Brian", "Carla", "Dennis", "Edsger", "Frances",
            "Grace", "Hedy", "Ivan", "Jean", "Ken", "Linus", "Margaret", "Niklaus", "Olga", "Peter", "Radia", "Sophie", "Tim", "Ursula",
            "Vint", "Whitfield", "Xiao", "Yukihiro", "Zoe", "Anders", "Bjarne", "Guido");
    private static final List<String> FAMILY = List.of("Lovelace", "Turing", "Liskov", "Kernighan", "Ritchie", "Dijkstra", "Allen",
            "Hopper", "Lamarr", "Sutherland", "Sammet", "Thompson", "Torvalds", "Hamilton", "Wirth", "Ladyzhenskaya", "Naur", "Perlman",
            "Wilson", "Berners-Lee", "Franklin", "Cerf", "Diffie", "Chen", "Matsumoto", "Kahn", "Hejlsberg", "Stroustrup", "van Rossum",
            "Goldberg");

    private DemoSeed() {
    }

    /** Creates the demo environment with the given worker app and population sizes. */
    public static SandboxEnvironment seed(PingOneSandbox sandbox, String workerClientId, String workerSecret,
                                          int employees, int contractors) {
        SandboxEnvironment env = sandbox.createEnvironment(ENVIRONMENT);
        env.addApplication(workerClientId, "idsync worker", workerSecret, SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_BASIC);
        env.addApplication(ADMIN_CLIENT_ID, "demo admin", ADMIN_SECRET, SandboxEnvironment.TokenAuthMethod.CLIENT_SECRET_BASIC);
        String employeesId = env.createPopulation("Employees", true);
        String contractorsId = env.createPopulation("Contractors", false);
        env.createPopulation("Corp", false);
        seedUsers(env, employeesId, "e", employees);
        seedUsers(env, contractorsId, "c", contractors);
        env.seedGroup("Engineering", "People who build the product");
        env.seedGroup("Sales", "People who sell the product");
        env.seedGroup("Support", "People who help customers");
        return env;
    }

    public static final String PROVISIONING_GROUP = "Provisioning Users";

    /**
     * Seed 004's group: {@code Provisioning Users} in the demo environment, the first {@code members} contractors its
     * members ("add any two users to that group"). Answers the group's id.
     */
    public static String seedProvisioningGroup(SandboxEnvironment env, int members) {
        String groupId = env.seedGroup(PROVISIONING_GROUP, "The users provisioned to P1-User-Destination");
        java.util.Iterator<java.util.Map.Entry<Long, ObjectNode>> users = env.usersAfter(0);
        for (int added = 0; added < members && users.hasNext(); ) {
            ObjectNode user = users.next().getValue();
            if (user.path("username").asText().startsWith("c")) {
                env.addMembership(null, user.get("id").asText(), groupId);
                added++;
            }
        }
        return groupId;
    }

    public static final String CORP_DN = "ou=Corp," + DemoDirectory.BASE_DN;
    public static final String PROVISIONING_GROUP_DN = "cn=Provisioning Users," + DemoDirectory.GROUPS_DN;

    /**
     * The directory side of the provisioning demo: an Active Directory-style subtree {@code ou=Corp} with
     * {@code users} users ({@code user} objectClass, sAMAccountName, userAccountControl), the first
     * {@code provisioned} of them members of {@code cn=Provisioning Users}, and groups Accounting,
     * Engineering and Sales with some of them as members.
     */
    public static void seedCorp(com.unboundid.ldap.sdk.LDAPConnection ldap, int users, int provisioned)
            throws com.unboundid.ldap.sdk.LDAPException, com.unboundid.ldif.LDIFException {
        ldap.add("dn: " + CORP_DN, "objectClass: top", "objectClass: organizationalUnit", "ou: Corp");
        List<String> provisionedDns = new java.util.ArrayList<>();
        List<List<String>> teams = List.of(new java.util.ArrayList<>(), new java.util.ArrayList<>(), new java.util.ArrayList<>());
        for (int i = 1; i <= users; i++) {
            String given = GIVEN.get((i + 7) % GIVEN.size());
            String family = FAMILY.get((i / 3) % FAMILY.size());
            String account = String.format(Locale.ROOT, "corp%04d", i);
            String dn = "cn=" + given + " " + family + " " + i + "," + CORP_DN;
            ldap.add("dn: " + dn, "objectClass: top", "objectClass: person", "objectClass: organizationalPerson", "objectClass: user",
                    "cn: " + given + " " + family + " " + i, "sn: " + family, "givenName: " + given, "sAMAccountName: " + account,
                    "userPrincipalName: " + account + "@corp.example.com", "mail: " + account + "@corp.example.com",
                    "displayName: " + given + " " + family, "userAccountControl: 512");
            if (i <= provisioned) {
                provisionedDns.add(dn);
            }
            teams.get(i % 3).add(dn);
        }
        addGroup(ldap, "Provisioning Users", provisionedDns);
        addGroup(ldap, "Accounting", teams.get(0).subList(0, Math.min(20, teams.get(0).size())));
        addGroup(ldap, "Engineering", teams.get(1).subList(0, Math.min(20, teams.get(1).size())));
        addGroup(ldap, "Sales", teams.get(2).subList(0, Math.min(20, teams.get(2).size())));
    }

    private static void addGroup(com.unboundid.ldap.sdk.LDAPConnection ldap, String name, List<String> members) throws com.unboundid.ldap.sdk.LDAPException {
        com.unboundid.ldap.sdk.Entry group = new com.unboundid.ldap.sdk.Entry("cn=" + name + "," + DemoDirectory.GROUPS_DN);
        group.addAttribute("objectClass", "top", "group");
        group.addAttribute("cn", name);
        if (!members.isEmpty()) {
            group.addAttribute("member", members.toArray(String[]::new));
        }
        ldap.add(group);
    }

    /** Seeds {@code count} users in a population, usernames {@code <prefix><number>.<given>.<family>}. */
    public static void seedUsers(SandboxEnvironment env, String populationId, String prefix, int count) {
        for (int i = 1; i <= count; i++) {
            String given = GIVEN.get(i % GIVEN.size());
            String family = FAMILY.get((i / GIVEN.size()) % FAMILY.size());
            String username = String.format(Locale.ROOT, "%s%06d.%s", prefix, i, given.toLowerCase(Locale.ROOT));
            ObjectNode user = SandboxEnvironment.JSON.createObjectNode();
            user.put("username", username);
            user.put("email", username + "@example.com");
            ObjectNode name = user.putObject("name");
            name.put("given", given);
            name.put("family", family);
            name.put("formatted", given + " " + family);
            user.put("title", i % 7 == 0 ? "Manager" : "Engineer");
            user.put("primaryPhone", String.format(Locale.ROOT, "+1 555 %07d", i));
            user.put("locale", "en-US");
            ObjectNode address = user.putObject("address");
            address.put("locality", i % 2 == 0 ? "Denver" : "Austin");
            address.put("countryCode", "US");
            env.seedUser(user, populationId);
        }
    }
}

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
        seedUsers(env, employeesId, "e", employees);
        seedUsers(env, contractorsId, "c", contractors);
        env.seedGroup("Engineering", "People who build the product");
        env.seedGroup("Sales", "People who sell the product");
        env.seedGroup("Support", "People who help customers");
        return env;
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

package io.idsync.config;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.quarkus.runtime.configuration.ConfigurationException;
import org.eclipse.microprofile.config.Config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The API's local users (HTTP basic, {@code quarkus.security.users.embedded.*}) are declared by a password hash, never
 * the password: {@code HEX(SHA-512(<user>:idsync:<password>))}, made with
 * {@code printf '%s' 'admin:idsync:the-password' | sha512sum | cut -d' ' -f1}. In prod (any profile but demo, test and
 * dev), start-up stops when {@code plain-text} is switched on or a declared value is not such a hash, naming the key,
 * never the value. (A value that is not hex at all is refused earlier, by the realm as it loads.)
 */
final class LocalUsers {

    static final String PLAIN_TEXT = "quarkus.security.users.embedded.plain-text";
    static final String USERS = "quarkus.security.users.embedded.users.";
    private static final java.util.Set<String> PLAIN_ALLOWED = java.util.Set.of("demo", "test", "dev");

    private LocalUsers() {
    }

    /**
     * Stops start-up in the prod profile when a local user's password is in plain text.
     *
     * @throws ConfigurationException naming each key at fault
     */
    static void refusePlainText(Config config) {
        // only the demo, the tests and dev mode may keep plain passwords; any other profile is a deployment's
        if (LaunchMode.current() != LaunchMode.NORMAL || ConfigUtils.getProfiles().stream().anyMatch(PLAIN_ALLOWED::contains)) {
            return;
        }
        Map<String, String> values = new TreeMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.equals(PLAIN_TEXT) || name.startsWith(USERS)) {
                config.getOptionalValue(name, String.class).ifPresent(value -> values.put(name, value));
            }
        }
        List<String> problems = problems(values);
        if (!problems.isEmpty()) {
            throw new ConfigurationException("idsync does not start with plain-text API passwords:\n  - " + String.join("\n  - ", problems));
        }
    }

    /** One sentence per key that holds, or lets the realm take, a plain-text password; never a value. */
    static List<String> problems(Map<String, String> values) {
        List<String> problems = new ArrayList<>();
        if ("true".equalsIgnoreCase(values.get(PLAIN_TEXT))) {
            problems.add(PLAIN_TEXT + " is true: declare each user's password hash instead, and remove it");
        }
        values.forEach((key, value) -> {
            if (key.startsWith(USERS) && !value.matches("[0-9a-fA-F]{128}")) {
                String user = key.substring(USERS.length());
                problems.add(key + " is not a password hash (128 hex digits): make one with printf '%s' '" + user
                        + ":idsync:<password>' | sha512sum | cut -d' ' -f1");
            }
        });
        return problems;
    }
}

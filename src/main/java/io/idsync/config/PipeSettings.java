package io.idsync.config;

import io.idsync.connector.EntryType;
import io.idsync.connector.Settings;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One pipe's settings, {@code idsync.pipes.<name>.*}: the keys every pipe has, whatever its connectors. The
 * pipe's scope keys (population-to-synchronize, source-group-dn, ...) are read by its source and destination
 * kinds from the same {@link #settings()}.
 * <p>
 * A pipe is <em>configured</em> when any key names it, and enabled unless {@code enabled=false}: a pipe
 * with {@code enabled=false} alone is configured, needs nothing else, and never polls.
 */
record PipeSettings(String name, Settings settings) {

    static final String PREFIX = "idsync.pipes.";

    /** The pipes that some key names, in name order. */
    static List<PipeSettings> declared(Iterable<String> propertyNames, Settings lookup) {
        TreeSet<String> names = new TreeSet<>();
        for (String property : propertyNames) {
            if (property.startsWith(PREFIX) && property.indexOf('.', PREFIX.length()) > PREFIX.length()) {
                names.add(property.substring(PREFIX.length(), property.indexOf('.', PREFIX.length())));
            }
        }
        List<PipeSettings> pipes = new ArrayList<>();
        names.forEach(name -> pipes.add(new PipeSettings(name, lookup.under(PREFIX + name + "."))));
        return pipes;
    }

    boolean enabled() {
        return settings.bool("enabled", true);
    }

    /**
     * PingOne's "Deprovision on Rule Deletion": a pipe switched off (enabled=false) with this on is still built, its
     * routes stopped, so that an operator can deprovision the users it provisioned ({@code POST .../deprovision}).
     */
    boolean deprovisionOnRuleDeletion() {
        return settings.bool("deprovision-on-rule-deletion", false);
    }

    /** How many times a failed entry is retried in the background before it waits for an operator (0: never). */
    int retryFailedAttempts() {
        return settings.integer("retry-failed-attempts", 3);
    }

    /** The first background retry's delay (each next one doubles, at most 5 min). */
    java.time.Duration retryFailedInterval() {
        return settings.duration("retry-failed-interval", "1s");
    }

    /** How soon a change should reach the destination ({@code latency-objective}, e.g. {@code 2s}); none when unset. */
    Optional<java.time.Duration> latencyObjective() {
        return settings.optional("latency-objective").isEmpty() ? Optional.empty() : Optional.of(settings.duration("latency-objective", "0s"));
    }

    /** Whether the pipe is built: it runs, or it is switched off and waits to deprovision. */
    boolean built() {
        return enabled() || deprovisionOnRuleDeletion();
    }

    /** The connection changes come from. */
    Optional<String> source() {
        return settings.optional("source");
    }

    /** The connection changes go to. */
    Optional<String> destination() {
        return settings.optional("destination");
    }

    EntryType entryType() {
        try {
            return EntryType.parse(settings.text("entry-type", "user"));
        } catch (IllegalArgumentException e) {
            throw new Settings.Invalid(settings.prefix() + "entry-type " + e.getMessage());
        }
    }

    /** The mapping file: a path (also looked up under config/) or a classpath resource. */
    String mapping() {
        return settings.text("mapping", "mappings/" + name + ".yaml");
    }

    /** A group pipe: the user pipe whose provisioned users are the groups' members. */
    Optional<String> membersFrom() {
        return settings.optional("members-from");
    }

    /** {@code failure-policy.<category>=retry|park|stop}, per failure category; one not named retries. */
    java.util.Map<io.idsync.connector.FailureCategory, io.idsync.pipe.FailurePolicy> failurePolicies() {
        java.util.Map<io.idsync.connector.FailureCategory, io.idsync.pipe.FailurePolicy> policies = new java.util.EnumMap<>(io.idsync.connector.FailureCategory.class);
        for (io.idsync.connector.FailureCategory category : io.idsync.connector.FailureCategory.values()) {
            String key = "failure-policy." + category.key();
            settings.optional(key).ifPresent(value -> {
                try {
                    policies.put(category, io.idsync.pipe.FailurePolicy.parse(value));
                } catch (IllegalArgumentException e) {
                    throw new Settings.Invalid(settings.prefix() + key + ": " + e.getMessage());
                }
            });
        }
        return policies;
    }

    int deletionGuardPercent() {
        return settings.integer("deletion-guard-percent", 10);
    }

    int deletionGuardCount() {
        return settings.integer("deletion-guard-count", 500);
    }

    /** What is wrong with the pipe's own keys, one sentence each; its connections are checked by {@link Connections}. */
    List<String> problems(List<PipeSettings> all) {
        String who = "pipe '" + name + "'";
        List<String> problems = new ArrayList<>(settings.missing("source", "destination"));
        try {
            entryType();
            deletionGuardPercent();
            deletionGuardCount();
            failurePolicies();
        } catch (Settings.Invalid e) {
            problems.add(e.getMessage());
            return problems;
        }
        if (entryType() == EntryType.GROUP && membersFrom().isEmpty()) {
            // without it a group's members would be mapped as none, and every membership removed
            problems.add(who + " synchronizes groups and needs " + settings.prefix() + "members-from, the user pipe whose"
                    + " provisioned users are the members (environment variable " + settings.environmentVariable("members-from") + ")");
        }
        membersFrom().ifPresent(userPipe -> {
            if (all.stream().noneMatch(p -> p.name().equals(userPipe) && p.built())) {
                problems.add(who + ": members-from names '" + userPipe + "', which is not an enabled pipe");
            }
        });
        return problems;
    }
}

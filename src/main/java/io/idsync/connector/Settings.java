package io.idsync.connector;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys under one prefix: a connection's {@code idsync.connections.<name>.*} or a pipe's
 * {@code idsync.pipes.<name>.*}. Each connector kind reads its own keys through it, so the configuration
 * code knows no kind's keys. Every message names the full key and its environment variable, never a value.
 */
public final class Settings {

    /** A value that is there but unusable: the message names the key and what it should be. */
    public static final class Invalid extends RuntimeException {
        public Invalid(String message) {
            super(message);
        }
    }

    /** The problem a reading of settings finds ({@link Invalid}: a value there but unusable), or none. */
    public static List<String> invalidIn(Runnable reading) {
        try {
            reading.run();
            return List.of();
        } catch (Invalid e) {
            return List.of(e.getMessage());
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    private final String prefix;
    private final Function<String, Optional<String>> lookup;

    /** @param lookup a full key to its value (MicroProfile Config in the application, a map in tests) */
    public Settings(String prefix, Function<String, Optional<String>> lookup) {
        this.prefix = prefix.endsWith(".") ? prefix : prefix + ".";
        this.lookup = lookup;
    }

    /** The same lookup under another prefix. */
    public Settings under(String otherPrefix) {
        return new Settings(otherPrefix, lookup);
    }

    /** The last part of the prefix: {@code corp} for {@code idsync.connections.corp.}, the connection's or pipe's name. */
    public String name() {
        String trimmed = prefix.substring(0, prefix.length() - 1);
        return trimmed.substring(trimmed.lastIndexOf('.') + 1);
    }

    /** e.g. {@code idsync.connections.corp.} */
    public String prefix() {
        return prefix;
    }

    /**
     * The value of {@code key}, empty when unset or blank. Unset, it is read from the file {@code <key>-file} names
     * (a Kubernetes secret mounted as files, say), its content trimmed: any key, a secret above all
     * ({@code client-secret-file=/run/secrets/pingone/client-secret}), so that no secret need be written in a
     * properties file or the environment.
     *
     * @throws Invalid when {@code <key>-file} names a file that cannot be read (the message names the key and the file)
     */
    public Optional<String> optional(String key) {
        Optional<String> value = lookup.apply(prefix + key).map(String::trim).filter(v -> !v.isEmpty());
        if (value.isPresent() || key.endsWith("-file")) {
            return value;
        }
        Optional<String> file = lookup.apply(prefix + key + "-file").map(String::trim).filter(v -> !v.isEmpty());
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(java.nio.file.Files.readString(java.nio.file.Path.of(file.get())).trim()).filter(v -> !v.isEmpty());
        } catch (java.io.IOException | RuntimeException e) {
            throw new Invalid(prefix + key + "-file names " + file.get() + ", which cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    public String text(String key, String fallback) {
        return optional(key).orElse(fallback);
    }

    /** The value, or null with a sentence added to {@code problems} naming the key and its environment variable. */
    private String require(String key, String who, List<String> problems) {
        Optional<String> value;
        try {
            value = optional(key);
        } catch (Invalid e) {
            problems.add(e.getMessage());
            return null;
        }
        if (value.isEmpty()) {
            problems.add(who + " needs " + prefix + key + " (environment variable " + environmentVariable(key)
                    + (key.matches(".*(secret|password|token).*") ? ", or " + key + "-file naming a file that holds it" : "") + ")");
        }
        return value.orElse(null);
    }

    /**
     * A sentence for each of these keys that is unset, naming the key and its environment variable, said of the
     * connection or pipe these settings belong to.
     */
    public List<String> missing(String... keys) {
        String who = (prefix.startsWith("idsync.pipes.") ? "pipe '" : "connection '") + name() + "'";
        List<String> problems = new java.util.ArrayList<>();
        for (String key : keys) {
            require(key, who, problems);
        }
        return problems;
    }

    /** A sentence for each of these keys that is set but is not an http(s) URL, with an example of one. */
    public List<String> notHttpUrls(String example, String... keys) {
        List<String> problems = new java.util.ArrayList<>();
        for (String key : keys) {
            optional(key).filter(url -> !isHttpUrl(url)).ifPresent(url ->
                    problems.add(prefix + key + " '" + url + "' is not an http(s) URL such as " + example));
        }
        return problems;
    }

    /** A sentence when the key's value (or {@code fallback}) is none of {@code allowed}, ignoring case. */
    public List<String> notOneOf(String key, String fallback, String... allowed) {
        String value = text(key, fallback);
        return java.util.Arrays.stream(allowed).anyMatch(value::equalsIgnoreCase) ? List.of()
                : List.of(prefix + key + " is '" + value + "'; use " + String.join(" or ", allowed));
    }

    private static boolean isHttpUrl(String url) {
        try {
            java.net.URI uri = java.net.URI.create(url);
            return uri.getHost() != null && ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public int integer(String key, int fallback) {
        Optional<String> value = optional(key);
        try {
            return value.map(Integer::parseInt).orElse(fallback);
        } catch (NumberFormatException e) {
            throw new Invalid(prefix + key + " is '" + value.get() + "'; it must be a whole number");
        }
    }

    public boolean bool(String key, boolean fallback) {
        Optional<String> value = optional(key);
        if (value.isEmpty()) {
            return fallback;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new Invalid(prefix + key + " is '" + value.get() + "'; use true or false");
        };
    }

    /** {@code 300ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d}, a number of seconds, or ISO-8601 ({@code PT5S}). */
    public Duration duration(String key, String fallback) {
        String value = text(key, fallback);
        Matcher m = DURATION.matcher(value);
        try {
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                return switch (m.group(2) == null ? "s" : m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    case "d" -> Duration.ofDays(amount);
                    default -> Duration.ofSeconds(amount);
                };
            }
            return Duration.parse(value);
        } catch (RuntimeException e) {
            throw new Invalid(prefix + key + " is '" + value + "'; it must be a duration such as 500ms, 5s or 2m");
        }
    }

    /** A comma-separated list; empty when unset. */
    public List<String> list(String key) {
        return optional(key).map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()).orElse(List.of());
    }

    /** {@code idsync.connections.corp.bind-password} → {@code IDSYNC_CONNECTIONS_CORP_BIND_PASSWORD}. */
    public String environmentVariable(String key) {
        return (prefix + key).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }
}

package io.idsync.sandbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;

/**
 * The demo directory and PingOne sandbox, {@code idsync.sandbox.*} (set only by the demo and test profiles).
 * The sandbox has its own settings: it knows nothing of the pipes or connections that use it.
 */
@ConfigMapping(prefix = "idsync.sandbox")
public interface SandboxConfig {

    @WithDefault("false")
    boolean enabled();

    @WithDefault("8181")
    int pingonePort();

    @WithDefault("10389")
    int directoryPort();

    /**
     * The worker applications of environment demo-env: client id → secret (client_secret_basic). The
     * connections that use the sandbox name these.
     */
    Map<String, String> workerApps();

    /**
     * More environments (seed 004's P1-User-Destination, say), each with populations Employees (the default) and
     * Contractors and the same worker apps, empty otherwise.
     */
    java.util.Optional<java.util.List<String>> extraEnvironments();

    /** Seed 004's group Provisioning Users in demo-env with this many contractors as members (0: no such group). */
    @WithDefault("0")
    int provisioningGroupMembers();

    @WithDefault("900")
    int employees();

    @WithDefault("100")
    int contractors();

    /** AD-style users seeded under ou=Corp in the demo directory... */
    @WithDefault("200")
    int corpUsers();

    /** ...of whom this many are members of cn=Provisioning Users. */
    @WithDefault("150")
    int corpProvisioned();

    /** The sandbox API's rate limit per second (0 = none); the audit feed is always limited to 10/s. */
    @WithDefault("0")
    int requestsPerSecond();

    /** How long after a change its activity becomes visible, like PingOne's few seconds. */
    @WithDefault("0s")
    Duration activityDelay();
}

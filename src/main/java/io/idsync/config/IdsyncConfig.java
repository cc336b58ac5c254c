package io.idsync.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything under {@code idsync.*}. Each key can also come from the environment, Quarkus style:
 * {@code idsync.connections.pingone.client-secret} is {@code IDSYNC_CONNECTIONS_PINGONE_CLIENT_SECRET}.
 */
@ConfigMapping(prefix = "idsync")
public interface IdsyncConfig {

    /** Named connections: {@code idsync.connections.<name>.*}. */
    Map<String, Connection> connections();

    /** Named pipes: {@code idsync.pipes.<name>.*}. */
    Map<String, PipeSettings> pipes();

    /** Threads that process the entries of a batch in parallel (changes to one entry stay in order). */
    @WithDefault("8")
    int workers();

    Sandbox sandbox();

    /** Retries of a transient failure (server down or busy, timeout) before the batch stops, with exponential backoff. */
    Retry retry();

    interface Retry {
        @WithDefault("5")
        int maxRedeliveries();

        @WithDefault("500")
        long initialDelayMs();
    }

    interface Connection {
        /** {@code pingone} or {@code ldap}. */
        Optional<String> type();

        // --- PingOne -----------------------------------------------------------------------------
        @WithDefault("https://api.pingone.com/v1")
        String apiUrl();

        /** Defaults to the auth host of {@code api-url}: {@code https://auth.pingone.com/<env>/as/token}. */
        Optional<String> authUrl();

        Optional<String> environmentId();

        Optional<String> clientId();

        Optional<String> clientSecret();

        /** {@code basic} (client_secret_basic) or {@code post} (client_secret_post). */
        @WithDefault("basic")
        String tokenAuthMethod();

        /** Population names or ids; none means every population. */
        Optional<List<String>> populationToSynchronize();

        /** Client ids whose changes this source skips. */
        Optional<List<String>> actorIdToIgnore();

        @WithDefault("5s")
        Duration pollingOffset();

        /** Client-side request limit per second (0 = none). */
        @WithDefault("0")
        int requestsPerSecond();

        @WithDefault("200")
        int pageSize();

        /** Attempts per request on 429, 5xx and timeouts before the batch stops. */
        @WithDefault("6")
        int maxAttempts();

        /** As a destination: the population (name or id) new users are created in; none means the default one. */
        Optional<String> provisioningPopulation();

        // --- LDAP --------------------------------------------------------------------------------
        Optional<String> url();

        Optional<String> bindDn();

        Optional<String> bindPassword();

        Optional<String> baseDn();

        @WithDefault("8")
        int poolSize();

        /** As a source: the users are the members of this group (nested groups included)... */
        Optional<String> sourceGroupDn();

        /** ...or the entries under this base (default: base-dn) that match source-filter. */
        Optional<String> sourceBaseDn();

        @WithDefault("(objectClass=person)")
        String sourceFilter();

        /** As a source: the attribute that identifies an entry through renames. */
        @WithDefault("entryUUID")
        String idAttribute();

        /**
         * As a source, how changes are found: {@code changelog} (cn=changelog: PingDirectory, 389 DS),
         * {@code usn} (Active Directory's uSNChanged), {@code modify-timestamp} (OpenLDAP without accesslog), or
         * {@code auto}: the first of these the server offers. Without a changelog, deletes and scope exits are
         * found by the pipe's reconciliation.
         */
        @WithDefault("auto")
        String changeDetection();

        /** As a source: TRUE here marks a disabled account (AD's userAccountControl bit 0x2 always counts too). */
        @WithDefault("ds-pwp-account-disabled")
        String disabledAttribute();

        @WithDefault("10s")
        Duration connectTimeout();

        @WithDefault("30s")
        Duration responseTimeout();
    }

    interface PipeSettings {
        /** The connection changes come from. */
        String source();

        /** The connection changes go to. */
        String destination();

        /** What the pipe synchronizes: {@code user} or {@code group} (LDAP sources and PingOne destinations). */
        @WithDefault("user")
        String entryType();

        /** The mapping file: a path (also looked up under {@code config/}) or a classpath resource. */
        Optional<String> mapping();

        /** Read by the pipe's route: whether it starts. */
        @WithDefault("true")
        boolean enabled();

        /** Read by the pipe's route: milliseconds between polls of the change feed. */
        @WithDefault("1000")
        long pollingIntervalMs();

        /**
         * Read by the pipe's route: when the full reconciliation runs (a Quartz cron expression), finding the
         * deletes and scope exits change detection cannot see. Default: every day at 02:00.
         */
        @WithDefault("0 0 2 * * ?")
        String reconcileCron();

        /**
         * For a group pipe: the user pipe whose provisioned users are the groups' members. Only users that pipe
         * has linked become members, and a user it newly provisions joins its groups at this pipe's next poll.
         */
        Optional<String> membersFrom();

        /** The deletion guard: one run may delete or disable at most this share of the linked entries... */
        @WithDefault("10")
        int deletionGuardPercent();

        /** ...and at most this many. */
        @WithDefault("500")
        int deletionGuardCount();
    }

    /** The demo directory and PingOne sandbox (demo and test profiles only). */
    interface Sandbox {
        @WithDefault("false")
        boolean enabled();

        @WithDefault("8181")
        int pingonePort();

        @WithDefault("10389")
        int directoryPort();

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
}

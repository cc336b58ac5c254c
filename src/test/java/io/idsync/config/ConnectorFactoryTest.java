package io.idsync.config;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What start-up says when a pipe's connections are incomplete (the prod profile ships none of them). */
class ConnectorFactoryTest {

    private static IdsyncConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(IdsyncConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new MapBackedConfigSource("test", properties, 100) {
                })
                .build();
        return config.getConfigMapping(IdsyncConfig.class);
    }

    @Test
    void everyMissingSettingIsNamedWithItsEnvironmentVariable() {
        IdsyncConfig config = config(Map.of(
                "idsync.pipes.pingone-to-directory.source", "pingone",
                "idsync.pipes.pingone-to-directory.destination", "directory",
                "idsync.connections.pingone.type", "pingone",
                "idsync.connections.pingone.client-secret", "do-not-print-me",
                "idsync.connections.directory.type", "ldap",
                "idsync.connections.directory.url", "ldap://ds.example.com:389"));
        List<String> problems = new ConnectorFactory(config.connections()).problems("pingone-to-directory", "pingone", "directory");
        assertEquals(List.of(
                "pipe 'pingone-to-directory' needs idsync.connections.pingone.environment-id (environment variable IDSYNC_CONNECTIONS_PINGONE_ENVIRONMENT_ID)",
                "pipe 'pingone-to-directory' needs idsync.connections.pingone.client-id (environment variable IDSYNC_CONNECTIONS_PINGONE_CLIENT_ID)",
                "pipe 'pingone-to-directory' needs idsync.connections.directory.bind-dn (environment variable IDSYNC_CONNECTIONS_DIRECTORY_BIND_DN)",
                "pipe 'pingone-to-directory' needs idsync.connections.directory.bind-password (environment variable IDSYNC_CONNECTIONS_DIRECTORY_BIND_PASSWORD)",
                "pipe 'pingone-to-directory' needs idsync.connections.directory.base-dn (environment variable IDSYNC_CONNECTIONS_DIRECTORY_BASE_DN)"),
                problems);
        assertTrue(problems.stream().noneMatch(p -> p.contains("do-not-print-me")));
    }

    @Test
    void anUnknownKindOrAMissingTypeIsNamed() {
        IdsyncConfig config = config(Map.of("idsync.connections.directory.type", "ldapx"));
        List<String> problems = new ConnectorFactory(config.connections()).problems("p", "nowhere", "directory");
        assertEquals(List.of(
                "pipe 'p' reads its source from connection 'nowhere', but idsync.connections.nowhere.type is not set",
                "idsync.connections.directory.type is 'ldapx'; use pingone or ldap"), problems);
    }

    @Test
    void aBrokenSourceFilterIsNamed() {
        IdsyncConfig config = config(Map.of("idsync.connections.corp.type", "ldap", "idsync.connections.corp.url", "ldap://x:389",
                "idsync.connections.corp.bind-dn", "cn=x", "idsync.connections.corp.bind-password", "p", "idsync.connections.corp.base-dn", "dc=x",
                "idsync.connections.corp.source-filter", "(objectClass=user"));
        List<String> problems = new ConnectorFactory(config.connections()).problems("p", "corp", "corp");
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("idsync.connections.corp.source-filter '(objectClass=user' is not an LDAP filter"), problems.get(0));
    }

    @Test
    void aGroupPipeWithoutItsUserPipeIsNamed() {
        IdsyncConfig config = config(Map.of(
                "idsync.pipes.groups.source", "corp", "idsync.pipes.groups.destination", "pingone", "idsync.pipes.groups.entry-type", "group",
                "idsync.pipes.teams.source", "corp", "idsync.pipes.teams.destination", "pingone", "idsync.pipes.teams.entry-type", "group",
                "idsync.pipes.teams.members-from", "users"));
        assertEquals(List.of("pipe 'groups' synchronizes groups and needs idsync.pipes.groups.members-from, the user pipe whose provisioned"
                + " users are the members (environment variable IDSYNC_PIPES_GROUPS_MEMBERS_FROM)"), PipeWiring.pipeProblems(config.pipes(), "groups"));
        assertEquals(List.of("pipe 'teams': members-from names 'users', which is not an enabled pipe"), PipeWiring.pipeProblems(config.pipes(), "teams"));
    }

    @Test
    void theAuthUrlFollowsTheApiRegion() {
        assertEquals("https://auth.pingone.eu/env-1/as/token", ConnectorFactory.defaultAuthUrl("https://api.pingone.eu/v1", "env-1"));
        assertEquals("http://localhost:8181/env-1/as/token", ConnectorFactory.defaultAuthUrl("http://localhost:8181/v1", "env-1"));
    }
}

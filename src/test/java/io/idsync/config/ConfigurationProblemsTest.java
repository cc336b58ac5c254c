package io.idsync.config;

import io.idsync.connector.ConnectorKind;
import io.idsync.connector.Settings;
import io.idsync.connector.ldap.LdapKind;
import io.idsync.connector.pingone.PingOneKind;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What start-up says when pipes, connections or route files do not fit together (the prod profile ships no connection settings). */
class ConfigurationProblemsTest {

    private static final List<ConnectorKind> KINDS = List.of(new LdapKind(), new PingOneKind());

    private static Settings settings(Map<String, String> properties) {
        return new Settings("idsync.", key -> Optional.ofNullable(properties.get(key)));
    }

    private static List<PipeSettings> pipes(Map<String, String> properties) {
        return PipeSettings.declared(properties.keySet(), settings(properties));
    }

    private static Map<String, String> properties(String... keysAndValues) {
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return properties;
    }

    /** Everything start-up reports for these properties, as PipeWiring checks them (routes aside). */
    private static List<String> problems(Map<String, String> properties) {
        List<PipeSettings> pipes = pipes(properties);
        Connections connections = new Connections(KINDS, settings(properties));
        List<String> problems = new java.util.ArrayList<>();
        for (PipeSettings pipe : pipes) {
            if (pipe.enabled()) {
                List<String> own = pipe.problems(pipes);
                problems.addAll(own);
                if (own.isEmpty()) {
                    connections.problems(pipe).stream().filter(p -> !problems.contains(p)).forEach(problems::add);
                }
            }
        }
        return problems;
    }

    @Test
    void everyMissingSettingIsNamedWithItsEnvironmentVariable() {
        List<String> problems = problems(Map.of(
                "idsync.pipes.pingone-to-directory.source", "pingone",
                "idsync.pipes.pingone-to-directory.destination", "directory",
                "idsync.connections.pingone.type", "pingone",
                "idsync.connections.pingone.client-secret", "do-not-print-me",
                "idsync.connections.directory.type", "ldap",
                "idsync.connections.directory.url", "ldap://ds.example.com:389"));
        assertEquals(List.of(
                "connection 'pingone' needs idsync.connections.pingone.environment-id (environment variable IDSYNC_CONNECTIONS_PINGONE_ENVIRONMENT_ID)",
                "connection 'pingone' needs idsync.connections.pingone.client-id (environment variable IDSYNC_CONNECTIONS_PINGONE_CLIENT_ID)",
                "connection 'directory' needs idsync.connections.directory.bind-dn (environment variable IDSYNC_CONNECTIONS_DIRECTORY_BIND_DN)",
                "connection 'directory' needs idsync.connections.directory.bind-password (environment variable IDSYNC_CONNECTIONS_DIRECTORY_BIND_PASSWORD,"
                        + " or bind-password-file naming a file that holds it)",
                "connection 'directory' needs idsync.connections.directory.base-dn (environment variable IDSYNC_CONNECTIONS_DIRECTORY_BASE_DN)"),
                problems);
        assertTrue(problems.stream().noneMatch(p -> p.contains("do-not-print-me")));
    }

    /** A Kubernetes secret mounted as files: {@code <key>-file} names the file; one that cannot be read is named, never its content. */
    @Test
    void aSecretComesFromTheFileItsKeyNames(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("client-secret");
        Files.writeString(secret, "from-a-mounted-secret\n");
        Map<String, String> properties = properties(
                "idsync.pipes.pingone-to-directory.source", "pingone",
                "idsync.pipes.pingone-to-directory.destination", "directory",
                "idsync.connections.pingone.type", "pingone",
                "idsync.connections.pingone.environment-id", "env",
                "idsync.connections.pingone.client-id", "worker",
                "idsync.connections.pingone.client-secret-file", secret.toString(),
                "idsync.connections.directory.type", "ldap",
                "idsync.connections.directory.url", "ldap://ds.example.com:389",
                "idsync.connections.directory.bind-dn", "cn=idsync",
                "idsync.connections.directory.bind-password-file", dir.resolve("absent").toString(),
                "idsync.connections.directory.base-dn", "dc=example,dc=com");
        assertEquals("from-a-mounted-secret", settings(properties).under("idsync.connections.pingone.").optional("client-secret").orElseThrow());
        List<String> problems = problems(properties);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("idsync.connections.directory.bind-password-file names " + dir.resolve("absent") + ", which cannot be read"),
                problems.toString());
    }

    @Test
    void anUnknownKindOrAMissingTypeIsNamed() {
        assertEquals(List.of(
                "pipe 'p' reads its source from connection 'nowhere', but idsync.connections.nowhere.type is not set"
                        + " (environment variable IDSYNC_CONNECTIONS_NOWHERE_TYPE)",
                "idsync.connections.directory.type is 'ldapx'; use ldap or pingone"),
                problems(Map.of("idsync.pipes.p.source", "nowhere", "idsync.pipes.p.destination", "directory",
                        "idsync.connections.directory.type", "ldapx")));
    }

    @Test
    void aBrokenUrlOrSourceFilterIsNamed() {
        List<String> problems = problems(Map.of("idsync.pipes.p.source", "corp", "idsync.pipes.p.destination", "corp",
                "idsync.pipes.p.source-filter", "(objectClass=user",
                "idsync.connections.corp.type", "ldap", "idsync.connections.corp.url", "ldap://x:389",
                "idsync.connections.corp.bind-dn", "cn=x", "idsync.connections.corp.bind-password", "p", "idsync.connections.corp.base-dn", "dc=x"));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("idsync.pipes.p.source-filter '(objectClass=user' is not an LDAP filter"), problems.get(0));

        problems = problems(properties("idsync.pipes.p.source", "corp", "idsync.pipes.p.destination", "p1",
                "idsync.connections.corp.type", "ldap", "idsync.connections.corp.url", "ldap//x:389",
                "idsync.connections.corp.bind-dn", "cn=x", "idsync.connections.corp.bind-password", "p", "idsync.connections.corp.base-dn", "dc=x",
                "idsync.connections.p1.type", "pingone", "idsync.connections.p1.api-url", "api.pingone.com/v1", "idsync.connections.p1.environment-id", "e",
                "idsync.connections.p1.client-id", "c", "idsync.connections.p1.client-secret", "s"));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("idsync.connections.corp.url 'ldap//x:389' is not an LDAP URL"), problems.get(0));
        assertEquals("idsync.connections.p1.api-url 'api.pingone.com/v1' is not an http(s) URL such as https://api.pingone.com/v1", problems.get(1));
    }

    @Test
    void aGroupPipeWithoutItsUserPipeIsNamed() {
        Map<String, String> properties = Map.of(
                "idsync.pipes.groups.source", "corp", "idsync.pipes.groups.destination", "pingone", "idsync.pipes.groups.entry-type", "group",
                "idsync.pipes.teams.source", "corp", "idsync.pipes.teams.destination", "pingone", "idsync.pipes.teams.entry-type", "group",
                "idsync.pipes.teams.members-from", "users");
        List<PipeSettings> pipes = pipes(properties);
        assertEquals(List.of("pipe 'groups' synchronizes groups and needs idsync.pipes.groups.members-from, the user pipe whose provisioned"
                + " users are the members (environment variable IDSYNC_PIPES_GROUPS_MEMBERS_FROM)"), pipes.get(0).problems(pipes));
        assertEquals(List.of("pipe 'teams': members-from names 'users', which is not an enabled pipe"), pipes.get(1).problems(pipes));
    }

    @Test
    void aPipeSwitchedOffNeedsNothingElse() {
        assertEquals(List.of(), problems(Map.of("idsync.pipes.directory-to-pingone.enabled", "false")));
        assertEquals(List.of("pipe 'directory-to-pingone' needs idsync.pipes.directory-to-pingone.source (environment variable IDSYNC_PIPES_DIRECTORY_TO_PINGONE_SOURCE)",
                        "pipe 'directory-to-pingone' needs idsync.pipes.directory-to-pingone.destination (environment variable IDSYNC_PIPES_DIRECTORY_TO_PINGONE_DESTINATION)"),
                problems(Map.of("idsync.pipes.directory-to-pingone.polling-interval-ms", "500")));
    }

    @Test
    void routeFilesAndPipesMustMatch(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("contractors.yaml");
        Files.writeString(file, """
                - templatedRoute:
                    routeTemplateRef: idsync-poll
                    routeId: contractors-poll
                    parameters: [{name: pipe, value: contractors}]
                """);
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            io.idsync.testsupport.RoadRouteTest.loadPipeRoutes(camel, "file:" + file);
            List<String> problems = PipeRoutes.problems(camel.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinitions(),
                    pipes(Map.of("idsync.pipes.employees.source", "p1", "idsync.pipes.interns.enabled", "false")));
            assertEquals(2, problems.size(), problems.toString());
            assertEquals("route contractors-poll belongs to pipe 'contractors', which is not configured: set idsync.pipes.contractors.source"
                    + " and .destination, or idsync.pipes.contractors.enabled=false", problems.get(0));
            assertEquals("pipe 'employees' is enabled but has no routes employees-poll and employees: add routes/employees.yaml"
                    + " (or config/routes/employees.yaml) instantiating the road, or set idsync.pipes.employees.enabled=false", problems.get(1));
        }
    }

    @Test
    void aMappingThatDoesNotFitTheDirectorysSchemaStopsStartUpNamingTheAttributes(@TempDir Path dir) throws Exception {
        Path mapping = dir.resolve("typos.yaml");
        Files.writeString(mapping, Files.readString(Path.of("config/mappings/directory-to-directory.yaml"))
                .replace("{to-attribute: mail, type: direct, from-attribute: mail}", "{to-attribute: mial, type: direct, from-attribute: mail}")
                .replace("inetOrgPerson]", "inetOrgPersn]"));
        try (io.idsync.sandbox.DemoDirectory directory = new io.idsync.sandbox.DemoDirectory(io.idsync.sandbox.DemoDirectory.Settings.defaults(0)).start();
             DefaultCamelContext camel = new DefaultCamelContext()) {
            io.idsync.testsupport.RoadRouteTest.loadPipeRoutes(camel, "file:config/routes/directory-to-directory.yaml");
            Map<String, String> properties = properties(
                    "idsync.connections.directory.type", "ldap", "idsync.connections.directory.url", directory.url(),
                    "idsync.connections.directory.bind-dn", "cn=Directory Manager", "idsync.connections.directory.bind-password", "demo-password",
                    "idsync.connections.directory.base-dn", "dc=example,dc=com",
                    "idsync.pipes.directory-to-directory.source", "directory", "idsync.pipes.directory-to-directory.destination", "directory",
                    "idsync.pipes.directory-to-directory.mapping", mapping.toString(),
                    "idsync.pipes.directory-to-directory.source-base-dn", "ou=People,dc=example,dc=com",
                    "idsync.pipes.directory-to-directory.destination-base-dn", "o=replica");
            io.quarkus.runtime.configuration.ConfigurationException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.quarkus.runtime.configuration.ConfigurationException.class,
                    () -> PipeWiring.build(settings(properties), properties.keySet(), KINDS, io.idsync.testsupport.PipeFixture.memoryStateStore(),
                            camel.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinitions()));
            String prefix = "pipe 'directory-to-directory', mapping " + mapping + ": ";
            // the directory down at start: start-up goes on, and the pipe checks before its first poll
            int port = directory.port();
            directory.server().shutDown(true);
            PipeWiring.Built built = PipeWiring.build(settings(properties), properties.keySet(), KINDS, io.idsync.testsupport.PipeFixture.memoryStateStore(),
                    camel.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinitions());
            io.idsync.pipe.Pipe pipe = built.pipes().get("directory-to-directory");
            assertEquals(List.of(), pipe.misfits(), "nothing known yet");
            directory.server().startListening();
            assertEquals(port, directory.server().getListenPort());
            assertEquals(List.of(prefix + "attribute 'mial' is not in the schema of " + directory.url(),
                    prefix + "object class 'inetOrgPersn' is not in the schema of " + directory.url()), pipe.misfits());
            built.close();
            assertEquals(List.of("idsync cannot start, its mappings do not fit their systems:",
                    "  - " + prefix + "attribute 'mial' is not in the schema of " + directory.url(),
                    "  - " + prefix + "object class 'inetOrgPersn' is not in the schema of " + directory.url()),
                    List.of(e.getMessage().split("\n")));
        }
    }
}

package io.idsync.testsupport;

import io.idsync.config.PipeWiring;
import io.idsync.connector.Settings;
import io.idsync.connector.ldap.LdapKind;
import io.idsync.connector.pingone.PingOneKind;
import io.idsync.pipe.Pipes;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.model.Model;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Pipes wired from settings alone, by start-up's own code ({@link PipeWiring#build}), around a route test's
 * context: a pair proven to need no Java. The settings are the shipped ones ({@link #shipped}) with the
 * connections pointed at the test's systems; the state is an in-memory H2.
 */
public final class WiredPipes extends RoadFixture {

    private PipeWiring.Built built;

    /** The keys of a shipped properties file (a classpath resource, or a path) that belong to these pipes, profile-free. */
    public static Map<String, String> shipped(String location, String... pipes) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = open(location)) {
            properties.load(reader);
        }
        Map<String, String> keys = new HashMap<>();
        for (String pipe : pipes) {
            String prefix = "idsync.pipes." + pipe + ".";
            properties.stringPropertyNames().stream().filter(key -> key.startsWith(prefix)).forEach(key -> keys.put(key, properties.getProperty(key)));
            keys.put(prefix + "enabled", "true");
        }
        return keys;
    }

    private static Reader open(String location) throws IOException {
        if (location.startsWith("classpath:")) {
            InputStream in = WiredPipes.class.getClassLoader().getResourceAsStream(location.substring("classpath:".length()));
            if (in == null) {
                throw new IOException(location + " is not on the classpath");
            }
            return new InputStreamReader(in, StandardCharsets.UTF_8);
        }
        return Files.newBufferedReader(Path.of(location));
    }

    /** The keys of a pingone connection to an environment of a sandbox, as a worker app, with no polling offset. */
    public static Map<String, String> pingOneConnection(String sandboxUrl, String environment, String clientId, String secret) {
        return Map.of("type", "pingone", "api-url", sandboxUrl + "/v1", "auth-url", sandboxUrl + "/" + environment + "/as/token",
                "environment-id", environment, "client-id", clientId, "client-secret", secret, "polling-offset", "0s");
    }

    /** Adds the keys of a connection. */
    public static void connection(Map<String, String> properties, String name, Map<String, String> keys) {
        keys.forEach((key, value) -> properties.put("idsync.connections." + name + "." + key, value));
    }

    /**
     * Builds the pipes these settings describe over the routes loaded into {@code context} (checked as at
     * start-up), and replaces each pipe's triggers by {@code direct:poll-<pipe>} and {@code direct:reconcile-<pipe>}.
     */
    public void wire(CamelContext context, Map<String, String> properties) throws Exception {
        // the routes' placeholders ({{idsync.pipes.<pipe>.enabled}}) read these settings too, over any file's
        Properties settings = new Properties();
        settings.putAll(properties);
        context.getPropertiesComponent().setOverrideProperties(settings);
        built = PipeWiring.build(new Settings("idsync.", key -> Optional.ofNullable(properties.get(key))), properties.keySet(),
                List.of(new LdapKind(), new PingOneKind(), new io.idsync.connector.scim.ScimKind()), state,
                context.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinitions());
        built.pipes().all().forEach(pipe -> {
            pipes.register(pipe);
            try {
                AdviceWith.adviceWith(context, pipe.name() + "-poll", a -> a.replaceFromWith("direct:poll-" + pipe.name()));
                AdviceWith.adviceWith(context, pipe.name() + "-reconcile", a -> a.replaceFromWith("direct:reconcile-" + pipe.name()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }



    @Override
    public void close() {
        if (built != null) {
            built.close();
        }
        super.close();
    }
}

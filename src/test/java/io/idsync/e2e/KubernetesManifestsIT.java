package io.idsync.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manifests {@code mvn package} generates ({@code target/kubernetes/kubernetes.yml}), read as a cluster would get
 * them (no cluster exists here): two replicas on PostgreSQL, probes on the health endpoints, the measured memory, a
 * non-root and locked-down container, config/ from a ConfigMap, every secret from a Secret, a disruption budget, and
 * nothing that needs a resource type or an image from elsewhere.
 */
class KubernetesManifestsIT {

    private static final Path MANIFESTS = Path.of("target", "kubernetes", "kubernetes.yml");
    private static final Map<String, JsonNode> BY_KIND = new TreeMap<>();

    @BeforeAll
    static void read() throws Exception {
        assertTrue(Files.exists(MANIFESTS), MANIFESTS + " is made by mvn package (quarkus-kubernetes)");
        try (MappingIterator<JsonNode> documents = new YAMLMapper().readerFor(JsonNode.class).readValues(MANIFESTS.toFile())) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && !document.isEmpty()) {
                    JsonNode previous = BY_KIND.put(document.path("kind").asText(), document);
                    assertEquals(null, previous, "one " + document.path("kind").asText() + " only");
                }
            }
        }
    }

    private static JsonNode container() {
        JsonNode containers = BY_KIND.get("Deployment").path("spec").path("template").path("spec").path("containers");
        assertEquals(1, containers.size(), containers.toString());
        return containers.get(0);
    }

    @Test
    void onlyWhatAPlainClusterTakes() {
        assertEquals(Set.of("ConfigMap", "Deployment", "PodDisruptionBudget", "Service"), BY_KIND.keySet(),
                "no init job (its waiting image comes from elsewhere), no ServiceMonitor (it needs the Prometheus operator)");
        assertTrue(container().path("image").asText().startsWith("localhost/idsync/idsync:"), container().path("image").asText());
    }

    @Test
    void twoReplicasOnPostgresqlWithAPodAlwaysUp() {
        JsonNode deployment = BY_KIND.get("Deployment");
        assertEquals(2, deployment.path("spec").path("replicas").asInt());
        assertEquals("prod,postgresql", env(container()).get("QUARKUS_PROFILE").path("value").asText());
        assertEquals("0.0.0.0", env(container()).get("QUARKUS_HTTP_HOST").path("value").asText());
        JsonNode budget = BY_KIND.get("PodDisruptionBudget").path("spec");
        assertEquals(1, budget.path("minAvailable").asInt());
        assertEquals(deployment.path("spec").path("selector").path("matchLabels").path("app.kubernetes.io/name").asText(),
                budget.path("selector").path("matchLabels").path("app.kubernetes.io/name").asText());
        JsonNode service = BY_KIND.get("Service").path("spec");
        assertEquals(8080, service.path("ports").get(0).path("targetPort").asInt());
    }

    @Test
    void probesOnTheHealthEndpoints() {
        assertEquals("/q/health/live", container().path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/ready", container().path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals(8080, container().path("readinessProbe").path("httpGet").path("port").asInt());
    }

    @Test
    void memoryFromTheMeasuredHeap() {
        JsonNode resources = container().path("resources");
        assertEquals("512Mi", resources.path("limits").path("memory").asText());
        assertEquals("384Mi", resources.path("requests").path("memory").asText());
        assertTrue(env(container()).get("JAVA_OPTS").path("value").asText().contains("-Xmx256m"), "the heap a 100,000-user load runs in");
    }

    @Test
    void nonRootAndLockedDown() {
        JsonNode pod = BY_KIND.get("Deployment").path("spec").path("template").path("spec").path("securityContext");
        assertTrue(pod.path("runAsNonRoot").asBoolean());
        assertEquals(185, pod.path("runAsUser").asInt());
        JsonNode own = container().path("securityContext");
        assertFalse(own.path("allowPrivilegeEscalation").asBoolean(true));
        assertTrue(own.path("readOnlyRootFilesystem").asBoolean());
        assertEquals("ALL", own.path("capabilities").path("drop").get(0).asText());
        assertEquals("/tmp", mounts(container()).get("tmp").path("mountPath").asText(), "a writable /tmp for the JVM");
    }

    @Test
    void configFromTheConfigMapAndEverySecretFromTheSecret() {
        JsonNode config = mounts(container()).get("config");
        assertEquals("/deployments/config", config.path("mountPath").asText());
        JsonNode volume = StreamSupport.stream(BY_KIND.get("Deployment").path("spec").path("template").path("spec").path("volumes").spliterator(), false)
                .filter(v -> v.path("name").asText().equals("config")).findFirst().orElseThrow();
        assertEquals(BY_KIND.get("ConfigMap").path("metadata").path("name").asText(), volume.path("configMap").path("name").asText());
        assertEquals(0444, volume.path("configMap").path("defaultMode").asInt(), "readable by the non-root user");

        Set<String> fromSecret = new TreeSet<>();
        env(container()).forEach((name, variable) -> {
            if (variable.has("valueFrom")) {
                assertEquals("idsync-secrets", variable.path("valueFrom").path("secretKeyRef").path("name").asText(), name);
                fromSecret.add(name);
            } else {
                assertFalse(name.contains("PASSWORD") || name.contains("SECRET") || name.contains("JDBC_URL"), name + " is a plain value");
            }
        });
        assertEquals(Set.of("IDSYNC_CONNECTIONS_DIRECTORY_BIND_PASSWORD", "IDSYNC_CONNECTIONS_PINGONE_CLIENT_SECRET", "QUARKUS_DATASOURCE_POSTGRESQL_JDBC_URL",
                "QUARKUS_DATASOURCE_POSTGRESQL_PASSWORD", "QUARKUS_DATASOURCE_POSTGRESQL_USERNAME"), fromSecret);
        String shipped = BY_KIND.get("ConfigMap").path("data").path("application.properties").asText();
        assertFalse(shipped.contains("secret=") || shipped.contains("password="), "no secret in the ConfigMap: " + shipped);
    }

    private static Map<String, JsonNode> env(JsonNode container) {
        Map<String, JsonNode> variables = new TreeMap<>();
        container.path("env").forEach(variable -> variables.put(variable.path("name").asText(), variable));
        return variables;
    }

    private static Map<String, JsonNode> mounts(JsonNode container) {
        Map<String, JsonNode> mounts = new TreeMap<>();
        List<JsonNode> all = new ArrayList<>();
        container.path("volumeMounts").forEach(all::add);
        all.forEach(mount -> mounts.put(mount.path("name").asText(), mount));
        return mounts;
    }
}

package io.idsync.state;

import io.idsync.testsupport.ShippedStateStore;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The state store as shipped (the jar's H2 URL options) keeps every commit that returned when the process is
 * killed with {@code kill -9} right after: a checkpoint is never older after a restart than the road saw it saved.
 * The writer runs in a process of its own ({@link CommitLoop}), killed at a random moment, three times over.
 */
class StateStoreDurabilityTest {

    @TempDir
    Path dir;

    @Test
    void aCheckpointThatWasSavedSurvivesKillMinusNine() throws Exception {
        String options = ShippedStateStore.h2Options();
        for (int round = 1; round <= 3; round++) {
            String url = "jdbc:h2:file:" + dir.resolve("state-" + round) + options;
            int killAt = ThreadLocalRandom.current().nextInt(100, 400);
            Process writer = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-cp", System.getProperty("java.class.path"),
                    CommitLoop.class.getName(), url).redirectErrorStream(true).start();
            long lastSaved = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                String line = null;
                while (lastSaved < killAt && (line = out.readLine()) != null) {
                    if (line.matches("\\d+")) {
                        lastSaved = Long.parseLong(line);
                    }
                }
                // kill -9, as a crash does: no shutdown hook, nothing closed
                new ProcessBuilder("kill", "-9", Long.toString(writer.pid())).inheritIO().start().waitFor();
                writer.waitFor();
                // what it printed before it died: each of those commits had returned
                while ((line = out.readLine()) != null) {
                    if (line.matches("\\d+")) {
                        lastSaved = Long.parseLong(line);
                    }
                }
            }
            assertTrue(lastSaved >= killAt, "the writer saved " + lastSaved + " checkpoints before it stopped");
            JdbcDataSource reopened = new JdbcDataSource();
            reopened.setURL(url);
            StateStore after = new StateStore(reopened);
            long survived = Long.parseLong(after.checkpoint("durable").orElse("0"));
            assertTrue(survived >= lastSaved, "round " + round + ": checkpoint " + lastSaved + " had been saved, " + survived + " survived");
            assertEquals("ref-" + survived, after.entry("durable", "id-" + survived).orElseThrow().destinationRef(),
                    "the outcomes saved with it survived too");
        }
    }
}

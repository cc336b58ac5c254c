package io.idsync.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged application in its prod profile refuses to start with an API user declared by a plain-text password,
 * naming the key and never the password; declared by its hash, the same user starts nothing wrong (the application
 * gets past that check and stops only for want of its connections' settings).
 */
class PlainTextPasswordsIT {

    private static final String PASSWORD = "correct-horse-battery-staple";

    @TempDir
    Path directory;

    private String start(String... properties) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-Dquarkus.http.port=0", "-Dquarkus.datasource.jdbc.url=jdbc:h2:mem:plain;DB_CLOSE_DELAY=-1"));
        for (String property : properties) {
            command.add("-D" + property);
        }
        command.addAll(List.of("-jar", Path.of(System.getProperty("idsync.jar", "target/quarkus-app/quarkus-run.jar")).toAbsolutePath().toString()));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the application stopped by itself");
        String output = new String(process.getInputStream().readAllBytes());
        assertNotEquals(0, process.exitValue(), output);
        return output;
    }

    @Test
    void aPlainTextPasswordStopsStartUpNamingTheKey() throws Exception {
        // not hex at all: the realm itself refuses it as it loads, naming the user and the hash it expects
        String output = start("quarkus.security.users.embedded.users.admin=" + PASSWORD, "quarkus.security.users.embedded.roles.admin=operator");
        assertTrue(output.contains("Unable to register password for user:admin make sure it is a valid hex encoded DIGEST-SHA-512 hash"), output);
        assertFalse(output.contains(PASSWORD), "the password is never printed");

        // hex, but no SHA-512 (a password that happens to be hex): idsync's own check
        output = start("quarkus.security.users.embedded.users.admin=deadbeefcafe", "quarkus.security.users.embedded.roles.admin=operator");
        assertTrue(output.contains("quarkus.security.users.embedded.users.admin is not a password hash (128 hex digits)"), output);
        assertFalse(output.contains("deadbeefcafe"), "the value is never printed");

        output = start("quarkus.security.users.embedded.plain-text=true", "quarkus.security.users.embedded.users.admin=" + PASSWORD);
        assertTrue(output.contains("quarkus.security.users.embedded.plain-text is true"), output);
        assertFalse(output.contains(PASSWORD), "the password is never printed");
    }

    @Test
    void aHashedPasswordPassesTheCheck() throws Exception {
        String hash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-512")
                .digest(("admin:idsync:" + PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        String output = start("quarkus.security.users.embedded.users.admin=" + hash, "quarkus.security.users.embedded.roles.admin=operator");
        assertFalse(output.contains("plain-text API passwords"), output);
        assertTrue(output.contains("needs idsync.connections"), "it stops for its connections' settings only: " + output);
    }
}

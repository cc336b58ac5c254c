package io.idsync.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificates made for one test with Debian's {@code openssl}, in a directory of its own: a test CA, a server
 * certificate it signed for given subject alternative names, and a second CA nobody trusts (its certificate is the
 * "untrusted chain" a test points a connection's {@code ca-file} at instead).
 */
public final class TestCertificates {

    private final Path directory;

    public TestCertificates(Path directory) {
        this.directory = directory;
    }

    public static TestCertificates in(Path directory) throws IOException {
        Files.createDirectories(directory);
        return new TestCertificates(directory);
    }

    /** A CA: {@code <name>.pem} and {@code <name>.key}. Answers the PEM certificate's path. */
    public Path ca(String name) throws IOException {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=idsync test " + name,
                "-keyout", file(name + ".key"), "-out", file(name + ".pem"));
        return directory.resolve(name + ".pem");
    }

    /**
     * A server certificate and key, {@code <name>.pem} and {@code <name>.key}, signed by CA {@code ca}, for these subject
     * alternative names ({@code IP:127.0.0.1}, {@code DNS:wrong.example}).
     */
    public Path server(String name, String ca, String... subjectAlternativeNames) throws IOException {
        Files.writeString(directory.resolve(name + ".ext"), "subjectAltName=" + String.join(",", subjectAlternativeNames) + "\n");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + subjectAlternativeNames[0].substring(subjectAlternativeNames[0].indexOf(':') + 1),
                "-keyout", file(name + ".key"), "-out", file(name + ".csr"));
        openssl("x509", "-req", "-in", file(name + ".csr"), "-CA", file(ca + ".pem"), "-CAkey", file(ca + ".key"), "-CAcreateserial",
                "-days", "2", "-extfile", file(name + ".ext"), "-out", file(name + ".pem"));
        return directory.resolve(name + ".pem");
    }

    public Path path(String file) {
        return directory.resolve(file);
    }

    private String file(String name) {
        return directory.resolve(name).toString();
    }

    private void openssl(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).directory(directory.toFile()).start();
        String output = new String(process.getInputStream().readAllBytes());
        try {
            if (process.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}

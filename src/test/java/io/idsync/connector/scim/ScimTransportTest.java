package io.idsync.connector.scim;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.idsync.connector.ConnectionCheck;
import io.idsync.connector.Settings;
import io.idsync.connector.TlsTrust;
import io.idsync.connector.SystemUnavailable;
import io.idsync.testsupport.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How the SCIM client reaches a provider, the way providers fail in production: a cleartext server that never answers
 * an HTTP/2 (h2c) upgrade, as Grizzly-based servers do (idsync speaks HTTP/1.1 in cleartext, so it is answered); a
 * provider that does not answer at all (the first timed-out request fails the batch, saying what did not answer
 * within how long); a provider behind a private CA (trusted by the connection's {@code ca-file}), and reached by a
 * name its certificate does not carry, or with a CA nobody configured (refused, saying so).
 */
class ScimTransportTest {

    @TempDir
    Path directory;

    private RawHttpServer raw;
    private HttpsServer https;

    @AfterEach
    void stop() throws Exception {
        if (raw != null) {
            raw.close();
        }
        if (https != null) {
            https.stop(0);
        }
    }

    private static ScimClient client(String baseUrl, Map<String, String> extra) {
        Map<String, String> keys = new HashMap<>(Map.of("base-url", baseUrl, "auth", "bearer", "bearer-token", "transport-test-token",
                "response-timeout", "2s", "max-attempts", "3"));
        keys.putAll(extra);
        Settings settings = new Settings("idsync.connections.scim", key -> Optional.ofNullable(keys.get(key.substring("idsync.connections.scim.".length()))));
        return new ScimClient(ScimKind.settings("scim", settings), TlsTrust.of(settings));
    }

    @Test
    void aServerThatNeverAnswersAnH2cUpgradeIsAnsweredOverHttp11() throws Exception {
        raw = new RawHttpServer(true);
        ScimClient client = client(raw.url(), Map.of());
        long started = System.nanoTime();
        ScimClient.Response created = client.send("POST", "/Users", ScimClient.JSON.readTree("{\"userName\":\"h2c\"}"));
        assertEquals(201, created.status());
        assertTrue((System.nanoTime() - started) / 1_000_000 < 2000, "answered, not left to the timeout");
        assertTrue(raw.requests.stream().noneMatch(r -> r.toLowerCase().contains("upgrade: h2c")), "no upgrade asked: " + raw.requests);
        assertTrue(raw.requests.get(0).startsWith("POST /Users HTTP/1.1"), raw.requests.get(0));
    }

    @Test
    void aRequestWithoutAnswerFailsTheBatchAtTheFirstTimeoutSayingSo() throws Exception {
        raw = new RawHttpServer(false);
        raw.silent = true;
        ScimClient client = client(raw.url(), Map.of());
        SystemUnavailable failure = assertThrows(SystemUnavailable.class,
                () -> client.send("POST", "/Users", ScimClient.JSON.readTree("{\"userName\":\"slow\"}")));
        assertEquals("SCIM POST /Users on " + raw.url() + " did not answer within 2 s (operation-timeout.create)", failure.getMessage());
        assertEquals(1, raw.accepted.get(), "not sent again: the provider may have applied it");
    }

    @Test
    void aProviderBehindAPrivateCaIsTrustedByItsCaFileAndItsHostNameChecked() throws Exception {
        TestCertificates certificates = TestCertificates.in(directory);
        certificates.ca("ca");
        certificates.ca("other-ca");
        certificates.server("scim", "ca", "IP:127.0.0.1");
        int port = startHttps(certificates);
        String ca = certificates.path("ca.pem").toString();

        List<ConnectionCheck> trusted = new ScimConnector(client("https://127.0.0.1:" + port, Map.of("ca-file", ca))).test();
        assertTrue(trusted.get(0).passed(), trusted.toString());

        String wrongName = failureOf(client("https://127.0.0.2:" + port, Map.of("ca-file", ca)));
        assertTrue(wrongName.contains("presented a certificate for 127.0.0.1, not for 127.0.0.2"), wrongName);

        String otherCa = failureOf(client("https://127.0.0.1:" + port, Map.of("ca-file", certificates.path("other-ca.pem").toString())));
        assertTrue(otherCa.contains("issued by CN=idsync test ca") && otherCa.contains("not trusted by ca-file"), otherCa);

        String jvm = failureOf(client("https://127.0.0.1:" + port, Map.of()));
        assertTrue(jvm.contains("not trusted by the JVM's trusted certificates"), jvm);
        assertFalse(jvm.contains("transport-test-token"));
    }

    private static String failureOf(ScimClient client) {
        return assertThrows(SystemUnavailable.class, () -> client.send("GET", "/ServiceProviderConfig", null)).getMessage();
    }

    /** A JDK HTTPS server with the test's certificate, on 127.0.0.1 and 127.0.0.2 (all of loopback). */
    private int startHttps(TestCertificates certificates) throws Exception {
        Path store = certificates.path("scim.p12");
        Process export = new ProcessBuilder("openssl", "pkcs12", "-export", "-in", certificates.path("scim.pem").toString(),
                "-inkey", certificates.path("scim.key").toString(), "-out", store.toString(), "-passout", "pass:changeit")
                .redirectErrorStream(true).start();
        assertEquals(0, export.waitFor(), new String(export.getInputStream().readAllBytes()));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        https = HttpsServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[]{0, 0, 0, 0}), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(context));
        https.createContext("/", exchange -> {
            byte[] body = "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig\"],\"patch\":{\"supported\":true},\"filter\":{\"supported\":true,\"maxResults\":100},\"etag\":{\"supported\":false}}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/scim+json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        https.start();
        return https.getAddress().getPort();
    }

    /**
     * An HTTP/1.1 server written on a socket, so that what the client sends is seen as sent: a request asking for an
     * h2c upgrade is never answered (as Grizzly does), any other gets 201; a silent server answers nothing at all.
     */
    private static final class RawHttpServer implements AutoCloseable {
        final List<String> requests = new CopyOnWriteArrayList<>();
        final AtomicInteger accepted = new AtomicInteger();
        volatile boolean silent;
        private final ServerSocket socket;
        private final List<Socket> open = new CopyOnWriteArrayList<>();

        RawHttpServer(boolean ignoreUpgrades) throws Exception {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket client = socket.accept();
                        accepted.incrementAndGet();
                        open.add(client);
                        Thread handler = new Thread(() -> handle(client, ignoreUpgrades));
                        handler.setDaemon(true);
                        handler.start();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        private void handle(Socket client, boolean ignoreUpgrades) {
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
                StringBuilder head = new StringBuilder();
                int length = 0;
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    head.append(line).append("\r\n");
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                for (int i = 0; i < length; i++) {
                    in.read();
                }
                requests.add(head.toString());
                if (silent || (ignoreUpgrades && head.toString().toLowerCase().contains("upgrade: h2c"))) {
                    return; // never answered; the socket stays open until the test ends
                }
                byte[] body = "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"id\":\"1\",\"userName\":\"h2c\"}".getBytes(StandardCharsets.UTF_8);
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 201 Created\r\nContent-Type: application/scim+json\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
                client.close();
            } catch (Exception e) {
                // the client went away
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
            for (Socket client : open) {
                client.close();
            }
        }
    }
}

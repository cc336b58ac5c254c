package io.idsync.testsupport.contract;

import io.idsync.sandbox.SandboxRequestCheck;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * PingOne's contract, plugged into every sandbox the tests start (META-INF/services): each request is checked, and
 * the sandbox refuses one that breaks the contract with a 400 naming why, so the test that sent it fails. What was
 * checked is written to {@code target/pingone-contract/} when the JVM ends: requests per operation and every violation.
 */
public final class PingOneContractCheck implements SandboxRequestCheck {

    private static final Logger LOG = Logger.getLogger(PingOneContractCheck.class);
    private static final PingOneContract CONTRACT = PingOneContract.load();
    private static final Map<String, LongAdder> CHECKED = new ConcurrentHashMap<>();
    private static final List<String> VIOLATIONS = java.util.Collections.synchronizedList(new ArrayList<>());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(PingOneContractCheck::writeSummary, "pingone-contract-summary"));
    }

    @Override
    public List<String> check(String method, String path, Map<String, String> query, String contentType, byte[] body) {
        List<String> violations = CONTRACT.violations(method, path, query, contentType, body);
        String operation = CONTRACT.operation(method, path).map(PingOneContract.Operation::id).orElse(method + " (unknown)");
        CHECKED.computeIfAbsent(operation, k -> new LongAdder()).increment();
        for (String violation : violations) {
            LOG.errorf("PingOne contract violated: %s", violation);
            if (VIOLATIONS.size() < 1_000) {
                VIOLATIONS.add(violation);
            }
        }
        return violations;
    }

    /** The violations seen in this class loader so far. */
    public static List<String> violations() {
        synchronized (VIOLATIONS) {
            return List.copyOf(VIOLATIONS);
        }
    }

    /** Requests checked so far in this class loader, by operation. */
    public static Map<String, Long> checked() {
        Map<String, Long> counts = new TreeMap<>();
        CHECKED.forEach((operation, count) -> counts.put(operation, count.sum()));
        return counts;
    }

    private static void writeSummary() {
        Map<String, Long> counts = checked();
        if (counts.isEmpty()) {
            return;
        }
        StringBuilder out = new StringBuilder();
        out.append("requests checked: ").append(counts.values().stream().mapToLong(Long::longValue).sum())
                .append(", violations: ").append(violations().size()).append('\n');
        counts.forEach((operation, count) -> out.append(operation).append('\t').append(count).append('\n'));
        violations().forEach(violation -> out.append("VIOLATION\t").append(violation).append('\n'));
        try {
            Path dir = Path.of("target", "pingone-contract");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(ProcessHandle.current().pid() + "-" + System.identityHashCode(CHECKED) + ".txt"),
                    out.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("cannot write the PingOne contract summary: " + e.getMessage());
        }
    }
}

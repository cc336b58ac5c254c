package io.idsync.bench;

import io.idsync.testsupport.SystemsProcess;
import com.unboundid.ldap.sdk.AddRequest;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.unboundidds.controls.IgnoreNoUserModificationRequestControl;
import io.idsync.sandbox.DemoDirectory;

import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ceiling a resync into the demo directory can reach on this machine: the same number of entries, with
 * the attributes idsync's default mapping writes, added straight through the LDAP SDK with no source, no
 * mapping and no state. With {@code search}, each add is preceded by the one correlation search idsync
 * makes per user. Compare its rate and directory CPU per entry with {@link ResyncBenchmark}'s. Not a test:
 * <pre>java -cp ... io.idsync.bench.DirectoryBaseline 100000 [connections] [search]</pre>
 */
public final class DirectoryBaseline {

    public static void main(String[] args) throws Exception {
        org.jboss.logmanager.LogContext.getSystemLogContext().getLogger("").setLevel(java.util.logging.Level.INFO);
        int entries = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        boolean search = args.length > 2 && args[2].equals("search");
        try (SystemsProcess systems = SystemsProcess.start(SystemsProcess.Seed.pingOneOnly(0, 0))) {
            LDAPConnectionPool pool = new LDAPConnectionPool(
                    new LDAPConnection("localhost", systems.directoryPort, "cn=Directory Manager", "demo-password"), connections);
            ExecutorService threads = Executors.newFixedThreadPool(connections, r -> {
                Thread thread = new Thread(r, "baseline-client");
                thread.setDaemon(true); // a failed add ends the run instead of leaving it hanging
                return thread;
            });
            AtomicInteger next = new AtomicInteger();
            systems.markCpu();
            long start = System.nanoTime();
            Future<?>[] running = new Future<?>[connections];
            for (int t = 0; t < connections; t++) {
                running[t] = threads.submit(() -> {
                    for (int i = next.getAndIncrement(); i < entries; i = next.getAndIncrement()) {
                        Entry entry = entry(i);
                        if (search) {
                            pool.search(DemoDirectory.BASE_DN, SearchScope.SUB, Filter.createORFilter(
                                    Filter.createEqualityFilter("entryUUID", entry.getAttributeValue("entryUUID")),
                                    Filter.createEqualityFilter("uid", entry.getAttributeValue("uid"))), "1.1");
                        }
                        // entryUUID is NO-USER-MODIFICATION: set on add with this control, as idsync sets it
                        AddRequest add = new AddRequest(entry);
                        add.addControl(new IgnoreNoUserModificationRequestControl());
                        pool.add(add);
                    }
                    return null;
                });
            }
            for (Future<?> thread : running) {
                thread.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("entries=%d connections=%d searchFirst=%s seconds=%.2f addsPerSecond=%.0f directoryCpuMicrosPerEntry=%.0f%n",
                    entries, connections, search, seconds, entries / seconds, systems.cpuSinceMark().toNanos() / 1e3 / entries);
            threads.shutdown();
            pool.close();
        }
    }

    /** An employee as the default mapping writes it (see mappings/pingone-to-directory.yaml and DemoSeed). */
    private static Entry entry(int i) {
        String uid = String.format(Locale.ROOT, "user%06d", i);
        return new Entry("uid=" + uid + ",ou=People," + DemoDirectory.BASE_DN,
                new Attribute("objectClass", "top", "person", "organizationalPerson", "inetOrgPerson"),
                new Attribute("uid", uid),
                new Attribute("givenName", "Given" + i),
                new Attribute("sn", "Family" + i),
                new Attribute("cn", "Given" + i + " Family" + i),
                new Attribute("mail", uid + "@example.com"),
                new Attribute("title", i % 7 == 0 ? "Manager" : "Engineer"),
                new Attribute("telephoneNumber", String.format(Locale.ROOT, "+1 555 %07d", i)),
                new Attribute("l", i % 2 == 0 ? "Denver" : "Austin"),
                new Attribute("entryUUID", UUID.randomUUID().toString()),
                new Attribute("ds-pwp-account-disabled", "FALSE"));
    }
}

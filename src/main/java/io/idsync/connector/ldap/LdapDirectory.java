package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.AddRequest;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.DeleteRequest;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.ModifyDNRequest;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.unboundidds.controls.IgnoreNoUserModificationRequestControl;
import io.idsync.connector.Destination;
import io.idsync.connector.DestinationEntry;
import io.idsync.connector.EntryNames;
import io.idsync.connector.EntryRejected;
import io.idsync.connector.Plan;
import io.idsync.connector.SystemUnavailable;

import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.StartTLSPostConnectProcessor;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An LDAP directory as a destination (PingDirectory, OpenLDAP, 389 DS, the demo directory), on a pool of
 * UnboundID connections. Search filters are built with the SDK's filter objects, so values such as
 * {@code *)(uid=*} are matched literally.
 * <p>
 * Result codes decide what a failure is: a server that is down, busy or unavailable, or a timeout, is
 * {@link SystemUnavailable} (retried); anything else (a schema violation, say) is {@link EntryRejected}
 * and fails that entry alone, with the DN and the server's diagnostic message as the reason.
 */
public final class LdapDirectory implements Destination, AutoCloseable {

    private static final String[] READ_ATTRIBUTES = {"*", "+"};
    /** What a server answers for an attribute it will not take (a schema rule, NO-USER-MODIFICATION, access). */
    private static final Set<ResultCode> REFUSALS = Set.of(ResultCode.CONSTRAINT_VIOLATION, ResultCode.UNWILLING_TO_PERFORM,
            ResultCode.OBJECT_CLASS_VIOLATION, ResultCode.UNDEFINED_ATTRIBUTE_TYPE, ResultCode.INSUFFICIENT_ACCESS_RIGHTS,
            ResultCode.INVALID_ATTRIBUTE_SYNTAX);
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(LdapDirectory.class);

    private final LdapSettings settings;
    private final LdapTls tls;
    /** the directory whose pool this one uses: itself, or the one it was derived from by {@link #under} */
    private final LdapDirectory shared;
    private volatile LDAPConnectionPool pool;
    private volatile AccountStatus accountStatus;

    public LdapDirectory(LdapSettings settings) {
        this.settings = settings;
        this.tls = new LdapTls(settings);
        this.shared = this;
    }

    private LdapDirectory(LdapSettings settings, LdapDirectory shared) {
        this.settings = settings;
        this.tls = shared.tls;
        this.shared = shared;
    }

    /** The same directory and pool, its searches under another base (a pipe's {@code destination-base-dn}). */
    public LdapDirectory under(String baseDn) {
        return new LdapDirectory(settings.withBaseDn(baseDn), shared);
    }

    public LdapSettings settings() {
        return settings;
    }

    /** How this server takes account status: the connection's account-status, or what its root DSE offers. */
    AccountStatus accountStatus() {
        if (shared != this) {
            return shared.accountStatus();
        }
        AccountStatus known = accountStatus;
        if (known == null) {
            com.unboundid.ldap.sdk.RootDSE root;
            try {
                root = "auto".equals(settings.accountStatus()) ? pool().getRootDSE() : null;
            } catch (LDAPException e) {
                throw failure("read of the root DSE", e);
            }
            known = AccountStatus.of(settings.accountStatus(), root);
            accountStatus = known;
        }
        return known;
    }

    /** The pool, opened on first use so a directory that is down at start-up only delays the pipe. */
    LDAPConnectionPool pool() {
        if (shared != this) {
            return shared.pool();
        }
        LDAPConnectionPool current = pool;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (pool == null) {
                pool = open();
            }
            return pool;
        }
    }

    private LDAPConnectionPool open() {
        try {
            // the pool's new connections repeat the first one's socket factory and host name check; StartTLS before their bind
            LDAPConnectionPool created = new LDAPConnectionPool(connect(true), 1, settings.poolSize(),
                    settings.tls().startTls() ? new StartTLSPostConnectProcessor(tls.socketFactory()) : null);
            created.setRetryFailedOperationsDueToInvalidConnections(true);
            created.setConnectionPoolName("idsync-" + settings.name());
            return created;
        } catch (LDAPException e) {
            throw connectFailure(e);
        }
    }

    /**
     * A connection of its own, bound as the pool's, for a long paged search: the server keeps a paged search's
     * state on the connection that started it, and the pool would hand the next page another one.
     *
     * @throws SystemUnavailable when the directory cannot be reached or refuses the bind
     */
    LDAPConnection connectAlone() {
        try {
            return connect(false);
        } catch (LDAPException e) {
            throw connectFailure(e);
        }
    }

    /** @param synchronous one request at a time, as a pooled connection serves them: no reader thread hand-off per response */
    private LDAPConnection connect(boolean synchronous) throws LDAPException {
        LDAPURL url = new LDAPURL(settings.url());
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis((int) settings.connectTimeout().toMillis());
        options.setResponseTimeoutMillis(settings.responseTimeout().toMillis());
        options.setUseSynchronousMode(synchronous);
        LDAPConnection connection = url.getScheme().equalsIgnoreCase("ldaps")
                ? new LDAPConnection(tls.socketFactory(), options, url.getHost(), url.getPort())
                : new LDAPConnection(options, url.getHost(), url.getPort());
        try {
            if (settings.tls().startTls()) {
                ExtendedResult started = connection.processExtendedOperation(new StartTLSExtendedRequest(tls.socketFactory()));
                if (started.getResultCode() != ResultCode.SUCCESS) {
                    throw new LDAPException(started.getResultCode(), "the server refused StartTLS: " + started.getDiagnosticMessage());
                }
            }
            connection.bind(new SimpleBindRequest(settings.bindDn(), settings.bindPassword()));
        } catch (LDAPException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /** Connects and binds on a connection of its own, then reads the base DN: a connection test's steps. */
    List<io.idsync.connector.ConnectionCheck> test() {
        List<io.idsync.connector.ConnectionCheck> checks = new java.util.ArrayList<>();
        try (LDAPConnection connection = connect(false)) {
            if (tls.enabled()) {
                checks.add(io.idsync.connector.ConnectionCheck.passed("TLS", tls.describe()));
            }
            checks.add(io.idsync.connector.ConnectionCheck.passed("connect and bind", "bound to " + settings.url() + " as " + settings.bindDn()));
            SearchResultEntry base = connection.getEntry(settings.baseDn(), "1.1");
            checks.add(base == null
                    ? io.idsync.connector.ConnectionCheck.failed("read base-dn", settings.baseDn() + " does not exist on this server, or "
                            + settings.bindDn() + " may not read it: check base-dn and the bind DN's access")
                    : io.idsync.connector.ConnectionCheck.passed("read base-dn", settings.baseDn() + " is there"));
        } catch (LDAPException e) {
            String tlsProblem = LdapTls.problem(e, hostAndPort());
            if (tlsProblem != null) {
                checks.add(io.idsync.connector.ConnectionCheck.failed("TLS", tlsProblem));
                return checks;
            }
            String what = switch (e.getResultCode().intValue()) {
                case 49 -> "the server refused the bind DN or its password (49 invalidCredentials): check bind-dn and bind-password";
                case 91 -> "nothing answers at " + settings.url() + " (91 connect error): check url, or whether the server is up";
                case 32 -> settings.baseDn() + " does not exist on this server (32 noSuchObject): check base-dn";
                default -> e.getResultCode().intValue() + " (" + e.getResultCode().getName() + ")"
                        + (e.getDiagnosticMessage() != null ? " " + e.getDiagnosticMessage() : "");
            };
            checks.add(io.idsync.connector.ConnectionCheck.failed(checks.isEmpty() ? "connect and bind" : "read base-dn", what));
        }
        return checks;
    }

    /**
     * Whatever the reason, no entry is at fault: the batch stops and the checkpoint stays. A refused bind is
     * {@link io.idsync.connector.AccessRefused} (not retried); a server down, or a certificate it cannot show, unavailable.
     */
    private io.idsync.connector.SystemFailure connectFailure(LDAPException e) {
        String tlsProblem = LdapTls.problem(e, hostAndPort());
        String message = "LDAP connect to " + settings.url() + " as " + settings.bindDn() + " failed: " + (tlsProblem != null ? tlsProblem
                : e.getResultCode().intValue() + " (" + e.getResultCode().getName() + ")" + (e.getDiagnosticMessage() != null ? " " + e.getDiagnosticMessage() : ""));
        if (tlsProblem == null && (e.getResultCode() == ResultCode.INVALID_CREDENTIALS || e.getResultCode() == ResultCode.INAPPROPRIATE_AUTHENTICATION)) {
            return new io.idsync.connector.AccessRefused("credentials refused: " + message + " (check bind-dn and bind-password)");
        }
        return new SystemUnavailable(message);
    }

    private String hostAndPort() {
        try {
            LDAPURL url = new LDAPURL(settings.url());
            return url.getHost() + ":" + url.getPort();
        } catch (LDAPException e) {
            return settings.url();
        }
    }

    @Override
    public Optional<DestinationEntry> read(String dn) {
        try {
            SearchResultEntry entry = pool().getEntry(dn, READ_ATTRIBUTES);
            return Optional.ofNullable(entry).map(LdapDirectory::toDestinationEntry);
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT || e.getResultCode() == ResultCode.INVALID_DN_SYNTAX) {
                return Optional.empty();
            }
            throw failure("read " + dn, e);
        }
    }

    @Override
    public List<DestinationEntry> find(Map<String, String> criteria, int limit) {
        if (criteria.size() == 1 && criteria.containsKey("dn")) {
            return read(criteria.get("dn")).map(List::of).orElse(List.of());
        }
        return search(allOf(criteria), limit);
    }

    @Override
    public List<DestinationEntry> findAny(List<Map<String, String>> alternatives, int limit) {
        if (alternatives.stream().anyMatch(c -> c.containsKey("dn"))) {
            return Destination.super.findAny(alternatives, limit);
        }
        List<Filter> any = alternatives.stream().map(LdapDirectory::allOf).toList();
        return search(any.size() == 1 ? any.get(0) : Filter.createORFilter(any), limit);
    }

    /**
     * An OR of equality filters on indexed attributes is served from the indexes whatever its length, and a
     * search costs a directory far more than one more alternative in it (the in-memory directory, for one,
     * allocates per search in proportion to its size): 50 entries, up to a few hundred alternatives, per search.
     */
    @Override
    public int correlationBatch() {
        return 50;
    }

    /** Values go into filter objects, never into filter text, so {@code *)(uid=*} is matched literally. */
    private static Filter allOf(Map<String, String> criteria) {
        List<Filter> all = new ArrayList<>();
        criteria.forEach((attribute, value) -> all.add(Filter.createEqualityFilter(attribute, value)));
        return all.size() == 1 ? all.get(0) : Filter.createANDFilter(all);
    }

    private List<DestinationEntry> search(Filter filter, int limit) {
        try {
            SearchRequest request = new SearchRequest(settings.baseDn(), SearchScope.SUB, filter, READ_ATTRIBUTES);
            request.setSizeLimit(limit);
            return pool().search(request).getSearchEntries().stream().map(LdapDirectory::toDestinationEntry).toList();
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED && e instanceof LDAPSearchException partial) {
                return partial.getSearchEntries().stream().map(LdapDirectory::toDestinationEntry).toList();
            }
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return List.of();
            }
            throw failure("search " + settings.baseDn() + " for " + filter, e);
        }
    }

    @Override
    public EntryNames names() {
        return LdapNames.INSTANCE;
    }

    /** A lock the server stamped itself (the password policy state operation) is the lock that was wanted. */
    @Override
    public ValueEquality valueEquality() {
        return (attribute, want, current) -> accountStatus().same(attribute, want, current);
    }

    /** Checked against the directory's subschema; nothing when the directory cannot be read now. */
    @Override
    public Optional<List<String>> schemaProblems(java.util.Collection<String> attributes, java.util.Collection<String> objectClasses) {
        com.unboundid.ldap.sdk.schema.Schema schema;
        try {
            schema = pool().getSchema();
        } catch (LDAPException | io.idsync.connector.SystemFailure e) {
            return Optional.empty();
        }
        if (schema == null) {
            return Optional.of(List.of()); // a directory that publishes no schema takes anything
        }
        com.unboundid.ldap.sdk.RootDSE root;
        AccountStatus status;
        try {
            root = pool().getRootDSE();
            status = accountStatus();
        } catch (LDAPException | io.idsync.connector.SystemFailure e) {
            return Optional.empty();
        }
        List<String> problems = new ArrayList<>();
        for (String attribute : attributes) {
            String type = attribute.contains(";") ? attribute.substring(0, attribute.indexOf(';')) : attribute;
            com.unboundid.ldap.sdk.schema.AttributeTypeDefinition definition = schema.getAttributeType(type);
            if (!type.equalsIgnoreCase("dn") && definition == null) {
                problems.add("attribute '" + attribute + "' is not in the schema of " + settings.url());
            } else if (definition != null && definition.isNoUserModification()) {
                unwritable(type, root, status).ifPresent(problems::add);
            }
        }
        for (String objectClass : objectClasses) {
            if (schema.getObjectClass(objectClass) == null) {
                problems.add("object class '" + objectClass + "' is not in the schema of " + settings.url());
            }
        }
        return Optional.of(problems);
    }

    /**
     * Why the server will not take a NO-USER-MODIFICATION attribute from idsync, if it will not: each of its
     * entries would fail on it one by one, so start-up says it once, with the fix.
     */
    private Optional<String> unwritable(String type, com.unboundid.ldap.sdk.RootDSE root, AccountStatus status) {
        if (type.equalsIgnoreCase("entryUUID")) {
            boolean takesIt = root != null && root.supportsControl(IgnoreNoUserModificationRequestControl.IGNORE_NO_USER_MODIFICATION_REQUEST_OID);
            return takesIt ? Optional.empty() : Optional.of(settings.url() + " assigns entryUUID itself (NO-USER-MODIFICATION) and does not take"
                    + " the ignore-NO-USER-MODIFICATION control: remove the entryUUID line from the mapping and correlate by uid (or another"
                    + " attribute the mapping writes)");
        }
        if (status.byOperation(type)) {
            return Optional.empty(); // written through the password policy state operation
        }
        return Optional.of("attribute '" + type + "' is NO-USER-MODIFICATION on " + settings.url() + ": the server will not take it from idsync"
                + (AccountStatus.isStatus(type) ? ", and it offers no password policy state operation (account-status="
                + status.dialect().setting + "): map the account status to what this server takes (389 DS: nsAccountLock)" : ": remove it from the mapping"));
    }

    /** A group's {@code member} values are DNs: the linked member's name. */
    @Override
    public String memberValue(String id, String name) {
        return name;
    }

    /** A create answers the entryUUID it wrote (a directory that assigns its own is read at the next correlation). */
    @Override
    public Written apply(Plan plan) {
        long started = System.nanoTime();
        try {
            Written written = write(plan);
            io.idsync.connector.ConnectionMeters.request("ldap", settings.name(), plan.action().name(), "success", started);
            return written;
        } catch (RuntimeException e) {
            io.idsync.connector.ConnectionMeters.request("ldap", settings.name(), plan.action().name(), "failed", started);
            throw e;
        }
    }

    private Written write(Plan plan) {
        return switch (plan.action()) {
            case CREATE -> {
                String refused = add(plan);
                yield new Written(plan.ref(), plan.attributes().entrySet().stream().filter(a -> a.getKey().equalsIgnoreCase("entryUUID"))
                        .flatMap(a -> a.getValue().stream()).findFirst().orElse(null), refused);
            }
            case MODIFY -> modify(plan);
            case DELETE -> {
                delete(plan.ref());
                yield new Written(plan.ref(), null);
            }
            case NONE -> new Written(plan.ref(), null);
        };
    }

    /**
     * Adds the entry; its account status goes through the server's operation where it has one. An add refused
     * while it carried status attributes is tried again without them, and their refusal alone is answered.
     *
     * @return why the account status was not set (the entry is there with everything else), or null
     */
    private String add(Plan plan) {
        AccountStatus status = accountStatus();
        List<Attribute> attributes = new ArrayList<>();
        List<Plan.AttributeChange> statusChanges = new ArrayList<>();
        plan.attributes().forEach((name, values) -> {
            if (AccountStatus.isStatus(name) && (status.byOperation(name) ? AccountStatus.changesANewAccount(name, values) : true)) {
                statusChanges.add(new Plan.AttributeChange(name, Plan.AttributeChange.Kind.REPLACE, values));
            }
            if (!status.byOperation(name)) {
                attributes.add(new Attribute(name, values));
            }
        });
        List<Plan.AttributeChange> afterwards = statusChanges.stream().filter(c -> status.byOperation(c.attribute())).toList();
        try {
            pool().add(addRequest(plan.ref(), attributes));
        } catch (LDAPException e) {
            List<Plan.AttributeChange> inline = statusChanges.stream().filter(c -> !status.byOperation(c.attribute())).toList();
            if (inline.isEmpty() || !REFUSALS.contains(e.getResultCode())) {
                throw failure("add " + plan.ref(), e);
            }
            // one refused status attribute must not keep the account from being created: add the rest, then try it alone
            attributes.removeIf(a -> AccountStatus.isStatus(a.getName()));
            try {
                pool().add(addRequest(plan.ref(), attributes));
            } catch (LDAPException again) {
                throw failure("add " + plan.ref(), again);
            }
            return writeStatus(plan.ref(), inline, status);
        }
        return writeStatus(plan.ref(), afterwards, status);
    }

    private static AddRequest addRequest(String dn, List<Attribute> attributes) {
        AddRequest request = new AddRequest(new Entry(dn, attributes));
        if (attributes.stream().anyMatch(a -> a.getName().equalsIgnoreCase("entryUUID"))) {
            // entryUUID is NO-USER-MODIFICATION; PingDirectory accepts it on add with this control, as sync does
            request.addControl(new IgnoreNoUserModificationRequestControl());
        }
        return request;
    }

    /** Renames first when the plan says so, then modifies; the account status last, on its own. */
    private Written modify(Plan plan) {
        String dn = plan.ref();
        if (plan.newRef() != null) {
            dn = rename(dn, plan.newRef());
        }
        if (plan.changes().isEmpty()) {
            return new Written(dn, null);
        }
        AccountStatus status = accountStatus();
        List<Plan.AttributeChange> others = plan.changes().stream().filter(c -> !AccountStatus.isStatus(c.attribute())).toList();
        List<Plan.AttributeChange> statusChanges = plan.changes().stream().filter(c -> AccountStatus.isStatus(c.attribute())).toList();
        List<Plan.AttributeChange> inline = statusChanges.stream().filter(c -> !status.byOperation(c.attribute())).toList();
        try {
            modify(dn, plan.changes().stream().filter(c -> !status.byOperation(c.attribute())).toList());
        } catch (LDAPException e) {
            if (inline.isEmpty() || !REFUSALS.contains(e.getResultCode())) {
                throw failure("modify " + dn, e);
            }
            // a refused status attribute must not keep the other changes out: write them, then it alone
            try {
                modify(dn, others);
            } catch (LDAPException again) {
                throw failure("modify " + dn, again);
            }
            return new Written(dn, null, writeStatus(dn, inline, status));
        }
        return new Written(dn, null, writeStatus(dn, statusChanges.stream().filter(c -> status.byOperation(c.attribute())).toList(), status));
    }

    private void modify(String dn, List<Plan.AttributeChange> changes) throws LDAPException {
        if (changes.isEmpty()) {
            return;
        }
        List<Modification> modifications = new ArrayList<>();
        for (Plan.AttributeChange change : changes) {
            ModificationType type = switch (change.kind()) {
                case REPLACE -> ModificationType.REPLACE;
                case ADD -> ModificationType.ADD;
                case DELETE -> ModificationType.DELETE;
            };
            modifications.add(new Modification(type, change.attribute(), change.values().toArray(String[]::new)));
        }
        try {
            pool().modify(new ModifyRequest(dn, modifications));
        } catch (LDAPException e) {
            if (e.getResultCode() != ResultCode.NO_SUCH_ATTRIBUTE) { // a value already gone: the entry is as planned
                throw e;
            }
        }
    }

    /**
     * Writes the account status: through the server's operation, or as a modify of its own.
     *
     * @return why the server refused it (the rest of the entry is written), or null when it took it
     * @throws SystemUnavailable when the server is down or busy: the whole write is tried again
     */
    private String writeStatus(String dn, List<Plan.AttributeChange> changes, AccountStatus status) {
        if (changes.isEmpty()) {
            return null;
        }
        boolean operation = status.byOperation(changes.get(0).attribute());
        String what = changes.stream().map(Plan.AttributeChange::attribute).distinct().reduce((a, b) -> a + ", " + b).orElse("");
        try {
            if (operation) {
                status.apply(pool(), dn, changes);
            } else {
                modify(dn, changes);
            }
            return null;
        } catch (LDAPException e) {
            RuntimeException failure = failure((operation ? "password policy state operation (" + what + ") on " : "modify of " + what + " on ") + dn, e);
            if (failure instanceof io.idsync.connector.SystemFailure) {
                throw failure;
            }
            LOG.warnf("%s: the account status was not set; the entry's other attributes were written", failure.getMessage());
            return "the account status (" + what + ") was not set: " + failure.getMessage();
        }
    }

    private String rename(String dn, String newDn) {
        try {
            DN target = new DN(newDn);
            DN current = new DN(dn);
            RDN newRdn = target.getRDN();
            DN newParent = target.getParent();
            String newSuperior = newParent != null && !newParent.equals(current.getParent()) ? newParent.toString() : null;
            pool().modifyDN(new ModifyDNRequest(dn, newRdn.toString(), true, newSuperior));
            return newDn;
        } catch (LDAPException e) {
            throw failure("rename " + dn + " to " + newDn, e);
        }
    }

    private void delete(String dn) {
        try {
            pool().delete(new DeleteRequest(dn));
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return; // already gone: replaying a delete is harmless
            }
            throw failure("delete " + dn, e);
        }
    }

    private static DestinationEntry toDestinationEntry(Entry entry) {
        Map<String, List<String>> attributes = new LinkedHashMap<>();
        for (Attribute attribute : entry.getAttributes()) {
            attributes.put(attribute.getBaseName(), List.of(attribute.getValues()));
        }
        return new DestinationEntry(entry.getDN(), entry.getAttributeValue("entryUUID"), attributes);
    }

    /** An operation on one entry (a write, a read of it): see {@link LdapFailures}. */
    private io.idsync.connector.ConnectorFailure failure(String operation, LDAPException e) {
        return LdapFailures.of(operation, settings.url(), e, LdapFailures.Scope.ENTRY);
    }

    /** An operation on what the pipe reads as a whole (a search, the root DSE, a changelog): see {@link LdapFailures}. */
    io.idsync.connector.ConnectorFailure systemFailure(String operation, LDAPException e) {
        return LdapFailures.of(operation, settings.url(), e, LdapFailures.Scope.SYSTEM);
    }

    @Override
    public void close() {
        if (shared != this) {
            return; // the pool is the other directory's to close
        }
        LDAPConnectionPool current = pool;
        if (current != null) {
            current.close();
        }
    }
}

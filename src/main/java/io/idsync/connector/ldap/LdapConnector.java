package io.idsync.connector.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import io.idsync.connector.Connector;
import io.idsync.connector.Destination;
import io.idsync.connector.EntryType;
import io.idsync.connector.Settings;

import java.util.ArrayList;
import java.util.List;

/**
 * One LDAP connection: one pool, shared by every pipe that reads or writes this directory. A pipe's scope
 * (its keys under {@code idsync.pipes.<pipe>.}) says where its entries are:
 * <pre>
 * source-group-dn                the users are this group's members, nested groups included (users only)...
 * source-base-dn, source-filter  ...or the entries under this base (default: the connection's base-dn) that match
 *                                this filter (default (objectClass=person) for users, (|(objectClass=groupOfNames)
 *                                (objectClass=groupOfUniqueNames)(objectClass=group)) for groups)
 * destination-base-dn            as a destination: where correlation searches look (default: the connection's base-dn),
 *                                e.g. another suffix of the same server
 * </pre>
 */
final class LdapConnector implements Connector {

    static final String USER_FILTER = "(objectClass=person)";
    static final String GROUP_FILTER = "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=group))";

    private final LdapDirectory directory;
    private final String idAttribute;
    private final String disabledAttribute;
    private final String changeDetection;

    LdapConnector(LdapDirectory directory, String idAttribute, String disabledAttribute, String changeDetection) {
        this.directory = directory;
        this.idAttribute = idAttribute;
        this.disabledAttribute = disabledAttribute;
        this.changeDetection = changeDetection;
    }

    @Override
    public List<String> sourceProblems(EntryType type, Settings pipe) {
        List<String> problems = new ArrayList<>();
        String filter = filter(type, pipe);
        try {
            Filter.create(filter);
        } catch (LDAPException e) {
            problems.add(pipe.prefix() + "source-filter '" + filter + "' is not an LDAP filter: " + e.getExceptionMessage());
        }
        for (String key : List.of("source-group-dn", "source-base-dn")) {
            pipe.optional(key).ifPresent(dn -> {
                if (!DN.isValidDN(dn)) {
                    problems.add(pipe.prefix() + key + " '" + dn + "' is not a DN");
                }
            });
        }
        if (type == EntryType.GROUP && pipe.optional("source-group-dn").isPresent()) {
            problems.add(pipe.prefix() + "source-group-dn scopes users; a group pipe's groups are under source-base-dn and match source-filter");
        }
        return problems;
    }

    @Override
    public Source source(EntryType type, Settings pipe) {
        LdapSourceSettings scope = new LdapSourceSettings(type, type == EntryType.USER ? pipe.optional("source-group-dn").orElse(null) : null,
                pipe.text("source-base-dn", directory.settings().baseDn()), filter(type, pipe), idAttribute, disabledAttribute, changeDetection);
        LdapEntrySource entries = new LdapEntrySource(directory, scope);
        return new Source(entries, entries);
    }

    @Override
    public List<String> destinationProblems(EntryType type, Settings pipe) {
        return pipe.optional("destination-base-dn").filter(dn -> !DN.isValidDN(dn))
                .map(dn -> List.of(pipe.prefix() + "destination-base-dn '" + dn + "' is not a DN")).orElse(List.of());
    }

    @Override
    public Destination destination(EntryType type, Settings pipe) {
        return pipe.optional("destination-base-dn").map(directory::under).orElse(directory);
    }

    private static String filter(EntryType type, Settings pipe) {
        return pipe.text("source-filter", type == EntryType.GROUP ? GROUP_FILTER : USER_FILTER);
    }

    @Override
    public List<io.idsync.connector.ConnectionCheck> test() {
        return directory.test();
    }

    @Override
    public void close() {
        directory.close();
    }
}

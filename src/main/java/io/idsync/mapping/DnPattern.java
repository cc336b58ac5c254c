package io.idsync.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.RDN;

import java.util.List;

/**
 * The DN of the destination entry, from a pattern such as {@code uid={username},ou=People,dc=example,dc=com}.
 * Placeholder values are escaped as RDN values (RFC 4514), so a username with {@code ,}, {@code +},
 * {@code "} or {@code \} yields one well-formed RDN, never an extra one.
 */
public final class DnPattern {

    private final ValuePattern pattern;

    public DnPattern(String text) {
        this.pattern = ValuePattern.parse(text);
        try {
            // the pattern with every placeholder filled must be a DN: catches "uid={username}ou=People"
            new DN(pattern.sample("x"));
        } catch (LDAPException | RuntimeException e) {
            throw new MappingException("DN pattern '" + text + "' does not make a valid DN: " + messageOf(e));
        }
    }

    /** The destination DN in normalised string form. */
    public String apply(JsonNode source) {
        List<String> dns = pattern.apply(source, DnPattern::escapeRdnValue);
        if (dns.isEmpty()) {
            throw new MappingException("DN pattern '" + pattern + "' has no value for one of its placeholders");
        }
        if (dns.size() > 1) {
            throw new MappingException("DN pattern '" + pattern + "' yields " + dns.size() + " DNs because a placeholder is multi-valued");
        }
        try {
            return new DN(dns.get(0)).toString();
        } catch (LDAPException e) {
            throw new MappingException("DN pattern '" + pattern + "' made an invalid DN: " + e.getMessage());
        }
    }

    /** RFC 4514 escaping of one attribute value, using the SDK's own rules. */
    public static String escapeRdnValue(String value) {
        String rdn = new RDN("x", value).toString();
        return rdn.substring(2);
    }

    private static String messageOf(Exception e) {
        return e instanceof LDAPException l ? l.getExceptionMessage() : String.valueOf(e.getMessage());
    }

    @Override
    public String toString() {
        return pattern.toString();
    }
}

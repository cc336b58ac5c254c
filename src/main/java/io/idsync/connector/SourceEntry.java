package io.idsync.connector;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A source entry as the road sees it: its stable id and a JSON document the attribute map reads with
 * JSON paths (a PingOne user as PingOne returns it; an LDAP entry as attribute → values).
 */
public record SourceEntry(String id, JsonNode document) {
}

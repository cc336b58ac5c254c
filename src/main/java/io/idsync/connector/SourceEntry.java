package io.idsync.connector;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A source entry as the road sees it: its stable id and a JSON document the attribute map reads with
 * JSON paths (a PingOne user as PingOne returns it; an LDAP entry as attribute → values).
 */
public record SourceEntry(String id, JsonNode document) {

    /** In a group's document: the source ids of its direct members that are users (a group pipe resolves them). */
    public static final String MEMBER_IDS = "memberIds";
}

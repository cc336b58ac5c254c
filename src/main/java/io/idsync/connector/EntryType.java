package io.idsync.connector;

import java.util.Locale;

/**
 * What a pipe synchronizes (ConnId's {@code ObjectClass}): a typed value the pipe hands its connectors, so one
 * connection serves a user pipe and a group pipe alike.
 */
public enum EntryType {
    USER, GROUP;

    /** {@code user} or {@code group}, as the settings spell it. */
    public static EntryType parse(String value) {
        for (EntryType type : values()) {
            if (type.name().equalsIgnoreCase(value.trim())) {
                return type;
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not one of user, group");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

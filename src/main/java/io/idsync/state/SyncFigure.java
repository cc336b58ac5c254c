package io.idsync.state;

import java.util.Locale;

/**
 * Which of a pipe's sync status figures (seed 003) an entry counts in: the rule, written once, with both of its
 * readings side by side: the entry's row classified ({@link #of}) and the SQL condition that selects the rows of a
 * figure ({@link #where}). An entry out of scope, or removed, counts in none.
 * <ul>
 * <li>Success: synced, with no caveat.</li>
 * <li>Partial: an account at the destination that may be out of step: its last update failed, or a caveat.</li>
 * <li>Unsynced: in scope, no account, not synchronized (a switch is off), or only an intent so far.</li>
 * <li>Failed: no account because of an error. For a group pipe, any group not fully in step is Failed (a group some
 * of whose members are not synchronized), as PingOne counts groups: a group pipe has no Partial or Unsynced.</li>
 * </ul>
 */
public enum SyncFigure {
    SUCCESS, PARTIAL, UNSYNCED, FAILED;

    /** The figure of a row: its status, whether it has a destination entry, whether its outcome has a reason. */
    static SyncFigure of(StateStore.Status status, boolean linked, boolean reason, boolean groups) {
        return switch (status) {
            case SYNCED -> !reason ? SUCCESS : groups ? FAILED : PARTIAL;
            case FAILED -> linked && !groups ? PARTIAL : FAILED;
            default -> groups ? FAILED : UNSYNCED;
        };
    }

    /** The figure of an entry, or null when it counts in none (out of scope, removed). */
    public static SyncFigure of(StateStore.EntryState state, boolean groups) {
        if (!state.inScope() || state.status() == StateStore.Status.REMOVED) {
            return null;
        }
        return of(state.status(), state.destinationRef() != null, state.reason() != null, groups);
    }

    /** The SQL condition on {@code entry_state} of this figure's rows, by the same rule as {@link #of}. */
    String where(boolean groups) {
        String counted = "in_scope = TRUE AND status <> 'REMOVED' AND ";
        if (groups) {
            return counted + switch (this) {
                case SUCCESS -> "status = 'SYNCED' AND reason IS NULL";
                case FAILED -> "NOT (status = 'SYNCED' AND reason IS NULL)";
                case PARTIAL, UNSYNCED -> "1 = 0";
            };
        }
        return counted + switch (this) {
            case SUCCESS -> "status = 'SYNCED' AND reason IS NULL";
            case PARTIAL -> "((status = 'SYNCED' AND reason IS NOT NULL) OR (status = 'FAILED' AND destination_ref IS NOT NULL))";
            case UNSYNCED -> "status NOT IN ('SYNCED', 'FAILED')";
            case FAILED -> "status = 'FAILED' AND destination_ref IS NULL";
        };
    }

    /** As the API and the dashboard name it: {@code success}, {@code partial}, {@code unsynced}, {@code failed}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The figure an API parameter names.
     *
     * @throws IllegalArgumentException when it names none
     */
    public static SyncFigure parse(String label) {
        for (SyncFigure figure : values()) {
            if (figure.label().equals(label)) {
                return figure;
            }
        }
        throw new IllegalArgumentException("status '" + label + "' is not one of success, partial, unsynced, failed");
    }
}

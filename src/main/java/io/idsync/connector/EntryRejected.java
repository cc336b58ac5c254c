package io.idsync.connector;

/**
 * The system refused this entry (a schema violation, a 400, a conflict, an ambiguous correlation): retrying the same
 * write cannot fix it. That entry fails alone, with this message recorded as the reason, and the pipe goes on.
 */
public class EntryRejected extends ConnectorFailure {

    private final FailureCategory category;

    public EntryRejected(String message) {
        this(FailureCategory.REJECTED, message);
    }

    public EntryRejected(String message, Throwable cause) {
        super(message, cause);
        this.category = FailureCategory.REJECTED;
    }

    /** @param category what kind of refusal it is: {@link FailureCategory#SCHEMA}, {@link FailureCategory#CONFLICT}... */
    public EntryRejected(FailureCategory category, String message) {
        super(message);
        this.category = category;
    }

    /** What kind of refusal it is, for the pipe's failure policy. */
    public FailureCategory category() {
        return category;
    }

    /** The category of an HTTP refusal: 400 and 422 the schema, 409 a conflict, 404 gone, any other rejected. */
    public static FailureCategory ofStatus(int status) {
        return switch (status) {
            case 400, 422 -> FailureCategory.SCHEMA;
            case 409 -> FailureCategory.CONFLICT;
            case 404, 410 -> FailureCategory.NOT_FOUND;
            default -> FailureCategory.REJECTED;
        };
    }
}

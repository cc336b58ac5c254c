package io.idsync.connector.scim;

import com.fasterxml.jackson.databind.JsonNode;
import io.idsync.connector.EntryRejected;

/** A SCIM service provider refused a request: its RFC 7644 error ({@code status}, {@code scimType}, {@code detail}) in words. */
final class ScimApiException extends EntryRejected {

    private final int status;
    private final String scimType;
    private final JsonNode error;

    ScimApiException(String request, int status, JsonNode error) {
        super(status == 400 && error != null && "uniqueness".equals(error.path("scimType").asText()) ? io.idsync.connector.FailureCategory.CONFLICT
                : ofStatus(status), "SCIM " + request + " answered " + status + describe(error));
        this.status = status;
        this.error = error;
        this.scimType = error == null ? null : error.path("scimType").asText(null);
    }

    private static String describe(JsonNode error) {
        if (error == null || !error.isObject()) {
            return "";
        }
        String type = error.path("scimType").asText(null);
        String detail = error.path("detail").asText(null);
        return (type == null ? "" : " " + type) + (detail == null ? "" : ": " + detail);
    }

    /** What the provider said beside the status ({@code " invalidFilter: ..."}), or nothing. */
    String detail() {
        return describe(error);
    }

    int status() {
        return status;
    }

    String scimType() {
        return scimType;
    }
}

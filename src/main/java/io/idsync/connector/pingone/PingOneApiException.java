package io.idsync.connector.pingone;

import com.fasterxml.jackson.databind.JsonNode;
import io.idsync.connector.EntryRejected;

/**
 * PingOne refused a request (4xx). The message carries what PingOne said, {@code code} and each detail's
 * code and target, e.g. {@code PingOne POST /users answered 400 INVALID_DATA: ... [UNIQUENESS_VIOLATION username]}.
 */
public class PingOneApiException extends EntryRejected {

    private final int status;
    private final JsonNode body;

    public PingOneApiException(String request, int status, JsonNode body) {
        super(body != null && status == 400 && hasDetail(body, "UNIQUENESS_VIOLATION") ? io.idsync.connector.FailureCategory.CONFLICT
                : ofStatus(status), "PingOne " + request + " answered " + status + describe(body));
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    /** Whether a detail carries this code (e.g. {@code UNIQUENESS_VIOLATION}). */
    public boolean hasDetail(String detailCode) {
        return hasDetail(body, detailCode);
    }

    private static boolean hasDetail(JsonNode body, String detailCode) {
        if (body == null) {
            return false;
        }
        for (JsonNode detail : body.path("details")) {
            if (detailCode.equals(detail.path("code").asText())) {
                return true;
            }
        }
        return false;
    }

    private static String describe(JsonNode body) {
        if (body == null || !body.has("code")) {
            return "";
        }
        StringBuilder out = new StringBuilder(" ").append(body.path("code").asText());
        if (body.hasNonNull("message")) {
            out.append(": ").append(body.get("message").asText());
        }
        for (JsonNode detail : body.path("details")) {
            out.append(" [").append(detail.path("code").asText());
            if (detail.hasNonNull("target")) {
                out.append(' ').append(detail.get("target").asText());
            }
            if (detail.hasNonNull("message")) {
                out.append(": ").append(detail.get("message").asText());
            }
            out.append(']');
        }
        return out.toString();
    }
}

package io.idsync.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.UUID;

/** A refusal in PingOne's error format: {@code {id, code, message, details[]}} with the real status and codes. */
final class SandboxError extends RuntimeException {

    final int status;
    final String code;
    final String detailCode;
    final String target;
    final long retryAfterSeconds;

    SandboxError(int status, String code, String message, String detailCode, String target) {
        this(status, code, message, detailCode, target, 0);
    }

    SandboxError(int status, String code, String message, String detailCode, String target, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.detailCode = detailCode;
        this.target = target;
        this.retryAfterSeconds = retryAfterSeconds;
        this.details = List.of();
    }

    /** One entry of {@code details[]}: what was refused, where, and (innerError) what would have been accepted. */
    record Detail(String code, String target, String message, ObjectNode innerError) {
    }

    private final List<Detail> details;

    private SandboxError(int status, String code, String message, List<Detail> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.detailCode = details.isEmpty() ? null : details.get(0).code();
        this.target = details.isEmpty() ? null : details.get(0).target();
        this.retryAfterSeconds = 0;
        this.details = List.copyOf(details);
    }

    /** 400 INVALID_DATA with every validation error found, as PingOne lists them. */
    static SandboxError invalidData(List<Detail> details) {
        return new SandboxError(400, "INVALID_DATA", "The request could not be completed. One or more validation errors were in the request.", details);
    }

    static SandboxError notFound() {
        return new SandboxError(404, "NOT_FOUND", "The requested resource was not found.", null, null);
    }

    static SandboxError required(String target) {
        return new SandboxError(400, "INVALID_DATA", "The request could not be completed. One or more validation errors were in the request.",
                "REQUIRED_VALUE", target);
    }

    static SandboxError uniqueness(String target, String detail) {
        return new SandboxError(400, "INVALID_DATA", "The request could not be completed. One or more validation errors were in the request.",
                "UNIQUENESS_VIOLATION", target);
    }

    static SandboxError invalidFilter(String detail) {
        SandboxError error = new SandboxError(400, "INVALID_DATA", "The request could not be completed. One or more validation errors were in the request.",
                "INVALID_FILTER", "filter");
        error.detailMessage = detail;
        return error;
    }

    static SandboxError invalidToken() {
        return new SandboxError(401, "ACCESS_FAILED", "The request could not be completed. You do not have access to this resource.",
                "INVALID_TOKEN", null);
    }

    static SandboxError limited(long retryAfterSeconds) {
        return new SandboxError(429, "REQUEST_LIMITED", "The request could not be completed. You have exceeded your request rate limit.",
                "LIMIT_EXCEEDED", null, retryAfterSeconds);
    }

    private String detailMessage;

    ObjectNode body() {
        ObjectNode body = SandboxEnvironment.JSON.createObjectNode();
        body.put("id", UUID.randomUUID().toString());
        body.put("code", code);
        body.put("message", getMessage());
        if (!details.isEmpty()) {
            com.fasterxml.jackson.databind.node.ArrayNode array = body.putArray("details");
            for (Detail d : details) {
                ObjectNode detail = array.addObject();
                detail.put("code", d.code());
                if (d.target() != null) {
                    detail.put("target", d.target());
                }
                detail.put("message", d.message());
                if (d.innerError() != null) {
                    detail.set("innerError", d.innerError());
                }
            }
        } else if (detailCode != null) {
            ObjectNode detail = body.putArray("details").addObject();
            detail.put("code", detailCode);
            if (target != null) {
                detail.put("target", target);
            }
            detail.put("message", detailMessage != null ? detailMessage : switch (detailCode) {
                case "UNIQUENESS_VIOLATION" -> target + " is unique and another resource already has this value.";
                case "REQUIRED_VALUE" -> "A value is required for " + target + ".";
                case "INVALID_TOKEN" -> "The access token is missing, invalid or expired.";
                case "LIMIT_EXCEEDED" -> "Too many requests; retry after " + retryAfterSeconds + " seconds.";
                default -> "Invalid value for attribute.";
            });
            if (retryAfterSeconds > 0) {
                detail.putObject("innerError").put("retryAfter", retryAfterSeconds);
            }
        }
        return body;
    }
}

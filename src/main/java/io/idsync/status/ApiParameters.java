package io.idsync.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The query parameters each API call takes, and what each accepts: one table, checked before the call runs. A
 * parameter the call does not know, a value it does not accept (a boolean that is not {@code true}/{@code false}, a
 * number out of range, a status that is not one of the figures, a control character), a parameter given twice, or a
 * body (the API takes none: every parameter is in the query string) is answered 400 with the parameter, the value and
 * what is accepted, and nothing starts. It runs after authentication and authorization, so only a user learns it.
 * <p>
 * A call that can write says whether it writes: {@code dryRun} is required on {@code resync} and {@code runs}, so
 * neither a typo nor an omission turns a preview into a live run.
 */
@ApplicationScoped
public class ApiParameters {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    /** One parameter: its name, what it accepts (as the 400 says it), and the check. */
    record Parameter(String name, String accepted, Predicate<String> valid, boolean required) {

        static Parameter bool(String name, boolean required) {
            return new Parameter(name, "true or false", v -> v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false"), required);
        }

        static Parameter range(String name, long min, long max) {
            return new Parameter(name, "a whole number from " + min + " to " + max, v -> {
                try {
                    long n = Long.parseLong(v);
                    return n >= min && n <= max;
                } catch (NumberFormatException e) {
                    return false;
                }
            }, false);
        }

        static Parameter oneOf(String name, String... values) {
            List<String> allowed = List.of(values);
            return new Parameter(name, "one of " + String.join(", ", values), allowed::contains, false);
        }

        static Parameter text(String name, int maxLength) {
            return new Parameter(name, "text of at most " + maxLength + " characters, without control characters",
                    v -> v.length() <= maxLength && !CONTROL.matcher(v).find(), false);
        }

        static Parameter pattern(String name, String regex, String accepted) {
            Pattern pattern = Pattern.compile(regex);
            return new Parameter(name, accepted, v -> pattern.matcher(v).matches(), false);
        }

        static Parameter instant(String name) {
            return new Parameter(name, "an ISO-8601 instant such as 2026-12-01T08:00:00Z", v -> {
                try {
                    Instant.parse(v);
                    return true;
                } catch (DateTimeParseException e) {
                    return false;
                }
            }, false);
        }
    }

    /** A call: its method, its path (a pattern), and the parameters it takes. */
    record Call(HttpMethod method, Pattern path, List<Parameter> parameters) {
        static Call of(HttpMethod method, String path, Parameter... parameters) {
            return new Call(method, Pattern.compile(path.replaceAll("\\{[a-zA-Z]+}", "[^/]+")), List.of(parameters));
        }
    }

    private static final Parameter IDS = Parameter.pattern("ids", "[^,\\p{Cntrl}]{1,512}(,[^,\\p{Cntrl}]{1,512}){0,99}", "up to 100 source ids, separated by commas");

    private static final Parameter CATEGORY = Parameter.oneOf("category", java.util.Arrays.stream(io.idsync.connector.FailureCategory.values())
            .map(io.idsync.connector.FailureCategory::key).toArray(String[]::new));

    /** Every call of the API and its parameters; the README's HTTP API section lists the same. */
    static final List<Call> CALLS = List.of(
            Call.of(HttpMethod.GET, "/api/pipes"),
            Call.of(HttpMethod.GET, "/api/pipes/{pipe}"),
            Call.of(HttpMethod.POST, "/api/pipes/{pipe}/resync", Parameter.bool("dryRun", true)),
            Call.of(HttpMethod.POST, "/api/pipes/{pipe}/runs", Parameter.bool("dryRun", true), Parameter.range("ratePerSecond", 1, 100_000), IDS,
                    Parameter.text("filter", 2000)),
            Call.of(HttpMethod.PATCH, "/api/pipes/{pipe}/runs/{run}", new Parameter("ratePerSecond", "a whole number from 1 to 100000, always given",
                    v -> v.matches("\\d{1,6}") && Integer.parseInt(v) >= 1 && Integer.parseInt(v) <= 100_000, true)),
            Call.of(HttpMethod.GET, "/api/pipes/{pipe}/runs/{run}"),
            Call.of(HttpMethod.POST, "/api/pipes/{pipe}/runs/{run}/cancel"),
            Call.of(HttpMethod.POST, "/api/pipes/{pipe}/provision", Parameter.bool("dryRun", true), new Parameter("id",
                    "the entry's source id or name (a PingOne username; an LDAP DN, uid, cn or mail), at most 1024 characters",
                    v -> !v.isBlank() && v.length() <= 1024 && !CONTROL.matcher(v).find(), true)),
            Call.of(HttpMethod.GET, "/api/pipes/{pipe}/held", Parameter.text("after", 1024), Parameter.range("limit", 1, 1000)),
            Call.of(HttpMethod.POST, "/api/pipes/{pipe}/held/approve", IDS, Parameter.bool("all", false)),
            Call.of(HttpMethod.POST, "/api/pipes/{pipe}/held/reject", IDS, Parameter.bool("all", false), Parameter.text("reason", 500)),
            Call.of(HttpMethod.GET, "/api/pipes/{pipe}/startpoint"),
            Call.of(HttpMethod.POST, "/api/pipes/{pipe}/startpoint", new Parameter("at",
                    "end, beginning, a time (2026-12-07T09:00Z, 10 minutes ago) or a position of the source, at most 1024 characters",
                    v -> !v.isBlank() && v.length() <= 1024 && !CONTROL.matcher(v).find(), true)),
            Call.of(HttpMethod.POST, "/api/pipes/{pipe}/reconcile"),
            Call.of(HttpMethod.POST, "/api/pipes/{pipe}/deprovision"),
            Call.of(HttpMethod.POST, "/api/pipes/{pipe}/retry-failed", CATEGORY),
            Call.of(HttpMethod.POST, "/api/pipes/{pipe}/dismiss", IDS, CATEGORY, Parameter.text("reason", 500)),
            Call.of(HttpMethod.GET, "/api/pipes/{pipe}/entries", Parameter.oneOf("status", "failed", "partial", "unsynced", "success", "any"), CATEGORY,
                    Parameter.text("q", 200), Parameter.text("after", 1024), Parameter.range("limit", 1, 1000)),
            Call.of(HttpMethod.GET, "/api/pipes/{pipe}/entries/{entry}"),
            Call.of(HttpMethod.POST, "/api/pipes/{pipe}/entries/{entry}/retry"),
            Call.of(HttpMethod.GET, "/api/audit", Parameter.pattern("pipe", "[A-Za-z0-9._-]{1,100}", "a pipe's name"),
                    Parameter.text("entry", 1024), Parameter.pattern("operation", "[a-z][a-z-]{0,63}", "an operation such as create, modify, disable, resync-started"),
                    Parameter.oneOf("outcome", "succeeded", "failed", "started", "held", "rejected", "accepted", "cancelled", "set"),
                    Parameter.instant("from"), Parameter.instant("to"), Parameter.range("before", 1, Long.MAX_VALUE), Parameter.range("limit", 1, 1000)),
            Call.of(HttpMethod.POST, "/api/connections/{connection}/test"));

    void register(@Observes Filters filters) {
        filters.register(this::check, 50); // after authentication (200) and authorization (100): only a user learns the API's shape
    }

    private void check(RoutingContext context) {
        String path = context.normalizedPath();
        if (path.equals("/api") || path.startsWith("/api/")) {
            Map<String, Object> refusal = refusal(context);
            if (refusal != null) {
                ObjectNode body = JSON.valueToTree(refusal);
                context.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toString());
                return;
            }
        }
        context.next();
    }

    /** Why this request is refused (the body of the 400), or null when its parameters are all understood. */
    static Map<String, Object> refusal(RoutingContext context) {
        String path = context.normalizedPath();
        Call call = CALLS.stream().filter(c -> c.method().equals(context.request().method()) && c.path().matcher(path).matches())
                .findFirst().orElse(null);
        if (call == null) {
            return null; // not a call of the API: the router answers 404 or 405
        }
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (context.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null || (length != null && !length.trim().equals("0"))) {
            return problem(null, null, "no body: this call's parameters go in the query string");
        }
        MultiMap parameters;
        try {
            parameters = context.queryParams();
        } catch (RuntimeException e) {
            return problem(null, context.request().query(), "a query string of name=value pairs, percent-encoded");
        }
        for (String name : parameters.names()) {
            Parameter parameter = call.parameters().stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
            List<String> values = parameters.getAll(name);
            if (parameter == null) {
                return problem(name, values.get(0), call.parameters().isEmpty() ? "no parameters"
                        : "the parameters " + String.join(", ", call.parameters().stream().map(Parameter::name).toList()));
            }
            if (values.size() > 1) {
                return problem(name, String.join(",", values), "one value");
            }
            if (!parameter.valid().test(values.get(0))) {
                return problem(name, values.get(0), parameter.accepted());
            }
        }
        for (Parameter parameter : call.parameters()) {
            if (parameter.required() && !parameters.contains(parameter.name())) {
                return problem(parameter.name(), null, parameter.accepted() + ", always given"
                        + (parameter.name().equals("dryRun") ? ": say dryRun=true to preview or dryRun=false to write" : ""));
            }
        }
        return null;
    }

    private static Map<String, Object> problem(String parameter, String value, String accepted) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", 400);
        body.put("error", parameter == null ? "the request is not understood" : "parameter " + parameter + " is not understood");
        body.put("parameter", parameter);
        body.put("value", value == null ? null : value.length() > 200 ? value.substring(0, 200) + "…" : value);
        body.put("accepted", accepted);
        return body;
    }
}

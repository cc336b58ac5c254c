package io.idsync.e2e;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A table of bad input sent to every call of the API, as an operator's typo or a hostile script would send it: values a
 * call does not understand (booleans, numbers out of range, unknown statuses, quotes and SQL, {@code %00}, {@code ../},
 * long strings, huge numbers), parameters it does not take, parameters twice, and bodies (JSON or not). Every one is
 * answered 400 (or 404 for a pipe, run or entry nobody has), with the parameter named and no stack trace; no run
 * starts, nothing is written, and a dry run is never turned into a live run.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedSystemsResource.class)
class ApiBadInputTest {

    private static final String PIPE = "/api/pipes/pingone-to-directory";
    /** longer than any parameter takes, shorter than the request line Vert.x accepts (4,096) */
    private static final String LONG = "x".repeat(2000);

    /** One bad request: method, path and query as sent (percent-encoded by the test), its body, and the status expected. */
    private record Bad(String method, String path, String body, int status) {
    }

    private static List<Bad> table() {
        List<Bad> bad = new ArrayList<>();
        for (String dryRun : List.of("1", "yes", "maybe", "", "TRUE%00", "true&dryRun=false", "false'%20OR%201=1")) {
            bad.add(new Bad("POST", PIPE + "/runs?dryRun=" + dryRun, null, 400));
            bad.add(new Bad("POST", PIPE + "/resync?dryRun=" + dryRun, null, 400));
        }
        bad.add(new Bad("POST", PIPE + "/runs", null, 400));                      // a call that can write must say whether it does
        bad.add(new Bad("POST", PIPE + "/resync", null, 400));
        bad.add(new Bad("POST", PIPE + "/runs?dryrun=true", null, 400));          // a name it does not take
        bad.add(new Bad("POST", PIPE + "/runs?dryRun=true&force=1", null, 400));
        bad.add(new Bad("POST", PIPE + "/runs?dryRun=true", "{\"dryRun\":false}", 400));
        bad.add(new Bad("POST", PIPE + "/runs?dryRun=true", "{not json", 400));
        bad.add(new Bad("POST", PIPE + "/reconcile?now=1", null, 400));
        bad.add(new Bad("POST", PIPE + "/held/approve", null, 400));                // neither ids nor all
        bad.add(new Bad("POST", PIPE + "/held/approve?ids=a&all=true", null, 400));  // both
        bad.add(new Bad("POST", PIPE + "/held/approve?all=yes", null, 400));
        bad.add(new Bad("POST", PIPE + "/held/reject?all=true&reason=a%0Ab", null, 400));
        bad.add(new Bad("POST", PIPE + "/held/reject?ids=a,,b", null, 400));
        bad.add(new Bad("GET", PIPE + "/held?limit=0", null, 400));
        bad.add(new Bad("POST", PIPE + "/deprovision?dryRun=false", null, 400));
        bad.add(new Bad("POST", PIPE + "/retry-failed?limit=-1", null, 400));
        bad.add(new Bad("POST", PIPE + "/retry-failed?category=nope", null, 400));
        bad.add(new Bad("POST", PIPE + "/dismiss", null, 400));                        // neither ids nor category
        bad.add(new Bad("POST", PIPE + "/dismiss?ids=a&category=schema", null, 400));  // both
        bad.add(new Bad("POST", PIPE + "/dismiss?category=Schema", null, 400));
        bad.add(new Bad("GET", PIPE + "/entries?category=schema%27%29", null, 400));
        bad.add(new Bad("POST", PIPE + "/entries/x/retry?x=1", null, 400));
        bad.add(new Bad("POST", "/api/connections/directory/test?verbose=1", null, 400));
        // a run's pace and subset, and a change of pace
        for (String rate : List.of("0", "-1", "abc", "100001", "1.5", "20&ratePerSecond=30")) {
            bad.add(new Bad("POST", PIPE + "/runs?dryRun=true&ratePerSecond=" + rate, null, 400));
            bad.add(new Bad("PATCH", PIPE + "/runs/no-such-run?ratePerSecond=" + rate, null, 400));
        }
        for (String ids : List.of("", "a,,b", ",a", "a%00b", String.join(",", java.util.Collections.nCopies(101, "x")))) {
            bad.add(new Bad("POST", PIPE + "/runs?dryRun=true&ids=" + ids, null, 400));
        }
        bad.add(new Bad("PATCH", PIPE + "/runs/no-such-run", null, 400));
        bad.add(new Bad("PATCH", PIPE + "/runs/no-such-run?ratePerSecond=5", null, 404));
        // a startpoint: always said, one value, text; then what the source (PingOne) cannot take, said by the pipe
        bad.add(new Bad("POST", PIPE + "/startpoint", null, 400));
        for (String at : List.of("", "a%00b", LONG, "end&at=beginning", "beginning", "*)(", "%22%3E%3Cscript%3E", "2999-01-01T00:00Z", "2026-13-45T99:00Z", "1%20fortnight%20ago")) {
            bad.add(new Bad("POST", PIPE + "/startpoint?at=" + at, null, 400));
        }
        bad.add(new Bad("POST", PIPE + "/startpoint?at=end", "{\"at\":\"beginning\"}", 400));
        bad.add(new Bad("GET", PIPE + "/startpoint?at=end", null, 400));
        bad.add(new Bad("POST", "/api/pipes/no-such-pipe/startpoint?at=end", null, 404));
        bad.add(new Bad("POST", PIPE + "/runs/no-such-run/cancel", null, 404));
        bad.add(new Bad("GET", PIPE + "/runs/no-such-run", null, 404));
        bad.add(new Bad("POST", PIPE + "/provision?id=no.such.user&dryRun=true", null, 404)); // no source entry by that name
        bad.add(new Bad("POST", PIPE + "/provision?dryRun=true", null, 400));              // no id
        bad.add(new Bad("POST", PIPE + "/provision?id=e000001", null, 400));               // no dryRun
        bad.add(new Bad("POST", PIPE + "/provision?id=%00&dryRun=true", null, 400));
        bad.add(new Bad("POST", PIPE + "/held/approve?ids=no-such-entry", null, 404));  // no removal of it is held
        bad.add(new Bad("POST", PIPE + "/held/reject?ids=no-such-entry", null, 404));
        for (String status : List.of("%27;drop%20table", "FAILED", "%00", "..%2F..%2Fetc", LONG)) {
            bad.add(new Bad("GET", PIPE + "/entries?status=" + status, null, 400));
        }
        for (String limit : List.of("-5", "0", "1001", "99999999", "99999999999999999999999", "ten", "1.5")) {
            bad.add(new Bad("GET", PIPE + "/entries?limit=" + limit, null, 400));
            bad.add(new Bad("GET", "/api/audit?limit=" + limit, null, 400));
        }
        bad.add(new Bad("GET", PIPE + "/entries?q=" + LONG, null, 400));
        bad.add(new Bad("GET", PIPE + "/entries?q=a%00b", null, 400));
        bad.add(new Bad("GET", PIPE + "/entries?status=failed&status=success", null, 400));
        bad.add(new Bad("GET", PIPE + "/entries?sort=name", null, 400));
        bad.add(new Bad("GET", "/api/audit?before=-1", null, 400));
        bad.add(new Bad("GET", "/api/audit?before=abc", null, 400));
        bad.add(new Bad("GET", "/api/audit?from=yesterday", null, 400));
        bad.add(new Bad("GET", "/api/audit?to=2026-13-45T99:00:00Z", null, 400));
        bad.add(new Bad("GET", "/api/audit?outcome=%22%3E%3Cscript%3E", null, 400));
        bad.add(new Bad("GET", "/api/audit?operation=DROP%20TABLE", null, 400));
        bad.add(new Bad("GET", "/api/audit?pipe=..%2F..%2F", null, 400));
        bad.add(new Bad("GET", "/api/audit?pipe=no-such-pipe", null, 404));
        bad.add(new Bad("GET", "/api/audit?entry=" + LONG, null, 400));
        bad.add(new Bad("GET", "/api/pipes?x=1", null, 400));
        bad.add(new Bad("GET", "/api/pipes/no-such-pipe", null, 404));
        bad.add(new Bad("POST", "/api/pipes/no-such-pipe/runs?dryRun=true", null, 404));
        bad.add(new Bad("GET", "/api/pipes/%27%22%5C%2C*)(/entries", null, 404));
        bad.add(new Bad("GET", "/api/audit?entry=" + "x".repeat(5000), null, 414)); // past the request line's limit: the server's 414
        return bad;
    }

    private static RequestSpecification operator() {
        return RestAssured.given().auth().preemptive().basic(ApiUsers.OPERATOR, ApiUsers.OPERATOR_PASSWORD)
                .urlEncodingEnabled(false).config(RestAssured.config().encoderConfig(EncoderConfig.encoderConfig()
                        .appendDefaultContentCharsetToContentTypeIfUndefined(false)));
    }

    @Test
    void everyCallRefusesWhatItDoesNotUnderstandAndStartsNothing() {
        String lastRun = operator().get(PIPE).then().statusCode(200).extract().jsonPath().getString("lastRun.id");
        Instant started = Instant.now();
        List<String> wrong = new ArrayList<>();
        for (Bad bad : table()) {
            RequestSpecification request = operator();
            if (bad.body() != null) {
                request = request.contentType("application/json").body(bad.body());
            }
            Response response = request.request(bad.method(), bad.path());
            String body = response.asString();
            String shown = bad.method() + " " + (bad.path().length() > 120 ? bad.path().substring(0, 120) + "…" : bad.path());
            if (response.statusCode() != bad.status()) {
                wrong.add(shown + " → " + response.statusCode() + " " + body.substring(0, Math.min(300, body.length())));
            } else if (body.contains("Exception") || body.contains("\tat ") || body.contains("stack")) {
                wrong.add(shown + " → a stack trace: " + body.substring(0, Math.min(300, body.length())));
            } else if (bad.status() == 400 && !body.contains("\"accepted\"")) {
                wrong.add(shown + " → 400 without what is accepted: " + body);
            }
        }
        assertEquals(List.of(), wrong, "requests not answered as they should be");
        assertEquals(lastRun, operator().get(PIPE).then().extract().jsonPath().getString("lastRun.id"), "no run started");
        List<String> operations = operator().get("/api/audit?from=" + started + "&limit=1000").then().statusCode(200)
                .extract().jsonPath().getList("records.operation", String.class);
        assertTrue(operations.stream().noneMatch(op -> op.contains("started") || op.contains("confirmed") || op.contains("retry")),
                "nothing started, confirmed or retried: " + operations);
    }

    @Test
    void theNamedValueAndWhatIsAcceptedAreInTheAnswer() {
        operator().post(PIPE + "/runs?dryRun=yes").then().statusCode(400)
                .body("parameter", org.hamcrest.Matchers.equalTo("dryRun"))
                .body("value", org.hamcrest.Matchers.equalTo("yes"))
                .body("accepted", org.hamcrest.Matchers.equalTo("true or false"));
        operator().get("/api/audit?limit=-5").then().statusCode(400)
                .body("parameter", org.hamcrest.Matchers.equalTo("limit"))
                .body("accepted", org.hamcrest.Matchers.equalTo("a whole number from 1 to 1000"));
        operator().post(PIPE + "/runs").then().statusCode(400)
                .body("accepted", org.hamcrest.Matchers.containsString("say dryRun=true to preview or dryRun=false to write"));
        // understood values still work, in any case
        operator().post(PIPE + "/resync?dryRun=TRUE").then().statusCode(200).body("dryRun", org.hamcrest.Matchers.equalTo(true));
        operator().get(PIPE + "/entries?status=any&limit=5&q=e0").then().statusCode(200);
        operator().get("/api/audit?limit=5&outcome=succeeded&from=2026-01-01T00:00:00Z").then().statusCode(200);
    }
}

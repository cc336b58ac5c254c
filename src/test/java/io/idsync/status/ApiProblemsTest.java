package io.idsync.status;

import io.idsync.connector.AccessRefused;
import io.idsync.connector.SystemUnavailable;
import io.idsync.pipe.PipeBusy;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the HTTP API answers for each kind of failure: a system's 503, a busy pipe's 409, and idsync's own 500 with an id. */
class ApiProblemsTest {

    private static Map<String, Object> answer(Exception cause) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, cause);
        exchange.getIn().setHeader(Exchange.HTTP_METHOD, "GET");
        exchange.getIn().setHeader(Exchange.HTTP_PATH, "/api/pipes/x");
        Map<String, Object> body = new PipeStatusApi().problem(exchange);
        assertEquals(body.get("status"), exchange.getIn().getHeader(Exchange.HTTP_RESPONSE_CODE), "the body says the status it is sent with");
        return body;
    }

    @Test
    void eachFailureHasItsStatusAndAnUnexpectedOneIsA500WithAnIdNotA503() {
        assertEquals(503, answer(new SystemUnavailable("LDAP connect to ldap://x failed: 91 (connect error)")).get("status"));
        assertEquals(503, answer(new AccessRefused("credentials refused: ...")).get("status"));
        assertEquals(409, answer(new PipeBusy("pipe x is held by instance b")).get("status"));
        Map<String, Object> unexpected = answer(new IllegalStateException("a bug"));
        assertEquals(500, unexpected.get("status"));
        String id = (String) unexpected.get("errorId");
        assertTrue(id != null && unexpected.get("error").toString().startsWith("an unexpected error (id " + id + ", in idsync's log): a bug"),
                unexpected.toString());
    }

    /** A routes-include-pattern without the API's own entry would drop the API silently: start-up says so. */
    @Test
    void startUpRefusesAConfigurationWithoutTheApisRoutes() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            assertEquals("the HTTP API's routes [api-pipes, api-pipe, api-pipe-entries, api-pipe-runs] are not loaded:"
                    + " camel.main.routes-include-pattern must keep classpath:api/*.yaml beside the pipes' own route files",
                    ApiRoutesCheck.problem(camel).orElseThrow());
            camel.addRoutes(new org.apache.camel.builder.RouteBuilder() {
                @Override
                public void configure() {
                    ApiRoutesCheck.REQUIRED.forEach(id -> from("direct:" + id).routeId(id).log("x"));
                }
            });
            assertTrue(ApiRoutesCheck.problem(camel).isEmpty());
        }
    }
}

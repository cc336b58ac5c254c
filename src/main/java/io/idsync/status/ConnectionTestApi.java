package io.idsync.status;

import io.idsync.config.Connections;
import io.idsync.connector.ConnectionCheck;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code POST /api/connections/{name}/test} does, as PingOne's Test Connection button: the connection's
 * checks, in order, and whether it can be used. A connection that fails answers 200 too: the test ran, and its
 * answer says what failed; an unknown connection answers 404.
 */
@ApplicationScoped
@Named("connectionTests")
public class ConnectionTestApi {

    private static final Logger LOG = Logger.getLogger(ConnectionTestApi.class);

    @Inject
    Connections connections;

    public Map<String, Object> test(Exchange exchange) {
        // not "connection": HTTP headers are case-insensitive, and Connection is one
        String name = exchange.getIn().getHeader("connectionName", String.class);
        List<ConnectionCheck> checks;
        try {
            checks = connections.test(name);
        } catch (IllegalArgumentException e) {
            throw new PipeOperationsApi.ApiProblem(404, e.getMessage());
        }
        boolean usable = checks.stream().allMatch(ConnectionCheck::passed);
        LOG.infof("connection test of %s: %s", name, usable ? "passed" : "failed: " + checks.stream().filter(c -> !c.passed())
                .map(c -> c.check() + ": " + c.detail()).findFirst().orElse(""));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("connection", name);
        answer.put("usable", usable);
        answer.put("checks", checks);
        return answer;
    }
}

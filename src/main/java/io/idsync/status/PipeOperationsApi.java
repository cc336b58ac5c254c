package io.idsync.status;

import io.idsync.pipe.Pipe;
import io.idsync.pipe.Pipes;
import io.idsync.pipe.Road;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code POST /api/pipes/{pipe}/resync}, {@code .../reconcile} and {@code .../confirm-deletions} do: find the
 * pipe the request names and start the run on the road (the route then walks it and answers the report).
 */
@ApplicationScoped
@Named("pipeOperations")
public class PipeOperationsApi {

    /** How long a request waits for the run in progress (a poll, usually) to finish before answering 409. */
    static final long WAIT_MILLIS = 30_000;

    private static final Logger LOG = Logger.getLogger(PipeOperationsApi.class);

    @Inject
    Pipes pipes;

    @Inject
    @Named("road")
    Road road;

    /** A full scan of the source down the road; {@code ?dryRun=true} only reports what it would do. */
    public void startResync(Exchange exchange) {
        boolean dryRun = Boolean.parseBoolean(exchange.getIn().getHeader("dryRun", "false", String.class));
        road.beginResync(exchange, requestedPipe(pipes, exchange), dryRun, WAIT_MILLIS);
    }

    /** Every linked entry read afresh: finds the deletes and scope exits change detection missed. */
    public void startReconciliation(Exchange exchange) {
        road.beginReconciliation(exchange, requestedPipe(pipes, exchange), WAIT_MILLIS);
    }

    /** The remove action for every entry a retired pipe linked (deprovision on rule deletion). */
    public void startDeprovisioning(Exchange exchange) {
        road.beginDeprovisioning(exchange, requestedPipe(pipes, exchange), WAIT_MILLIS);
    }

    /** An operator confirms the removals the deletion guard stopped: the next run may make them. */
    public Map<String, Object> confirmDeletions(Exchange exchange) {
        Pipe pipe = requestedPipe(pipes, exchange);
        String reason = pipe.deletionGuard().tripped();
        pipe.deletionGuard().confirm();
        LOG.warnf("%s: deletions confirmed by an operator%s", pipe.name(), reason == null ? "" : " (" + reason + ")");
        io.idsync.pipe.AuditTrail.note(pipe, "deletions-confirmed", "confirmed", reason);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("pipe", pipe.name());
        answer.put("confirmed", true);
        answer.put("wasHeldBecause", reason);
        return answer;
    }

    /** The pipe a request names in its {@code {pipe}} path parameter; an unknown name answers 404. */
    static Pipe requestedPipe(Pipes pipes, Exchange exchange) {
        try {
            return pipes.get(exchange.getIn().getHeader("pipe", String.class));
        } catch (Pipes.UnknownPipe e) {
            throw new ApiProblem(404, e.getMessage());
        }
    }

    /** A request that cannot be served: the API answers {@code status} with this message. */
    static final class ApiProblem extends RuntimeException {
        private final int status;

        ApiProblem(int status, String message) {
            super(message);
            this.status = status;
        }

        int status() {
            return status;
        }
    }
}

package io.idsync.status;

import io.idsync.cluster.Leases;
import io.idsync.pipe.Pipe;
import io.idsync.pipe.PipeBusy;
import io.idsync.pipe.Pipes;
import io.idsync.pipe.Road;
import io.idsync.state.StateStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code GET /api/pipes} and {@code GET /api/pipes/{pipe}} answer: for each pipe its state (Active, Inactive,
 * or Failed with the reason from the first failed attempt on), what it is doing, last poll, last sync, counters, the last full run and the latest failures.
 * Built from the pipe's own state; no secret is part of it.
 */
@ApplicationScoped
@Named("pipeStatus")
public class PipeStatusApi {

    @Inject
    Pipes pipes;

    @Inject
    Leases leases;

    @Inject
    ChangeLatency latency;

    public List<Map<String, Object>> all(Exchange exchange) {
        return pipes.all().stream().map(pipe -> status(exchange, pipe, false)).toList();
    }

    public Map<String, Object> one(Exchange exchange) {
        return status(exchange, PipeOperationsApi.requestedPipe(pipes, exchange), true);
    }

    /** The answer to a request that failed: its status code and {@code {"error": ...}}. */
    public Map<String, Object> problem(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        // what the request asked wrong (its own status), a pipe busy 409, a system that
        // does not answer or refuses idsync 503; anything else is idsync's own fault: 500, with an id that is in the log
        int status = cause instanceof PipeOperationsApi.ApiProblem problem ? problem.status()
                : cause instanceof PipeBusy || cause instanceof io.idsync.pipe.BatchStopped ? 409
                : cause instanceof io.idsync.connector.SystemFailure || cause instanceof io.idsync.state.StateStoreException ? 503 : 500;
        exchange.getIn().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        if (status == 500) {
            String id = java.util.UUID.randomUUID().toString();
            org.jboss.logging.Logger.getLogger(PipeStatusApi.class).errorf(cause, "API %s %s failed unexpectedly (error id %s)",
                    exchange.getIn().getHeader(Exchange.HTTP_METHOD), exchange.getIn().getHeader(Exchange.HTTP_PATH), id);
            body.put("error", "an unexpected error (id " + id + ", in idsync's log): " + (cause == null ? "unknown" : Road.rootMessage(cause)));
            body.put("errorId", id);
            return body;
        }
        body.put("error", cause == null ? "unknown error" : Road.rootMessage(cause));
        if (cause instanceof PipeOperationsApi.ApiProblem problem && problem.accepted() != null) {
            body.put("accepted", problem.accepted());
        }
        return body;
    }

    private Map<String, Object> status(Exchange exchange, Pipe pipe, boolean detailed) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("pipe", pipe.name());
        ServiceStatus route = exchange.getContext().getRouteController().getRouteStatus(pipe.name() + "-poll");
        // seed 003's words: Inactive (not polling), Failed (a system it needs is failing: the reason is lastError), Active
        boolean started = route != null && route.isStarted();
        status.put("state", !started ? "Inactive" : pipe.lastError() != null ? "Failed" : "Active");
        status.put("activity", pipe.activity());
        status.put("lastPoll", text(pipe.lastPoll()));
        status.put("lastSync", text(pipe.lastSync()));
        status.put("latency", latency.of(pipe));
        // several instances on one PostgreSQL: the pipe runs on one, the others stand by
        Leases.Holder holder = leases.holder(pipe.name()).orElse(null);
        Map<String, Object> heldBy = null;
        if (holder != null) {
            heldBy = new LinkedHashMap<>();
            heldBy.put("instance", holder.instance());
            heldBy.put("since", holder.since().toString());
            heldBy.put("here", holder.here());
        }
        status.put("heldBy", heldBy);
        status.put("answeredBy", leases.instance());
        if (holder == null || !holder.here()) {
            status.put("activity", holder == null ? "waiting for an instance to take it" : "standing by (runs on " + holder.instance() + ")");
        }
        status.put("counters", pipe.counters().snapshot());
        status.put("lastError", pipe.lastError());
        status.put("failingSince", text(pipe.failingSince()));
        // removals the deletion guard held, each waiting for an operator (GET .../held); the pipe goes on meanwhile
        status.put("heldRemovals", pipe.state().heldCount(pipe.name()));
        boolean groups = pipe.entryType() == io.idsync.connector.EntryType.GROUP;
        StateStore.Figures figures = pipe.state().figures(pipe.name(), groups);
        status.put("syncStatus", syncStatus(figures, groups));
        io.idsync.pipe.RunReport running = pipe.running();
        if (running != null) {
            status.put("run", running.progress(figures.impacted()));
        }
        if (pipe.lastRun() != null) {
            status.put("lastRun", pipe.lastRun().toMap());
        }
        if (detailed) {
            status.put("checkpoint", pipe.state().checkpoint(pipe.name()).orElse(null));
            status.put("linkedEntries", pipe.state().count(pipe.name(), StateStore.Status.SYNCED));
            status.put("failedEntries", pipe.state().count(pipe.name(), StateStore.Status.FAILED));
            // since start: entries correlated by a destination search, and the searches that took (batched)
            status.put("correlation", pipe.correlationFigures());
            if (pipe.membersFrom() != null) {
                status.put("membersFrom", pipe.membersFrom());
                // users newly provisioned by that pipe whose groups this one has not synchronized yet
                status.put("memberRefreshesWaiting", pipe.state().memberRefreshCount(pipe.name()));
            }
            status.put("recentFailures", pipe.state().failures(pipe.name(), 20).stream().map(f -> {
                Map<String, Object> failure = new LinkedHashMap<>();
                failure.put("sourceId", f.sourceId());
                failure.put("destination", f.destinationRef());
                failure.put("reason", f.reason());
                failure.put("at", f.updatedAt().toString());
                return failure;
            }).toList());
        }
        return status;
    }

    /** Seed 003's sync summary: for users Impacted, Success, Unsynced, Partial Synced, Failed; for groups Impacted, Success, Failed. */
    static Map<String, Object> syncStatus(StateStore.Figures figures, boolean groups) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("entryType", groups ? "groups" : "users");
        summary.put("impacted", figures.impacted());
        summary.put("success", figures.success());
        if (!groups) {
            summary.put("unsynced", figures.unsynced());
            summary.put("partialSynced", figures.partial());
        }
        summary.put("failed", figures.failed());
        return summary;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}

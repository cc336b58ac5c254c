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
 * What the operators' calls on a pipe do ({@code POST /api/pipes/{pipe}/resync}, {@code .../reconcile}, {@code .../runs},
 * {@code .../held/approve}, {@code .../startpoint}...): find the pipe the request names and start the run on the road (the
 * route then walks it and answers the report), or decide.
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

    @Inject
    org.apache.camel.ProducerTemplate producer;

    private static final String STARTED = "idsyncRunStarted";

    /** A full scan of the source down the road; {@code ?dryRun=true} only reports what it would do. */
    public void startResync(Exchange exchange) {
        boolean dryRun = Boolean.parseBoolean(exchange.getIn().getHeader("dryRun", "false", String.class));
        String rate = exchange.getIn().getHeader("ratePerSecond", String.class);
        String ids = exchange.getIn().getHeader("ids", String.class);
        java.util.List<String> subset = ids == null ? null : java.util.Arrays.stream(ids.split(",")).map(String::trim).filter(id -> !id.isEmpty()).toList();
        String filter = exchange.getIn().getHeader("filter", String.class);
        if (subset != null && filter != null) {
            throw new ApiProblem(400, "a run takes ids= or filter=, not both", "ids=a,b,c (source ids) or filter=<the source's filter>");
        }
        Pipe pipe = requestedPipe(pipes, exchange);
        try {
            road.beginResync(exchange, pipe, dryRun, WAIT_MILLIS, rate == null ? null : Integer.valueOf(rate), subset, filter);
        } catch (IllegalArgumentException e) {
            throw new ApiProblem(400, e.getMessage(), pipe.reader() instanceof io.idsync.connector.FilteredScan filtered ? filtered.filterSyntax()
                    : "ids=a,b,c: this source cannot filter");
        }
    }

    /**
     * {@code PATCH /api/pipes/{pipe}/runs/{id}?ratePerSecond=}: the run goes on at the new rate, from the next second
     * (audited with the operator); 409 for a run that has ended, 400 for one started without a rate.
     */
    public Map<String, Object> changeRun(Exchange exchange) {
        Pipe pipe = requestedPipe(pipes, exchange);
        String id = exchange.getIn().getHeader("runId", String.class);
        io.idsync.pipe.RunReport report = existingRun(pipe, id);
        if (report.finished()) {
            throw new ApiProblem(409, "run " + id + " of pipe '" + pipe.name() + "' has ended: its rate cannot change");
        }
        int rate = Integer.parseInt(exchange.getIn().getHeader("ratePerSecond", String.class));
        Integer before = report.pace().ratePerSecond();
        try {
            report.pace().change(rate);
        } catch (IllegalArgumentException e) {
            throw new ApiProblem(400, e.getMessage(), "ratePerSecond from 1 to 100000, for a run started with one");
        }
        String why = operator(exchange) + " changed the rate of run " + id + " from " + before + " to " + rate + " entries/s";
        LOG.warnf("%s: %s", pipe.name(), why);
        io.idsync.pipe.AuditTrail.note(pipe, "run-rate-changed", "accepted", why);
        return run(pipe, id);
    }

    /** Every linked entry read afresh: finds the deletes and scope exits change detection missed. */
    public void startReconciliation(Exchange exchange) {
        road.beginReconciliation(exchange, requestedPipe(pipes, exchange), WAIT_MILLIS);
    }

    /**
     * {@code POST /api/pipes/{pipe}/runs?dryRun=}: a resync (or its dry run) in the background. Answers 202 with the
     * run's id once it has started ({@code GET .../runs/{id}} follows it, {@code POST .../runs/{id}/cancel} stops it),
     * or 409 when the pipe stays busy.
     */
    public Map<String, Object> startInBackground(Exchange exchange) throws Exception {
        Pipe pipe = requestedPipe(pipes, exchange);
        java.util.concurrent.CompletableFuture<String> started = new java.util.concurrent.CompletableFuture<>();
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("pipe", pipe.name());
        headers.put("dryRun", exchange.getIn().getHeader("dryRun", "false", String.class));
        for (String option : new String[]{"ratePerSecond", "ids", "filter"}) {
            if (exchange.getIn().getHeader(option) != null) {
                headers.put(option, exchange.getIn().getHeader(option, String.class));
            }
        }
        headers.put(STARTED, started);
        producer.asyncRequestBodyAndHeaders("direct:idsync-background-run", null, headers);
        String id;
        try {
            id = started.get(WAIT_MILLIS + 5_000, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        exchange.getIn().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        exchange.getIn().setHeader("Location", "/api/pipes/" + pipe.name() + "/runs/" + id);
        return run(pipe, id);
    }

    /** In the background run's route: it has started (the pipe is acquired, the run has its id). */
    public void started(Exchange exchange) {
        Pipe pipe = requestedPipe(pipes, exchange);
        exchange.getIn().getHeader(STARTED, java.util.concurrent.CompletableFuture.class).complete(pipe.running().id());
    }

    /** In the background run's route: it could not start, or stopped; a request still waiting hears why. */
    public void notStarted(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        exchange.getIn().getHeader(STARTED, java.util.concurrent.CompletableFuture.class)
                .completeExceptionally(cause == null ? new IllegalStateException("the run did not start") : cause);
    }

    /** {@code GET /api/pipes/{pipe}/runs/{id}}: the run's progress while it runs, its report once it ended. */
    public Map<String, Object> runStatus(Exchange exchange) {
        Pipe pipe = requestedPipe(pipes, exchange);
        return run(pipe, exchange.getIn().getHeader("runId", String.class));
    }

    /** {@code POST /api/pipes/{pipe}/runs/{id}/cancel}: the run stops before its next entry. */
    public Map<String, Object> cancelRun(Exchange exchange) {
        Pipe pipe = requestedPipe(pipes, exchange);
        String id = exchange.getIn().getHeader("runId", String.class);
        io.idsync.pipe.RunReport report = existingRun(pipe, id);
        if (!report.finished()) {
            report.cancel();
            LOG.warnf("%s: %s %s cancelled by an operator", pipe.name(), report.kind(), id);
        }
        return run(pipe, id);
    }

    /** The run of this id: the one in progress or the last; 404 for another. */
    private static io.idsync.pipe.RunReport existingRun(Pipe pipe, String id) {
        io.idsync.pipe.RunReport report = pipe.run(id);
        if (report == null) {
            throw new ApiProblem(404, "pipe '" + pipe.name() + "' has no run " + id + " (only the one in progress and the last are kept)");
        }
        return report;
    }

    private static Map<String, Object> run(Pipe pipe, String id) {
        io.idsync.pipe.RunReport report = existingRun(pipe, id);
        return report.finished() ? report.toMap()
                : report.progress(pipe.state().figures(pipe.name(), pipe.entryType() == io.idsync.connector.EntryType.GROUP).impacted());
    }

    /** The remove action for every entry a retired pipe linked (deprovision on rule deletion). */
    public void startDeprovisioning(Exchange exchange) {
        road.beginDeprovisioning(exchange, requestedPipe(pipes, exchange), WAIT_MILLIS);
    }

    /**
     * {@code POST /api/pipes/{pipe}/provision?id=&dryRun=}: the entry goes down the road now, out of turn; the answer is
     * its trace ({@link Road#finishProvision}). 404 when the source has no entry by that identifier.
     */
    public void startProvision(Exchange exchange) {
        Pipe pipe = requestedPipe(pipes, exchange);
        boolean dryRun = Boolean.parseBoolean(exchange.getIn().getHeader("dryRun", "false", String.class));
        try {
            road.beginProvision(exchange, pipe, exchange.getIn().getHeader("id", String.class), dryRun, operator(exchange), WAIT_MILLIS);
        } catch (java.util.NoSuchElementException e) {
            throw new ApiProblem(404, e.getMessage());
        }
    }

    /**
     * {@code GET /api/pipes/{pipe}/held?after=&limit=}: the removals the deletion guard held, in source id order: each
     * entry's source id, destination entry, action (delete or disable), why and since when.
     */
    public Map<String, Object> held(Exchange exchange) {
        Pipe pipe = requestedPipe(pipes, exchange);
        String after = exchange.getIn().getHeader("after", "", String.class);
        int limit = Integer.parseInt(exchange.getIn().getHeader("limit", "100", String.class));
        java.util.List<io.idsync.state.StateStore.HeldRemoval> page = pipe.state().heldRemovals(pipe.name(), after, limit);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("pipe", pipe.name());
        answer.put("held", pipe.state().heldCount(pipe.name()));
        answer.put("entries", page.stream().map(held -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("sourceId", held.sourceId());
            entry.put("destination", held.destination());
            entry.put("action", held.action());
            entry.put("reason", held.reason());
            entry.put("heldAt", held.heldAt().toString());
            return entry;
        }).toList());
        answer.put("next", page.size() < limit ? null : page.get(page.size() - 1).sourceId());
        return answer;
    }

    /**
     * {@code POST /api/pipes/{pipe}/held/approve?ids=a,b|all=true}: those entries go down the road now, and each that
     * still should be removed is; the answer is the run's report. 404 for an entry with no held removal.
     */
    public void startApproval(Exchange exchange) {
        Pipe pipe = requestedPipe(pipes, exchange);
        java.util.List<String> ids = heldChoice(exchange);
        try {
            road.beginApproval(exchange, pipe, ids, operator(exchange), WAIT_MILLIS);
        } catch (IllegalArgumentException e) {
            throw new ApiProblem(404, e.getMessage());
        }
    }

    /**
     * {@code POST /api/pipes/{pipe}/held/reject?ids=a,b|all=true&reason=}: those removals are not made; the destination
     * entries are kept and unlinked, each decision audited with the operator and the reason.
     */
    public Map<String, Object> rejectHeld(Exchange exchange) {
        Pipe pipe = requestedPipe(pipes, exchange);
        java.util.List<String> ids = heldChoice(exchange);
        int rejected;
        try {
            rejected = road.rejectHeld(pipe, ids, operator(exchange), exchange.getIn().getHeader("reason", String.class), WAIT_MILLIS);
        } catch (IllegalArgumentException e) {
            throw new ApiProblem(404, e.getMessage());
        }
        LOG.warnf("%s: %s rejected %d held removals", pipe.name(), operator(exchange), rejected);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("pipe", pipe.name());
        answer.put("rejected", rejected);
        answer.put("held", pipe.state().heldCount(pipe.name()));
        return answer;
    }

    /** The entries a decision on held removals names: {@code ids}, or every one with {@code all=true}; 400 for neither or both. */
    private static java.util.List<String> heldChoice(Exchange exchange) {
        String ids = exchange.getIn().getHeader("ids", String.class);
        boolean all = Boolean.parseBoolean(exchange.getIn().getHeader("all", "false", String.class));
        if ((ids == null) == !all) {
            throw new ApiProblem(400, "name the entries with ids=, or say all=true (not both)", "ids=a,b,c (up to 100 source ids) or all=true");
        }
        return all ? null : java.util.Arrays.stream(ids.split(",")).map(String::trim).filter(id -> !id.isEmpty()).distinct().toList();
    }

    /** {@code GET /api/pipes/{pipe}/startpoint}: where the pipe's change feed reads from, in the source's words. */
    public Map<String, Object> startpoint(Exchange exchange) {
        Pipe pipe = requestedPipe(pipes, exchange);
        return startpointAnswer(pipe, startpointOrProblem(() -> io.idsync.pipe.Startpoint.of(pipe).orElse(null)));
    }

    /**
     * {@code POST /api/pipes/{pipe}/startpoint?at=end|beginning|<time>|<position>}: moves the pipe's change feed (audited
     * with the operator's name); 400 for a startpoint the source cannot take, 409 while a run is going.
     */
    public Map<String, Object> setStartpoint(Exchange exchange) {
        Pipe pipe = requestedPipe(pipes, exchange);
        String at = exchange.getIn().getHeader("at", String.class);
        return startpointAnswer(pipe, startpointOrProblem(() -> io.idsync.pipe.Startpoint.set(pipe, at, operator(exchange), WAIT_MILLIS)));
    }

    private static Map<String, Object> startpointAnswer(Pipe pipe, io.idsync.pipe.Startpoint.Position position) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("pipe", pipe.name());
        answer.put("token", position == null ? null : position.token());
        answer.put("position", position == null ? "no checkpoint yet: the first poll loads every entry, then follows the feed" : position.described());
        return answer;
    }

    private static io.idsync.pipe.Startpoint.Position startpointOrProblem(java.util.function.Supplier<io.idsync.pipe.Startpoint.Position> call) {
        try {
            return call.get();
        } catch (io.idsync.connector.Startpoints.UnsupportedStartpoint e) {
            throw new ApiProblem(400, e.getMessage(), "end, beginning, a time (2026-12-07T09:00Z, 10 minutes ago) or a position of the source,"
                    + " as this source takes them (GET .../startpoint shows where it reads from)");
        }
    }

    /** The user who made the request (Quarkus puts the authenticated identity on the route's context), for the audit log. */
    static String operator(Exchange exchange) {
        Object user = exchange.getIn().getHeader("CamelVertxPlatformHttpAuthenticatedUser");
        if (user instanceof io.vertx.ext.auth.User authenticated && authenticated.principal() != null) {
            String name = authenticated.principal().getString("username");
            if (name != null) {
                return name;
            }
        }
        return "an operator";
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
        private final String accepted;

        ApiProblem(int status, String message) {
            this(status, message, null);
        }

        /** @param accepted what the call takes instead, for a 400 */
        ApiProblem(int status, String message, String accepted) {
            super(message);
            this.status = status;
            this.accepted = accepted;
        }

        int status() {
            return status;
        }

        String accepted() {
            return accepted;
        }
    }
}

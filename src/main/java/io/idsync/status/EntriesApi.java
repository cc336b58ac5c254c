package io.idsync.status;

import io.idsync.connector.EntryType;
import io.idsync.pipe.AuditTrail;
import io.idsync.pipe.Pipe;
import io.idsync.pipe.Pipes;
import io.idsync.state.StateStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pipe's entries, by the figure they are counted in: {@code GET /api/pipes/{pipe}/entries?status=...&q=...} pages
 * through them with why, {@code GET .../entries/{sourceId}} shows one with its recent operations, and an operator
 * retries one ({@code POST .../entries/{sourceId}/retry}) or every failed one ({@code POST .../retry-failed}) at the
 * pipe's next poll.
 */
@ApplicationScoped
@Named("entries")
public class EntriesApi {

    private static final int PAGE = 100;

    @Inject
    Pipes pipes;

    public Map<String, Object> page(Exchange exchange) {
        Pipe pipe = PipeOperationsApi.requestedPipe(pipes, exchange);
        String status = exchange.getIn().getHeader("status", "failed", String.class);
        String after = exchange.getIn().getHeader("after", String.class);
        int limit = Math.min(1000, Math.max(1, exchange.getIn().getHeader("limit", PAGE, Integer.class)));
        boolean groups = pipe.entryType() == EntryType.GROUP;
        List<StateStore.EntryState> entries;
        try {
            entries = pipe.state().entries(pipe.name(), status, groups, exchange.getIn().getHeader("q", String.class), after, limit,
                    exchange.getIn().getHeader("category", String.class));
        } catch (IllegalArgumentException e) {
            throw new PipeOperationsApi.ApiProblem(400, e.getMessage());
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("pipe", pipe.name());
        answer.put("status", status);
        answer.put("entries", entries.stream().map(entry -> entry(pipe, entry, groups)).toList());
        answer.put("next", entries.size() == limit ? entries.get(entries.size() - 1).sourceId() : null);
        return answer;
    }

    public Map<String, Object> one(Exchange exchange) {
        Pipe pipe = PipeOperationsApi.requestedPipe(pipes, exchange);
        String sourceId = exchange.getIn().getHeader("sourceId", String.class);
        StateStore.EntryState state = pipe.state().entry(pipe.name(), sourceId).orElseThrow(() ->
                new PipeOperationsApi.ApiProblem(404, "pipe '" + pipe.name() + "' has no entry " + sourceId));
        Map<String, Object> answer = entry(pipe, state, pipe.entryType() == EntryType.GROUP);
        answer.put("intent", state.intent() == null ? null : state.intent().action().name().toLowerCase(java.util.Locale.ROOT));
        answer.put("recentOperations", pipe.state().auditRecords(pipe.name(), sourceId, null, null, null, null, 0, 20).stream()
                .map(AuditApi::record).toList());
        return answer;
    }

    public Map<String, Object> retryOne(Exchange exchange) {
        Pipe pipe = PipeOperationsApi.requestedPipe(pipes, exchange);
        String sourceId = exchange.getIn().getHeader("sourceId", String.class);
        if (pipe.state().entry(pipe.name(), sourceId).isEmpty()) {
            throw new PipeOperationsApi.ApiProblem(404, "pipe '" + pipe.name() + "' has no entry " + sourceId);
        }
        pipe.state().retryNow(pipe.name(), List.of(sourceId));
        AuditTrail.note(pipe, "retry-asked", "accepted", "entry " + sourceId);
        return retried(exchange, pipe, 1);
    }

    /** {@code POST .../retry-failed?category=}: every failed entry (of that category) goes down the road at the next poll. */
    public Map<String, Object> retryFailed(Exchange exchange) {
        Pipe pipe = PipeOperationsApi.requestedPipe(pipes, exchange);
        String category = exchange.getIn().getHeader("category", String.class);
        int count = pipe.state().retryAllFailed(pipe.name(), category);
        AuditTrail.note(pipe, "retry-asked", "accepted", PipeOperationsApi.operator(exchange) + ": " + count + " failed entries"
                + (category == null ? "" : " of category " + category));
        return retried(exchange, pipe, count);
    }

    /**
     * {@code POST .../dismiss?ids=a,b|category=&reason=}: these failed entries (or every one of a category) leave the
     * Failed figure, each with the operator and why; no retry waits for them any more. Audited per entry.
     */
    public Map<String, Object> dismiss(Exchange exchange) {
        Pipe pipe = PipeOperationsApi.requestedPipe(pipes, exchange);
        String ids = exchange.getIn().getHeader("ids", String.class);
        String category = exchange.getIn().getHeader("category", String.class);
        if ((ids == null) == (category == null)) {
            throw new PipeOperationsApi.ApiProblem(400, "name the failed entries with ids=, or a category= (not both)",
                    "ids=a,b,c (up to 100 source ids) or category=schema|conflict|not-found|mapping|rejected|unavailable|access-refused|configuration");
        }
        String reason = exchange.getIn().getHeader("reason", String.class);
        String why = "by " + PipeOperationsApi.operator(exchange) + (reason == null || reason.isBlank() ? "" : ": " + reason);
        List<String> chosen = new java.util.ArrayList<>();
        if (ids != null) {
            java.util.Arrays.stream(ids.split(",")).map(String::trim).filter(id -> !id.isEmpty()).distinct().forEach(chosen::add);
        } else {
            for (String after = ""; ; ) {
                List<String> page = pipe.state().failedIds(pipe.name(), category, after);
                if (page.isEmpty()) {
                    break;
                }
                chosen.addAll(page);
                after = page.get(page.size() - 1);
            }
        }
        int dismissed = pipe.state().dismissFailed(pipe.name(), chosen, why);
        for (String id : chosen) {
            AuditTrail.record(pipe, id, "dismiss", "accepted", "failure dismissed " + why);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("pipe", pipe.name());
        answer.put("dismissed", dismissed);
        return answer;
    }

    private static Map<String, Object> retried(Exchange exchange, Pipe pipe, int count) {
        exchange.getIn().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("pipe", pipe.name());
        answer.put("retrying", count);
        answer.put("when", "at the pipe's next poll");
        return answer;
    }

    private static Map<String, Object> entry(Pipe pipe, StateStore.EntryState state, boolean groups) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("sourceId", state.sourceId());
        entry.put("destination", state.destinationRef());
        entry.put("destinationId", state.destinationId());
        entry.put("status", StateStore.category(state, groups));
        entry.put("reason", state.reason());
        entry.put("category", state.status() == StateStore.Status.FAILED ? state.failureCategory() : null);
        entry.put("updatedAt", state.updatedAt().toString());
        // the operation it was last given (the one that failed, for a failed entry), from the audit log
        pipe.state().auditRecords(pipe.name(), state.sourceId(), null, null, null, null, 0, 1).stream().findFirst().ifPresent(last -> {
            entry.put("operation", last.operation());
            entry.put("operationAt", last.at().toString());
        });
        pipe.state().retryOf(pipe.name(), state.sourceId()).ifPresentOrElse(retry -> {
            entry.put("retryAttempts", retry.getKey());
            entry.put("nextRetry", retry.getValue().toString());
        }, () -> entry.put("retryAttempts", 0));
        return entry;
    }
}

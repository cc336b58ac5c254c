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
            entries = pipe.state().entries(pipe.name(), status, groups, exchange.getIn().getHeader("q", String.class), after, limit);
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

    public Map<String, Object> retryFailed(Exchange exchange) {
        Pipe pipe = PipeOperationsApi.requestedPipe(pipes, exchange);
        int count = pipe.state().retryAllFailed(pipe.name());
        AuditTrail.note(pipe, "retry-asked", "accepted", count + " failed entries");
        return retried(exchange, pipe, count);
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

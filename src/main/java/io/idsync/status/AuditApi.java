package io.idsync.status;

import io.idsync.pipe.Pipes;
import io.idsync.state.StateStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/audit}: the audit log, newest first, a page at a time ({@code before} the last id seen), filtered
 * by {@code pipe}, {@code entry} (a source id), {@code operation}, {@code outcome}, {@code from} and {@code to}.
 */
@ApplicationScoped
@Named("audit")
public class AuditApi {

    @Inject
    Pipes pipes;

    @Inject
    StateStore state;

    public Map<String, Object> page(Exchange exchange) {
        org.apache.camel.Message in = exchange.getIn();
        String pipe = in.getHeader("pipe", String.class);
        if (pipe != null) {
            PipeOperationsApi.requestedPipe(pipes, exchange); // 404 for an unknown pipe
        }
        int limit = Math.min(1000, Math.max(1, in.getHeader("limit", 100, Integer.class)));
        List<StateStore.AuditRecord> records = state.auditRecords(pipe, in.getHeader("entry", String.class),
                in.getHeader("operation", String.class), in.getHeader("outcome", String.class), time(in, "from"), time(in, "to"),
                in.getHeader("before", 0L, Long.class), limit);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("records", records.stream().map(AuditApi::record).toList());
        answer.put("before", records.size() == limit ? records.get(records.size() - 1).id() : null);
        return answer;
    }

    static Map<String, Object> record(StateStore.AuditRecord record) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", record.id());
        map.put("at", record.at().toString());
        map.put("pipe", record.pipe());
        map.put("sourceId", record.sourceId());
        map.put("destination", record.destination());
        map.put("operation", record.operation());
        map.put("outcome", record.outcome());
        map.put("attributes", record.attributes());
        map.put("reason", record.reason());
        return map;
    }

    private static Instant time(org.apache.camel.Message in, String name) {
        String text = in.getHeader(name, String.class);
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new PipeOperationsApi.ApiProblem(400, name + " '" + text + "' is not an ISO-8601 instant such as 2026-12-01T08:00:00Z");
        }
    }
}

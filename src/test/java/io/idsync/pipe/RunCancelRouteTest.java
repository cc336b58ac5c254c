package io.idsync.pipe;

import io.idsync.testsupport.PipeFixture;
import io.idsync.testsupport.PipeFixtureRouteTest;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A resync an operator cancels (seed 003's Resync, stopped): it stops before its next entry, what it did stays
 * done, its report says it was cancelled; the next resync runs to its end.
 */
class RunCancelRouteTest extends PipeFixtureRouteTest {

    RunCancelRouteTest() {
        super(600, 0);
    }

    @Test
    void aCancelledResyncStopsBeforeItsNextEntry() throws Exception {
        loadRoutes("classpath:routes/pingone-to-directory.yaml");
        AdviceWith.adviceWith(context, "pingone-to-directory-poll", a -> a.replaceFromWith("direct:poll"));
        AtomicInteger enriched = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean cancelOnce = new java.util.concurrent.atomic.AtomicBoolean();
        AdviceWith.adviceWith(context, PipeFixture.PIPE, a -> a.weaveById("enrich").before().process(exchange -> {
            RunReport running = systems.pipe().running();
            if (enriched.incrementAndGet() == 50 && running != null && running.kind().equals("resync") && cancelOnce.compareAndSet(false, true)) {
                running.cancel(); // what POST /api/pipes/{pipe}/runs/{id}/cancel does
            }
        }));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:resync").process(exchange -> systems.road.beginResync(exchange, systems.pipe(), false, 0))
                        .toD("direct:${exchangeProperty.idsyncPipe}").bean(systems.road, "finishRun");
            }
        });
        context.start();
        template.sendBody("direct:poll", null); // the initial load
        enriched.set(0);

        Exception stopped = assertThrows(Exception.class, () -> template.sendBody("direct:resync", null));
        String why = stopped.getCause() == null ? stopped.getMessage() : String.valueOf(stopped.getCause().getMessage());
        RunReport cancelled = systems.pipe().lastRun() == null ? null : systems.pipe().lastRun();
        assertTrue(why.contains("was cancelled by an operator"), why);
        assertTrue(enriched.get() < 600, "stopped before the end: " + enriched.get() + " of 600 entries enriched");
        assertTrue(systems.pipe().running() == null || systems.pipe().running().cancelled(), "no run goes on");

        enriched.set(0);
        template.sendBody("direct:resync", null);
        assertEquals(600L, systems.pipe().lastRun().toMap().get("entries"), "the next resync runs to its end");
        assertEquals("finished", systems.pipe().lastRun().toMap().get("state"));
        assertTrue(cancelled == null || !cancelled.id().equals(systems.pipe().lastRun().id()));
    }
}

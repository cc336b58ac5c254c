package io.idsync.pipe;

import org.jboss.logging.Logger;

import java.util.Collections;
import java.util.Optional;

/**
 * A poll's batch from its start to its checkpoint: what it reads (the changes after the checkpoint, or the initial
 * load's scan), what its checkpoint saves, and what a batch that stopped leaves. Camel-free: the road's poll,
 * checkpoint and batch-failed steps call it, on a pipe the poll already holds.
 */
final class Batches {

    private static final Logger LOG = Logger.getLogger(Batches.class);

    private final Retry retry;
    private final Feeds feeds;

    Batches(Retry retry, Feeds feeds) {
        this.retry = retry;
        this.feeds = feeds;
    }

    /**
     * The changes after the pipe's checkpoint. A pipe without a checkpoint does its initial load instead: it notes
     * the feed's position first (once: a restarted load keeps the first attempt's), then scans every in-scope entry.
     *
     * @throws io.idsync.connector.ConfigurationError when the mapping does not fit the destination
     */
    Runs.Started next(Pipe pipe) {
        pipe.pollStarted();
        if (!pipe.misfits().isEmpty()) {
            // the mapping does not fit the destination (found once it could be read): nothing would go through
            throw new io.idsync.connector.ConfigurationError("the mapping does not fit the destination: " + String.join("; ", pipe.misfits()));
        }
        Optional<String> checkpoint = pipe.state().checkpoint(pipe.name());
        if (checkpoint.isEmpty()) {
            pipe.loading();
            Run run = Run.of(pipe, new RunReport(pipe.name(), "initial load", false), false);
            // a load a crash interrupted keeps its first attempt's position: nothing changed in between is missed
            run.nextToken = retry.call(pipe, "note where the feed stands", () -> pipe.state().initialLoadStart(pipe.name(), pipe.changes()::currentToken));
            LOG.infof("%s: no checkpoint yet, initial load of every in-scope entry; the change feed follows from %s", pipe.name(), run.nextToken);
            return new Runs.Started(run, feeds.scan(pipe, false));
        }
        Run run = Run.of(pipe, null, false);
        return new Runs.Started(run, feeds.changes(pipe, checkpoint.get(), run));
    }

    /** A poll that reads nothing: another instance or run holds the pipe. */
    static Runs.Started skipped() {
        return new Runs.Started(Run.skipped(), Collections.emptyIterator());
    }

    /** Saves the batch's token and the counters: reached only when every change was recorded. */
    void checkpoint(Pipe pipe, Run run) {
        pipe.pollEnded();
        if (!run.movesCheckpoint()) {
            return;
        }
        pipe.state().saveCheckpoint(pipe.name(), run.nextToken, pipe.counters().snapshot());
        if (!run.memberRefreshes.isEmpty()) {
            pipe.state().memberRefreshesDone(pipe.name(), run.memberRefreshes);
        }
        if (!run.retries.isEmpty()) {
            pipe.state().retriesDone(pipe.name(), run.retries);
        }
        pipe.healthy();
        if (run.report != null) {
            run.report.finish(null);
            pipe.runEnded(run.report);
            LOG.infof("%s: initial load done: %s", pipe.name(), run.report.summary());
        }
    }

    /** A batch that could not finish, for this reason: the checkpoint stays, the next poll replays it. */
    void failed(Pipe pipe, String why) {
        pipe.failing(why);
        try {
            pipe.state().flush(); // the outcomes recorded before the stop show in the status
        } catch (RuntimeException e) {
            LOG.debugf("%s: outcomes not written yet: %s", pipe.name(), e.getMessage());
        }
        LOG.warnf("%s: the batch stopped and will be replayed from the same checkpoint: %s", pipe.name(), pipe.lastError());
    }
}

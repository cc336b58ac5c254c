package io.idsync.pipe;

/**
 * The engine stops a batch of its own accord (an operator cancelled the run, a failure policy says stop): not a
 * connector's failure, and nothing to retry; the checkpoint stays and the pipe says why.
 */
public class BatchStopped extends RuntimeException {
    public BatchStopped(String message) {
        super(message);
    }
}

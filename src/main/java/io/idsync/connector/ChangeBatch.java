package io.idsync.connector;

import java.util.List;

/**
 * The changes after a checkpoint, oldest first, and the checkpoint that follows them. The pipe saves
 * {@code nextToken} only once every change in the batch is applied or recorded as failed.
 *
 * @param changes   bounded by the source (a window of the feed), never the whole directory
 */
public record ChangeBatch(List<Change> changes, String nextToken) {
}

package io.idsync.pipe;

/** A run cannot start now: another run holds the pipe, or its deletion guard does. Nothing was read or written. */
public final class PipeBusy extends RuntimeException {
    public PipeBusy(String message) {
        super(message);
    }
}

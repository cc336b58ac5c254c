package io.idsync.pipe;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/** The configured pipes by name. */
public final class Pipes {

    /** A pipe name nobody configured: the HTTP API answers 404 with this message. */
    public static final class UnknownPipe extends RuntimeException {
        UnknownPipe(String name, Collection<String> known) {
            super("no pipe named '" + name + "' (configured: " + String.join(", ", known) + ")");
        }
    }

    private final Map<String, Pipe> pipes = new TreeMap<>();

    public Pipes register(Pipe pipe) {
        pipes.put(pipe.name(), pipe);
        return this;
    }

    public Pipe get(String name) {
        Pipe pipe = pipes.get(name);
        if (pipe == null) {
            throw new UnknownPipe(name, pipes.keySet());
        }
        return pipe;
    }

    /** The group pipes that take their members from {@code userPipe}. */
    public java.util.List<Pipe> takingMembersFrom(String userPipe) {
        return pipes.values().stream().filter(pipe -> userPipe.equals(pipe.membersFrom())).toList();
    }

    /** The names of the pipes writing where {@code pipe} writes, itself included: an entry one of them links is that one's. */
    public java.util.List<String> writingWith(Pipe pipe) {
        return pipes.values().stream().filter(other -> other.writesTo().equals(pipe.writesTo())).map(Pipe::name).toList();
    }

    public Collection<Pipe> all() {
        return pipes.values();
    }
}

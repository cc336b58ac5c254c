package io.idsync.cluster;

import java.sql.Connection;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.OptionalLong;

/** One instance on its own state store (the embedded H2): it holds every pipe, from its start. */
public final class SoloLeases implements Leases {

    private final String instance;
    private final Instant since = Instant.now();

    public SoloLeases(String instance) {
        this.instance = instance;
    }

    @Override
    public String instance() {
        return instance;
    }

    @Override
    public OptionalLong held(String pipe) {
        return OptionalLong.of(1);
    }

    @Override
    public Optional<Holder> holder(String pipe) {
        return Optional.of(new Holder(instance, since, true));
    }

    @Override
    public void check(Connection connection, Collection<String> pipes) {
        // nobody else writes this store
    }
}

package io.idsync.cluster;

import io.idsync.state.LeaseLost;
import io.idsync.state.StateStoreException;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Pipe leases on a shared PostgreSQL: a pipe is held by the database session that holds its <b>advisory lock</b>
 * ({@code pg_try_advisory_lock}), and each taking of it raises the pipe's <b>fencing token</b> ({@code pipe_lease}).
 * <ul>
 *   <li>A holder killed ({@code kill -9}) closes its session: PostgreSQL releases its locks at once, and a standby's
 *       next attempt (every {@code tick}) takes the pipes.</li>
 *   <li>A holder paused (GC, SIGSTOP) or cut off keeps its socket but sends nothing: its session is idle, and the
 *       server ends it after {@code idle_session_timeout} = the lease. The lease is the database's clock, not the
 *       paused process's.</li>
 *   <li>A holder that wakes after that still thinks it holds the pipes until its own clock says its last confirmed
 *       heartbeat is older than the lease ({@link #held}), and its next heartbeat finds its session gone. A write it
 *       makes meanwhile is refused: the outcomes and the checkpoint commit only after {@link #check} has read the
 *       pipe's token {@code FOR SHARE} in the same transaction and found its own. A new holder raises the token before
 *       it reads the checkpoint, so the two serialize on that row: the old holder's commit is either before (and the
 *       new holder starts after it) or refused.</li>
 * </ul>
 * One session (one connection) holds all of this instance's locks; only the ticker thread uses it.
 */
public final class PostgresLeases implements Leases, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PostgresLeases.class);
    /** the first key of idsync's advisory locks; the second is the pipe's */
    static final int LOCK_SPACE = 0x1d5c;

    /** the pool, for the API's questions */
    private final DataSource dataSource;
    /** the lease session's own connection, outside the pool: a pooled one would keep its locks once handed back */
    private final SessionOpener opener;
    private final String instance;
    private volatile List<String> pipes = List.of();
    private final Duration lease;
    private final Duration tick;
    private final ConcurrentHashMap<String, Long> tokens = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker;
    /** System.nanoTime() of the last heartbeat that confirmed this instance's session and tokens */
    private volatile long confirmedAt;
    private Connection session;

    /**
     * @param lease how long a holder that stopped answering keeps its pipes (idle_session_timeout of its session)
     * @param tick  how often the holder confirms its leases and a standby tries to take free pipes
     */
    /** Opens a connection of its own to the state database. */
    @FunctionalInterface
    public interface SessionOpener {
        Connection open() throws SQLException;
    }

    public PostgresLeases(DataSource dataSource, SessionOpener opener, String instance, Duration lease, Duration tick) {
        if (tick.multipliedBy(3).compareTo(lease) > 0) {
            throw new IllegalArgumentException("idsync.cluster.lease (" + lease + ") must be at least 3 times idsync.cluster.tick (" + tick + ")");
        }
        this.dataSource = dataSource;
        this.opener = opener;
        this.instance = instance;
        this.lease = lease;
        this.tick = tick;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "idsync-leases");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Takes the free ones of {@code pipes} now, then keeps confirming and taking every tick. */
    public PostgresLeases start(Collection<String> pipes) {
        watch(pipes);
        ticker.scheduleWithFixedDelay(this::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The pipes to hold; {@link #tick} takes the free ones. */
    void watch(Collection<String> pipes) {
        this.pipes = List.copyOf(new TreeSet<>(pipes));
    }

    @Override
    public String instance() {
        return instance;
    }

    @Override
    public OptionalLong held(String pipe) {
        Long token = tokens.get(pipe);
        // a heartbeat older than the lease less a tick: the server may have ended the session already
        if (token == null || System.nanoTime() - confirmedAt > lease.minus(tick).toNanos()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(token);
    }

    @Override
    public Optional<Holder> holder(String pipe) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT l.holder, l.since FROM pipe_lease l WHERE l.pipe = ? AND EXISTS (SELECT 1 FROM pg_locks k"
                     + " WHERE k.locktype = 'advisory' AND k.granted AND k.classid::bigint = ? AND k.objid::bigint = ? AND k.objsubid = 2)")) {
            ps.setString(1, pipe);
            ps.setLong(2, LOCK_SPACE);
            ps.setLong(3, key(pipe));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String holder = rs.getString(1);
                return Optional.of(new Holder(holder, rs.getTimestamp(2).toInstant(), instance.equals(holder) && held(pipe).isPresent()));
            }
        } catch (SQLException e) {
            throw new StateStoreException("the state store cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public void check(Connection connection, Collection<String> written) throws SQLException {
        Set<String> lost = new TreeSet<>();
        StringBuilder why = new StringBuilder();
        try (PreparedStatement ps = connection.prepareStatement("SELECT token, holder FROM pipe_lease WHERE pipe = ? FOR SHARE")) {
            for (String pipe : written) {
                Long mine = tokens.get(pipe);
                ps.setString(1, pipe);
                try (ResultSet rs = ps.executeQuery()) {
                    boolean found = rs.next();
                    if (mine != null && found && rs.getLong(1) == mine) {
                        continue;
                    }
                    lost.add(pipe);
                    why.append(why.isEmpty() ? "" : "; ").append("pipe '").append(pipe).append("' is ")
                            .append(found ? "held by instance " + rs.getString(2) + " (token " + rs.getLong(1) + ")" : "held by nobody");
                }
            }
        }
        if (!lost.isEmpty()) {
            lost.forEach(tokens::remove);
            String message = "instance " + instance + " no longer holds what it was writing: " + why + "; its write is refused, the holder replays it";
            LOG.warn(message);
            throw new LeaseLost(lost, message);
        }
    }

    /** Ends this instance's session: its pipes go to a standby at its next tick. */
    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!tokens.isEmpty()) {
            LOG.infof("instance %s hands over pipes %s", instance, new TreeSet<>(tokens.keySet()));
        }
        tokens.clear();
        closeSession();
    }

    // --- the ticker --------------------------------------------------------------------------------------

    /** Confirms this instance's leases, and takes the free pipes. */
    void tick() {
        try {
            if (session == null) {
                open();
            }
            confirm();
            confirmedAt = System.nanoTime();
            for (String pipe : pipes) {
                if (!tokens.containsKey(pipe)) {
                    take(pipe);
                }
            }
        } catch (SQLException | RuntimeException e) {
            // a session in doubt holds nothing: its locks may already be gone with it
            loseAll("its session to the state database failed: " + e.getMessage());
            closeSession();
        }
    }

    private void open() throws SQLException {
        session = opener.open();
        session.setAutoCommit(true);
        try (Statement st = session.createStatement()) {
            try (ResultSet rs = st.executeQuery("SHOW server_version_num")) {
                rs.next();
                if (rs.getInt(1) < 140000) {
                    throw new IllegalStateException("idsync's leases need PostgreSQL 14 or later (idle_session_timeout); this server is " + rs.getInt(1));
                }
            }
            // the lease: a session that says nothing for this long is ended by the server, its locks released
            st.execute("SET idle_session_timeout = " + lease.toMillis());
            st.execute("SET application_name = 'idsync leases " + instance.replace("'", "") + "'");
        }
        // a heartbeat that hangs (a network gone) fails within the lease instead of keeping the pipes
        session.setNetworkTimeout(ticker, (int) lease.minus(tick).toMillis());
    }

    /** Every held pipe's token is still ours (the session's locks are, or this query would have failed). */
    private void confirm() throws SQLException {
        if (tokens.isEmpty()) {
            try (Statement st = session.createStatement()) {
                st.execute("SELECT 1");
            }
            return;
        }
        try (PreparedStatement ps = session.prepareStatement("SELECT pipe, token FROM pipe_lease WHERE holder = ?")) {
            ps.setString(1, instance);
            java.util.Map<String, Long> found = new java.util.HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), rs.getLong(2));
                }
            }
            for (String pipe : Set.copyOf(tokens.keySet())) {
                if (!tokens.get(pipe).equals(found.get(pipe))) {
                    tokens.remove(pipe);
                    unlock(pipe);
                    LOG.warnf("instance %s lost pipe '%s': another instance took it over", instance, pipe);
                }
            }
        }
    }

    private void take(String pipe) throws SQLException {
        try (PreparedStatement lock = session.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            lock.setInt(1, LOCK_SPACE);
            lock.setInt(2, key(pipe));
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return;
                }
            }
        }
        // the token rises before this instance reads the checkpoint: the old holder's writes are fenced from here on
        try (PreparedStatement raise = session.prepareStatement("INSERT INTO pipe_lease (pipe, token, holder, since) VALUES (?, 1, ?, now())"
                + " ON CONFLICT (pipe) DO UPDATE SET token = pipe_lease.token + 1, holder = EXCLUDED.holder, since = EXCLUDED.since RETURNING token")) {
            raise.setString(1, pipe);
            raise.setString(2, instance);
            try (ResultSet rs = raise.executeQuery()) {
                rs.next();
                long token = rs.getLong(1);
                tokens.put(pipe, token);
                LOG.infof("instance %s holds pipe '%s' (lease token %d)", instance, pipe, token);
            }
        } catch (SQLException e) {
            unlock(pipe);
            throw e;
        }
    }

    private void unlock(String pipe) throws SQLException {
        try (PreparedStatement ps = session.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
            ps.setInt(1, LOCK_SPACE);
            ps.setInt(2, key(pipe));
            ps.execute();
        }
    }

    private void loseAll(String why) {
        if (!tokens.isEmpty()) {
            LOG.warnf("instance %s lost pipes %s: %s", instance, new TreeSet<>(tokens.keySet()), why);
            tokens.clear();
        }
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                LOG.debugf("closing the lease session: %s", e.getMessage());
            }
            session = null;
        }
    }

    /** The pipe's advisory lock key: two pipes whose names hash alike share a lock, and so a holder (harmless). */
    static int key(String pipe) {
        return pipe.hashCode() & 0x7fffffff;
    }
}

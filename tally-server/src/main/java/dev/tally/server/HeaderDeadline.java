package dev.tally.server;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;

/**
 * Closes connections whose next request's line and headers do not arrive in full within the header
 * timeout: of the connection opening, or of the first byte that follows the previous response. Jetty's
 * idle timeout restarts with every byte, so without this a client sending a header byte a second held
 * a connection for ever. A sweep every quarter of the timeout (at most every second) checks each
 * connection that is between requests; a deadline is thus kept to within a quarter of the timeout.
 */
final class HeaderDeadline implements Connection.Listener, AutoCloseable {
    private final long timeoutNanos;
    private final Map<Connection, State> open = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    private static final class State {
        volatile boolean handling;
        volatile long bytesAtRest;
        /** When the bytes of a request not yet handled were first seen (nanoTime), or 0. */
        volatile long since;
    }

    HeaderDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tally-http-header-deadline");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
        sweeper.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onOpened(Connection connection) {
        State s = new State();
        s.since = System.nanoTime();
        open.put(connection, s);
    }

    @Override
    public void onClosed(Connection connection) {
        open.remove(connection);
    }

    /** The connection's request line and headers have arrived: its handling starts. */
    void handling(Connection connection) {
        State s = open.get(connection);
        if (s != null) {
            s.handling = true;
        }
    }

    /** The connection's response is complete: the clock starts again with the next request's first byte. */
    void rested(Connection connection) {
        State s = open.get(connection);
        if (s != null) {
            s.bytesAtRest = connection.getBytesIn();
            s.since = 0;
            s.handling = false;
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        open.forEach((c, s) -> {
            if (s.handling) {
                return;
            }
            if (s.since == 0) {
                if (c.getBytesIn() > s.bytesAtRest) {
                    s.since = now;
                }
                return;
            }
            if (now - s.since > timeoutNanos && !s.handling) {
                open.remove(c);
                c.getEndPoint().close();
            }
        });
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}

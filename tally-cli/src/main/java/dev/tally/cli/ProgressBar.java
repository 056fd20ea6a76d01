package dev.tally.cli;

import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * An in-place progress bar on stderr: redrawn with {@code \r} five times a
 * second from a daemon thread. It shows the share of the work whose events the
 * server has acknowledged (bytes of a file, or events of a benchmark), the
 * events acknowledged so far, those that failed, and the current rate.
 * <p>
 * Every figure moves only when the server answers, so the share and the count
 * agree. The rate is measured over the last {@link #RATE_WINDOW_NANOS} of
 * acknowledgments and only from the first one on, so the start-up of the JVM,
 * the connection and the first request are never shown as throughput; until a
 * second of acknowledgments has been seen it reads {@code measuring}.
 * Thread-safe.
 */
final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;
    static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final long MIN_RATE_SPAN_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Sample(long nanos, long events) {
    }

    private final PrintWriter err;
    private final String label;
    private final long totalWork;
    private final LongSupplier clock;
    private final long startNanos;
    private final AtomicLong work = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final ScheduledExecutorService ticker;
    private Sample firstAck;
    private int lastLength;
    private boolean closed;

    private ProgressBar(PrintWriter err, String label, long totalWork, boolean enabled, LongSupplier clock) {
        this.err = err;
        this.label = label;
        this.totalWork = totalWork;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        if (enabled) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tally-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::draw, 200, 200, TimeUnit.MILLISECONDS);
        } else {
            ticker = null;
        }
    }

    /** Starts a bar; with {@code enabled} false it only counts, never prints. */
    static ProgressBar start(PrintWriter err, String label, long totalWork, boolean enabled) {
        return new ProgressBar(err, label, totalWork, enabled, System::nanoTime);
    }

    /** A bar that never prints by itself and reads time from {@code nanoClock} (for tests). */
    static ProgressBar manual(String label, long totalWork, LongSupplier nanoClock) {
        return new ProgressBar(new PrintWriter(java.io.Writer.nullWriter()), label, totalWork, false, nanoClock);
    }

    /** The server answered for {@code eventsDone} events, which were {@code workDone} of the total work. */
    synchronized void add(long workDone, long eventsDone) {
        work.addAndGet(workDone);
        long acknowledged = events.addAndGet(eventsDone);
        if (eventsDone > 0 && firstAck == null) {
            firstAck = new Sample(clock.getAsLong(), acknowledged);
        }
    }

    /** The request carrying {@code eventsFailed} events ({@code workDone} of the work) never succeeded. */
    void failed(long workDone, long eventsFailed) {
        work.addAndGet(workDone);
        failed.addAndGet(eventsFailed);
    }

    long events() {
        return events.get();
    }

    /** The line the bar shows now (without the carriage return). */
    synchronized String render() {
        long now = clock.getAsLong();
        long w = work.get();
        long e = events.get();
        StringBuilder line = new StringBuilder(100).append(label).append(" [");
        long filled = totalWork > 0 ? Math.min(WIDTH, w * WIDTH / totalWork) : 0;
        for (int i = 0; i < WIDTH; i++) {
            line.append(i < filled ? '#' : '-');
        }
        line.append("] ");
        if (totalWork > 0) {
            line.append(String.format("%3d%%", Math.min(100, w * 100 / totalWork)));
        }
        line.append("  ").append(Format.count(e, "event")).append(" acknowledged");
        long f = failed.get();
        if (f > 0) {
            line.append(", ").append(Format.count(f)).append(" failed");
        }
        line.append("  ");
        long rate = rate(now, e);
        line.append(rate < 0 ? "measuring" : Format.count(rate) + " events/s");
        line.append("  ").append((now - startNanos) / 1_000_000_000L).append('s');
        return line.toString();
    }

    /** Events per second over the recent window of acknowledgments, or -1 while there is too little to tell. */
    private long rate(long now, long acknowledged) {
        if (firstAck == null) {
            return -1;
        }
        if (samples.isEmpty()) {
            samples.addLast(firstAck);
        }
        samples.addLast(new Sample(now, acknowledged));
        while (samples.size() > 1) {
            java.util.Iterator<Sample> it = samples.iterator();
            it.next();
            if (it.next().nanos() > now - RATE_WINDOW_NANOS) {
                break;
            }
            samples.removeFirst();
        }
        Sample base = samples.peekFirst();
        long span = now - base.nanos();
        if (span < MIN_RATE_SPAN_NANOS) {
            return -1;
        }
        return Format.perSecond(acknowledged - base.events(), span);
    }

    private synchronized void draw() {
        if (closed) {
            return;
        }
        String line = render();
        int pad = Math.max(0, lastLength - line.length());
        err.print("\r" + line + " ".repeat(pad));
        err.flush();
        lastLength = line.length();
    }

    /** Stops redrawing; an enabled bar draws its final state and ends the line. */
    @Override
    public void close() {
        if (ticker == null) {
            return;
        }
        ticker.shutdownNow();
        draw();
        synchronized (this) {
            closed = true;
            err.println();
            err.flush();
        }
    }
}

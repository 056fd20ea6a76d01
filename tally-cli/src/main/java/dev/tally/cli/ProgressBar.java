package dev.tally.cli;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-place progress bar on stderr: redrawn with {@code \r} five times a
 * second from a daemon thread, showing the share of work done, the events so
 * far and the event rate. Work and events are separate counters because a file
 * load measures progress in bytes read but speed in events. Thread-safe.
 */
final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String label;
    private final long totalWork;
    private final long startNanos = System.nanoTime();
    private final AtomicLong work = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final ScheduledExecutorService ticker;
    private int lastLength;
    private boolean closed;

    private ProgressBar(PrintWriter err, String label, long totalWork, boolean enabled) {
        this.err = err;
        this.label = label;
        this.totalWork = totalWork;
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
        return new ProgressBar(err, label, totalWork, enabled);
    }

    void add(long workDone, long eventsDone) {
        work.addAndGet(workDone);
        events.addAndGet(eventsDone);
    }

    long events() {
        return events.get();
    }

    /** The line the bar shows now (without the carriage return). */
    String render() {
        long w = work.get();
        long e = events.get();
        long elapsed = System.nanoTime() - startNanos;
        StringBuilder line = new StringBuilder(100).append(label).append(" [");
        long filled = totalWork > 0 ? Math.min(WIDTH, w * WIDTH / totalWork) : 0;
        for (int i = 0; i < WIDTH; i++) {
            line.append(i < filled ? '#' : '-');
        }
        line.append("] ");
        if (totalWork > 0) {
            line.append(String.format("%3d%%", Math.min(100, w * 100 / totalWork)));
        }
        line.append("  ").append(Format.count(e)).append(" events  ")
                .append(Format.count(Format.perSecond(e, elapsed))).append(" events/s  ")
                .append(elapsed / 1_000_000_000L).append('s');
        return line.toString();
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

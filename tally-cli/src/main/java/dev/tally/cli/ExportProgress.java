package dev.tally.cli;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** The export progress line on stderr: rows so far, rows/s since the start, elapsed seconds; redrawn 5 times a second. */
final class ExportProgress implements AutoCloseable {
    private final PrintWriter err;
    private final AtomicLong rows = new AtomicLong();
    private final long startRows;
    private final long startNanos;
    private final LongSupplier clock;
    private final ScheduledExecutorService ticker;

    private ExportProgress(PrintWriter err, boolean enabled, long already, LongSupplier clock) {
        this.err = err;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.startRows = already;
        rows.set(already);
        if (enabled) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tally-export-progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::draw, 200, 200, TimeUnit.MILLISECONDS);
        } else {
            ticker = null;
        }
    }

    static ExportProgress start(PrintWriter err, boolean enabled, long already) {
        return new ExportProgress(err, enabled, already, System::nanoTime);
    }

    static ExportProgress manual(long already, LongSupplier clock) {
        return new ExportProgress(new PrintWriter(java.io.Writer.nullWriter()), false, already, clock);
    }

    void rows(long more) {
        rows.addAndGet(more);
    }

    /** The exact count after a page (the server's Tally-Export-Rows). */
    void set(long total) {
        rows.set(total);
    }

    String render() {
        long elapsed = clock.getAsLong() - startNanos;
        long r = rows.get();
        return "export  " + Format.count(r, "row") + "  "
                + (elapsed < 1_000_000_000L ? "measuring" : Format.count(Format.perSecond(r - startRows, elapsed)) + " rows/s")
                + "  " + elapsed / 1_000_000_000L + "s";
    }

    private synchronized void draw() {
        err.print("\r" + render() + "   ");
        err.flush();
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            draw();
            err.println();
            err.flush();
        }
    }
}

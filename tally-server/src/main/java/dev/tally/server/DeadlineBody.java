package dev.tally.server;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;

/**
 * A request body as a blocking stream that must arrive in full within a deadline counted from the
 * start of the request's handling. Whatever goes wrong while reading is the client's doing and is
 * refused at once: a framing error (a malformed chunk, a body shorter than its Content-Length when the
 * client closes) is a 400 {@code malformed-body}; a body that has not arrived by the deadline (or stalls
 * past the connection's idle timeout) is a 408 {@code request-timeout}. Both close the connection.
 */
final class DeadlineBody extends InputStream {
    private final Content.Source source;
    private final long deadlineNanos;
    private final Duration timeout;
    private Content.Chunk chunk;
    private boolean eof;

    DeadlineBody(Content.Source source, Duration timeout) {
        this.source = source;
        this.timeout = timeout;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (eof) {
                return -1;
            }
            if (chunk != null) {
                ByteBuffer buf = chunk.getByteBuffer();
                if (buf.hasRemaining()) {
                    int n = Math.min(len, buf.remaining());
                    buf.get(b, off, n);
                    return n;
                }
                boolean last = chunk.isLast();
                chunk.release();
                chunk = null;
                if (last) {
                    eof = true;
                    return -1;
                }
            }
            Content.Chunk next = source.read();
            if (next == null) {
                await();
                continue;
            }
            if (Content.Chunk.isFailure(next)) {
                throw failure(next.getFailure());
            }
            chunk = next;
        }
    }

    @Override
    public int available() {
        return chunk == null ? 0 : chunk.getByteBuffer().remaining();
    }

    @Override
    public void close() {
        if (chunk != null) {
            chunk.release();
            chunk = null;
        }
    }

    private void await() {
        long left = deadlineNanos - System.nanoTime();
        CountDownLatch ready = new CountDownLatch(1);
        source.demand(ready::countDown);
        try {
            if (left <= 0 || !ready.await(left, TimeUnit.NANOSECONDS)) {
                throw timedOut();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw timedOut();
        }
    }

    private HttpError timedOut() {
        eof = true;
        return new HttpError(408, "request-timeout", "Request timeout",
                "the request body did not arrive within " + timeout.toMillis() + " ms");
    }

    private HttpError failure(Throwable cause) {
        eof = true;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return timedOut();
            }
        }
        return new HttpError(400, "malformed-body", "Malformed body",
                "the request body could not be read: its framing (chunks or Content-Length) is malformed or it ended early");
    }
}

package dev.tally.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A raw-socket HTTP client for framing tests: sends bytes exactly as given (malformed chunks, lying
 * Content-Lengths, targets java.net.URI refuses), optionally stalls, and reports what came back and when.
 */
final class RawHttp {
    private RawHttp() {
    }

    /** What came back: a status of -1 means the server closed the connection without an answer. */
    record Outcome(int status, Map<String, String> headers, String body, Duration elapsed, boolean timedOut) {
        String contentType() {
            return headers.getOrDefault("content-type", "");
        }

        boolean closedWithoutAnswer() {
            return status < 0 && !timedOut;
        }
    }

    /** Sends {@code head} then each of {@code drip} with {@code gap} between them, then reads until EOF or {@code wait}. */
    static Outcome exchange(int port, String head, Duration gap, Duration wait, String... drip) {
        long start = System.nanoTime();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((int) Math.max(1, wait.toMillis()));
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                for (String d : drip) {
                    if (in.available() > 0) {
                        break;
                    }
                    Thread.sleep(gap.toMillis());
                    out.write(d.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            } catch (SocketException e) {
                // the server closed while we were still sending: read what it said
            }
            boolean timedOut = false;
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    got.write(buf, 0, n);
                    if (complete(got)) {
                        break;
                    }
                }
            } catch (SocketTimeoutException e) {
                timedOut = true;
            } catch (SocketException e) {
                // reset after an answer or a close: keep what arrived
            }
            return parse(got.toString(StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start), timedOut);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Outcome exchange(int port, String request, Duration wait) {
        return exchange(port, request, Duration.ZERO, wait);
    }

    /** Whether a whole response with a Content-Length has arrived (so keep-alive does not make us wait). */
    private static boolean complete(ByteArrayOutputStream got) {
        String text = got.toString(StandardCharsets.ISO_8859_1);
        int split = text.indexOf("\r\n\r\n");
        if (split < 0) {
            return false;
        }
        for (String line : text.substring(0, split).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                int len = Integer.parseInt(line.substring(15).trim());
                return got.size() >= split + 4 + len;
            }
        }
        return false;
    }

    private static Outcome parse(String text, Duration elapsed, boolean timedOut) {
        if (text.isEmpty()) {
            return new Outcome(-1, Map.of(), "", elapsed, timedOut);
        }
        int split = text.indexOf("\r\n\r\n");
        String head = split < 0 ? text : text.substring(0, split);
        String body = split < 0 ? "" : text.substring(split + 4);
        String[] lines = head.split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            if (c > 0) {
                headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
            }
        }
        return new Outcome(Integer.parseInt(lines[0].split(" ")[1]), headers, body, elapsed, timedOut);
    }

    /** The number of file descriptors this JVM has open (Linux). */
    static long openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

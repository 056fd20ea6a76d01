package dev.tally.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over one keep-alive {@link Socket}, for the load
 * generator: it writes precomputed request bytes and reads the status line,
 * headers and a body framed by Content-Length or chunked encoding. It does
 * the least work per request so that, on a small machine shared with the
 * server, the generator does not become what is measured. Not thread-safe: one
 * connection per sending thread. After an {@link IOException} the connection
 * is closed and the next exchange reconnects.
 */
final class RawHttpConnection implements AutoCloseable {
    private static final int MAX_HEADER_LINE = 16 * 1024;

    private final String host;
    private final int port;
    private final int timeoutMillis;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] lineBuffer = new byte[MAX_HEADER_LINE];

    RawHttpConnection(String host, int port, int timeoutMillis) {
        this.host = host;
        this.port = port;
        this.timeoutMillis = timeoutMillis;
    }

    /** The request head and body as bytes, ready to be written to a connection. */
    static byte[] request(String method, String target, String hostHeader, String apiKey, String contentType,
            byte[] body) {
        StringBuilder head = new StringBuilder(256)
                .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n")
                .append("Authorization: Bearer ").append(apiKey).append("\r\n")
                .append("Accept: application/json\r\n");
        if (body != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n")
                    .append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) {
            return h;
        }
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** Sends one request and reads its response; a response asking to close closes the connection. */
    RawResponse exchange(byte[] request) throws IOException {
        try {
            if (socket == null) {
                connect();
            }
            out.write(request);
            out.flush();
            RawResponse response = readResponse(in, lineBuffer);
            if (response.closeConnection()) {
                close();
            }
            return response;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.setSoTimeout(timeoutMillis);
            s.setSendBufferSize(256 * 1024);
            s.setReceiveBufferSize(256 * 1024);
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            out = s.getOutputStream();
            socket = s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing left to do with a broken socket
            }
            socket = null;
            in = null;
            out = null;
        }
    }

    /** Reads one response (skipping 1xx interim responses) from a stream. */
    static RawResponse readResponse(InputStream in, byte[] lineBuffer) throws IOException {
        while (true) {
            String statusLine = readLine(in, lineBuffer);
            if (statusLine.isEmpty()) {
                continue; // tolerate a stray CRLF between responses
            }
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
                throw new IOException("not an HTTP/1.x status line: " + abbreviate(statusLine));
            }
            int status;
            try {
                status = Integer.parseInt(statusLine.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new IOException("bad status line: " + abbreviate(statusLine), e);
            }
            Map<String, String> headers = new HashMap<>();
            for (String line = readLine(in, lineBuffer); !line.isEmpty(); line = readLine(in, lineBuffer)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = line.substring(colon + 1).trim();
                    headers.merge(name, value, (a, b) -> a + ", " + b);
                }
            }
            if (status >= 100 && status < 200) {
                continue;
            }
            boolean http10 = statusLine.startsWith("HTTP/1.0");
            String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
            boolean close = connection.contains("close") || (http10 && !connection.contains("keep-alive"));
            byte[] body;
            String transferEncoding = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
            if (status == 204 || status == 304) {
                body = new byte[0];
            } else if (transferEncoding.contains("chunked")) {
                body = readChunked(in, lineBuffer);
            } else if (headers.containsKey("content-length")) {
                long length;
                try {
                    length = Long.parseLong(headers.get("content-length"));
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length: " + headers.get("content-length"), e);
                }
                if (length < 0 || length > Integer.MAX_VALUE - 16) {
                    throw new IOException("bad Content-Length: " + length);
                }
                body = readExactly(in, (int) length);
            } else {
                body = in.readAllBytes();
                close = true;
            }
            return new RawResponse(status, headers, body, close);
        }
    }

    private static byte[] readChunked(InputStream in, byte[] lineBuffer) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
        while (true) {
            String sizeLine = readLine(in, lineBuffer);
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim();
            int size;
            try {
                size = Integer.parseInt(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size: " + abbreviate(sizeLine), e);
            }
            if (size < 0) {
                throw new IOException("bad chunk size: " + abbreviate(sizeLine));
            }
            if (size == 0) {
                while (!readLine(in, lineBuffer).isEmpty()) {
                    // trailer fields are ignored
                }
                return body.toByteArray();
            }
            body.write(readExactly(in, size));
            if (!readLine(in, lineBuffer).isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    private static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new EOFException("connection closed after " + bytes.length + " of " + length + " body bytes");
        }
        return bytes;
    }

    /** A line up to CRLF (or a bare LF), without the line end, as ISO-8859-1. */
    private static String readLine(InputStream in, byte[] buffer) throws IOException {
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(n == 0 ? "connection closed by the server" : "connection closed mid-line");
            }
            if (b == '\n') {
                if (n > 0 && buffer[n - 1] == '\r') {
                    n--;
                }
                return new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (n == buffer.length) {
                throw new IOException("header line longer than " + buffer.length + " bytes");
            }
            buffer[n++] = (byte) b;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}

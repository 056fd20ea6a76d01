package dev.tally.server;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;

/**
 * The exchanges the audit recorder hands to handlers: {@link #tee} passes everything to the real exchange and keeps
 * a copy of the status and body it answered; {@link #local} is an in-process GET with no network behind it (how the
 * recorder reads a resource's state through its canonical route), whose answer is only kept.
 */
final class AuditExchange extends HttpExchange {
    private final Optional<HttpExchange> real;
    private final String method;
    private final URI uri;
    private final Headers requestHeaders;
    private final Headers localResponseHeaders = new Headers();
    private final ByteArrayOutputStream copy = new ByteArrayOutputStream();
    private int status = -1;

    private AuditExchange(Optional<HttpExchange> real, String method, URI uri, Headers requestHeaders) {
        this.real = real;
        this.method = method;
        this.uri = uri;
        this.requestHeaders = requestHeaders;
    }

    static AuditExchange tee(HttpExchange real) {
        return new AuditExchange(Optional.of(real), real.getRequestMethod(), real.getRequestURI(),
                real.getRequestHeaders());
    }

    static AuditExchange local(String path) {
        return new AuditExchange(Optional.empty(), "GET", URI.create(path), new Headers());
    }

    /** The status answered, or -1 if none was. */
    int status() {
        return status;
    }

    /** The body answered (at most 4 MiB are kept). */
    byte[] body() {
        return copy.toByteArray();
    }

    @Override
    public Headers getRequestHeaders() {
        return requestHeaders;
    }

    @Override
    public Headers getResponseHeaders() {
        return real.map(HttpExchange::getResponseHeaders).orElse(localResponseHeaders);
    }

    @Override
    public URI getRequestURI() {
        return uri;
    }

    @Override
    public String getRequestMethod() {
        return method;
    }

    @Override
    public HttpContext getHttpContext() {
        return real.map(HttpExchange::getHttpContext).orElse(null);
    }

    @Override
    public void close() {
        real.ifPresent(HttpExchange::close);
    }

    @Override
    public InputStream getRequestBody() {
        return real.map(HttpExchange::getRequestBody).orElseGet(() -> new ByteArrayInputStream(new byte[0]));
    }

    @Override
    public OutputStream getResponseBody() {
        OutputStream target = real.map(HttpExchange::getResponseBody).orElse(OutputStream.nullOutputStream());
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                target.write(b);
                if (copy.size() < 4 << 20) {
                    copy.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                target.write(b, off, len);
                if (copy.size() < 4 << 20) {
                    copy.write(b, off, len);
                }
            }

            @Override
            public void flush() throws IOException {
                target.flush();
            }

            @Override
            public void close() throws IOException {
                target.close();
            }
        };
    }

    @Override
    public void sendResponseHeaders(int code, long length) throws IOException {
        status = code;
        if (real.isPresent()) {
            real.get().sendResponseHeaders(code, length);
        }
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return real.map(HttpExchange::getRemoteAddress).orElse(new InetSocketAddress("127.0.0.1", 0));
    }

    @Override
    public int getResponseCode() {
        return status;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return real.map(HttpExchange::getLocalAddress).orElse(new InetSocketAddress("127.0.0.1", 0));
    }

    @Override
    public String getProtocol() {
        return real.map(HttpExchange::getProtocol).orElse("HTTP/1.1");
    }

    @Override
    public Object getAttribute(String name) {
        return real.map(r -> r.getAttribute(name)).orElse(null);
    }

    @Override
    public void setAttribute(String name, Object value) {
        real.ifPresent(r -> r.setAttribute(name, value));
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        real.ifPresent(r -> r.setStreams(i, o));
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return real.map(HttpExchange::getPrincipal).orElse(null);
    }
}

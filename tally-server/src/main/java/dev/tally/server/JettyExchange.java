package dev.tally.server;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;

/**
 * One Jetty request and response seen through the {@link HttpExchange} API the handlers are written
 * against, so that they did not change when the listener did. The request body is read with a
 * deadline ({@link DeadlineBody}); the response headers are sent with the first body byte or at
 * {@link #close()}. Not thread-safe: one handler thread uses it.
 */
final class JettyExchange extends HttpExchange {
    private final org.eclipse.jetty.server.Request request;
    private final Response response;
    private final Headers requestHeaders = new Headers();
    private final Headers responseHeaders = new Headers();
    private final URI uri;
    private InputStream in;
    private OutputStream out;
    private int status = -1;
    private boolean bodyless;
    private boolean closed;

    private JettyExchange(org.eclipse.jetty.server.Request request, Response response, URI uri, Duration bodyTimeout) {
        this.request = request;
        this.response = response;
        this.uri = uri;
        for (HttpField f : request.getHeaders()) {
            requestHeaders.add(f.getName(), f.getValue());
        }
        this.in = new DeadlineBody(request, bodyTimeout);
    }

    /**
     * The exchange, or empty when the request target is not a valid URI (a raw '{', a bad '%' escape):
     * such a request is refused before any route sees it.
     */
    static Optional<JettyExchange> of(org.eclipse.jetty.server.Request request, Response response, Duration bodyTimeout) {
        String target = request.getHttpURI().getPath();
        String query = request.getHttpURI().getQuery();
        try {
            URI uri = new URI(query == null ? target : target + "?" + query);
            if (uri.getRawPath() == null || !uri.getRawPath().startsWith("/")) {
                return Optional.empty();
            }
            return Optional.of(new JettyExchange(request, response, uri, bodyTimeout));
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public Headers getRequestHeaders() {
        return requestHeaders;
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return uri;
    }

    @Override
    public String getRequestMethod() {
        return request.getMethod();
    }

    @Override
    public HttpContext getHttpContext() {
        throw new UnsupportedOperationException("no HttpContext behind a Jetty exchange");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (status < 0) {
                return; // never answered: the listener answers 500 for it
            }
            if (out != null) {
                out.close();
            } else {
                try (Blocker.Callback cb = Blocker.callback()) {
                    response.write(true, null, cb);
                    cb.block();
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public InputStream getRequestBody() {
        return in;
    }

    @Override
    public OutputStream getResponseBody() {
        if (out == null) {
            OutputStream sink = Content.Sink.asOutputStream(response);
            // like the JDK's server: a response sent without a body ignores what is written to it
            out = !bodyless ? sink : new java.io.FilterOutputStream(OutputStream.nullOutputStream()) {
                @Override
                public void close() throws IOException {
                    sink.close();
                }
            };
        }
        return out;
    }

    @Override
    public void sendResponseHeaders(int code, long length) throws IOException {
        if (status >= 0) {
            throw new IOException("headers already sent");
        }
        status = code;
        response.setStatus(code);
        for (Map.Entry<String, List<String>> e : responseHeaders.entrySet()) {
            for (String v : e.getValue()) {
                response.getHeaders().add(e.getKey(), v);
            }
        }
        bodyless = length < 0 || code == 204 || code == 304 || "HEAD".equals(request.getMethod());
        if (length > 0) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
        } else if (length < 0 && code != 204 && code != 304) {
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
        }
    }

    /** Whether a response has been started (headers handed to Jetty). */
    boolean answered() {
        return status >= 0;
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return socket(request.getConnectionMetaData().getRemoteSocketAddress());
    }

    @Override
    public int getResponseCode() {
        return status;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return socket(request.getConnectionMetaData().getLocalSocketAddress());
    }

    private static InetSocketAddress socket(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i : null;
    }

    @Override
    public String getProtocol() {
        return request.getConnectionMetaData().getProtocol();
    }

    @Override
    public Object getAttribute(String name) {
        return request.getAttribute(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        request.setAttribute(name, value);
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        if (i != null) {
            in = i;
        }
        if (o != null) {
            out = o;
        }
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return null;
    }
}

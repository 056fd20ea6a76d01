package dev.tally.server;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 listener: Jetty's core server (no servlets) on virtual threads, handing each request to
 * a dispatcher as an {@link HttpExchange}. It guarantees that every request gets an answer or a close,
 * in problem+json: a request Jetty refuses while parsing (a bad request line, headers or chunk), a
 * request target that is not a valid URI, a dispatcher that returns without answering or throws even an
 * {@link Error}; and that the exchange is always completed, so no connection or descriptor is left behind.
 * Deadlines: {@link HttpSettings}.
 */
final class HttpListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpListener.class);

    /** What handles each request; it should answer, and anything it leaves unanswered becomes a 500. */
    @FunctionalInterface
    interface Dispatcher {
        void dispatch(HttpExchange exchange) throws Exception;
    }

    private final Server server;
    private final ServerConnector connector;
    private final HeaderDeadline deadlines;
    private final HttpSettings settings;

    HttpListener(HttpSettings settings, int port, Dispatcher dispatcher) throws IOException {
        this.settings = settings;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("tally-http");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(64 * 1024);
        // routes match the raw, still percent-encoded path segments and decode parameters themselves, so no
        // normalisation of Jetty's is relied on; a target java.net.URI refuses is answered 400 problem+json below
        http.setUriCompliance(UriCompliance.UNSAFE);
        this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(settings.host());
        connector.setPort(port);
        connector.setAcceptQueueSize(512);
        connector.setIdleTimeout(settings.idleTimeout().toMillis());
        this.deadlines = new HeaderDeadline(settings.headerTimeout());
        connector.addBean(deadlines);
        server.addConnector(connector);
        server.setErrorHandler(HttpListener::refused);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                serve(dispatcher, request, response, callback);
                return true;
            }
        });
        server.setStopTimeout(1000);
        try {
            server.start();
        } catch (IOException e) {
            close();
            throw e;
        } catch (Exception e) {
            close();
            throw new IOException("cannot start the HTTP listener on " + settings.host() + ":" + port, e);
        }
    }

    int port() {
        return connector.getLocalPort();
    }

    /** The bound address as host:port ({@code [::]:8080} for IPv6). */
    String boundAddress() {
        String host = settings.host();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    private void serve(Dispatcher dispatcher, Request request, Response response, Callback callback) {
        Connection connection = request.getConnectionMetaData().getConnection();
        deadlines.handling(connection);
        try {
            Optional<JettyExchange> exchange = JettyExchange.of(request, response, settings.bodyTimeout());
            if (exchange.isEmpty()) {
                write(response, 400, "malformed-request", "Malformed request",
                        "the request target is not a valid URI path (a character such as '{' or '}' must be"
                                + " percent-encoded, and '%' must start a %XX escape)");
            } else {
                JettyExchange ex = exchange.get();
                try {
                    dispatcher.dispatch(ex);
                } catch (Throwable t) {
                    if (!ex.answered()) {
                        internal(response, t);
                    }
                }
                if (!ex.answered()) {
                    internal(response, new IllegalStateException("the handler returned without answering"));
                }
                ex.close();
            }
            callback.succeeded();
        } catch (Throwable t) {
            LOG.debug("could not complete a response", t);
            callback.failed(t);
        } finally {
            deadlines.rested(connection);
        }
    }

    private static void internal(Response response, Throwable t) throws IOException {
        String errorId = UUID.randomUUID().toString();
        LOG.error("unexpected error {} (not answered by its handler)", errorId, t);
        write(response, 500, "internal", "Internal error", "an unexpected error occurred; quote error id " + errorId);
    }

    /** Jetty's error handler: a request refused while parsing (or a failed response), as problem+json. */
    private static boolean refused(Request request, Response response, Callback callback) {
        Object s = request.getAttribute(ErrorHandler.ERROR_STATUS);
        int status = s instanceof Integer i ? i : 500;
        if (status >= 500 && request.getAttribute(ErrorHandler.ERROR_EXCEPTION) instanceof Throwable x
                && x instanceof org.eclipse.jetty.io.EofException) {
            // the client went away (or the connection was cut at a deadline): nobody to answer
            LOG.debug("connection closed before an answer", x);
            callback.failed(x);
            return true;
        }
        try {
            switch (status) {
                case 400 -> write(response, 400, "malformed-request", "Malformed request",
                        "the request is not valid HTTP/1.1: its request line (in the target a character such as '{'"
                                + " must be percent-encoded, and '%' must start a %XX escape), a header, or the body's"
                                + " framing");
                case 408 -> write(response, 408, "request-timeout", "Request timeout",
                        "the request did not arrive in time");
                case 413, 431 -> write(response, status, "request-too-large", "Request too large",
                        "the request's headers or body exceed the server's limits");
                case 414 -> write(response, 414, "request-too-large", "Request too large",
                        "the request target is too long");
                case 501 -> write(response, 501, "not-implemented", "Not implemented",
                        "the request uses an HTTP feature this server does not implement (e.g. a transfer coding"
                                + " other than chunked)");
                case 505 -> write(response, 505, "http-version-not-supported", "HTTP version not supported",
                        "send HTTP/1.1 (or HTTP/1.0)");
                default -> {
                    if (status >= 500) {
                        Object x = request.getAttribute(ErrorHandler.ERROR_EXCEPTION);
                        String errorId = UUID.randomUUID().toString();
                        LOG.error("unexpected error {} in the HTTP listener", errorId, x instanceof Throwable t ? t : null);
                        write(response, 500, "internal", "Internal error",
                                "an unexpected error occurred; quote error id " + errorId);
                    } else {
                        write(response, status, "malformed-request", "Malformed request", "the request was refused");
                    }
                }
            }
            callback.succeeded();
        } catch (Throwable t) {
            callback.failed(t);
        }
        return true;
    }

    /** A problem+json answer written straight to Jetty (no exchange), closing the connection after it. */
    private static void write(Response response, int status, String type, String title, String detail)
            throws IOException {
        String json = "{\"type\":\"" + Responses.PROBLEM_BASE + type + "\",\"title\":\"" + title + "\",\"status\":"
                + status + ",\"detail\":\"" + detail.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        try (org.eclipse.jetty.util.Blocker.Callback cb = org.eclipse.jetty.util.Blocker.callback()) {
            response.write(true, ByteBuffer.wrap(bytes), cb);
            cb.block();
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("stopping the HTTP listener", e);
        } finally {
            deadlines.close();
        }
    }
}

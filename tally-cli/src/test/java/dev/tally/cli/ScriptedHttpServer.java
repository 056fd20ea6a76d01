package dev.tally.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in HTTP server for client-behaviour tests (retries, splitting, exit
 * codes): each request is recorded and answered by a script. It is not Tally;
 * tests of what Tally answers run against the real server.
 */
final class ScriptedHttpServer implements AutoCloseable {
    /** One recorded request. */
    record Request(String method, String uri, String authorization, String contentType, String body) {
    }

    /** A scripted answer. */
    record Answer(int status, String body) {
    }

    /** Chooses the answer to the n-th request (0-based). */
    interface Script {
        Answer answer(int n, Request request);
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    ScriptedHttpServer(Script script) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> handle(exchange, script));
        server.start();
    }

    private synchronized void handle(HttpExchange exchange, Script script) throws IOException {
        try (exchange) {
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            int n = requests.size();
            requests.add(request);
            Answer answer = script.answer(n, request);
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> requests() {
        return requests;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

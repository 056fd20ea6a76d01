package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tally.core.event.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver on 127.0.0.1: records every request (method, path, headers in lower case, body) in
 * arrival order and answers from a script of responses (then 200): a status, a redirect, or a hang that
 * outlasts the sender's timeout (released when the receiver closes).
 */
final class WebhookReceiver implements AutoCloseable {
    /** One recorded request. */
    record Received(String method, String path, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String type() {
            return json().get("type").asText();
        }

        String id() {
            return headers.get("webhook-id");
        }
    }

    /** How to answer one request. */
    record Answer(int status, String location, boolean hangs) {
        static Answer status(int status) {
            return new Answer(status, null, false);
        }

        static Answer redirect(String location) {
            return new Answer(302, location, false);
        }

        static Answer hang() {
            return new Answer(200, null, true);
        }
    }

    private static final ObjectMapper MAPPER = Json.newMapper();

    private final HttpServer server;
    private final List<Received> received = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Deque<Answer> script = new ConcurrentLinkedDeque<>();
    private volatile Answer otherwise = Answer.status(200);
    private final CountDownLatch released = new CountDownLatch(1);

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** The URL of a path on this receiver, e.g. {@code url("/hooks")}. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Answers the next requests like this, in order. */
    WebhookReceiver then(Answer... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    /** Answers every request not scripted like this (200 unless set). */
    WebhookReceiver otherwise(Answer answer) {
        otherwise = answer;
        return this;
    }

    List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Waits (in real time) until {@code n} requests arrived, for a sender that runs on its own schedule. */
    List<Received> await(int n, java.time.Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        synchronized (received) {
            while (received.size() < n && System.nanoTime() < deadline) {
                received.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
            return List.copyOf(received);
        }
    }

    List<Received> received(String path) {
        return received().stream().filter(r -> r.path().equals(path)).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, String> headers = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
        synchronized (received) {
            received.add(new Received(ex.getRequestMethod(), ex.getRequestURI().getPath(), headers, body));
            received.notifyAll();
        }
        Answer a = script.poll();
        if (a == null) {
            a = otherwise;
        }
        if (a.hangs()) {
            try {
                released.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (a.location() != null) {
            ex.getResponseHeaders().set("Location", a.location());
        }
        ex.sendResponseHeaders(a.status(), -1);
        ex.close();
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
    }
}

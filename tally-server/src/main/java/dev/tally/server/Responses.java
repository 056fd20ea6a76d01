package dev.tally.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.tally.core.validation.FieldViolation;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes responses: JSON bodies and RFC 9457 problem details with stable type URIs. */
final class Responses {
    static final String PROBLEM_BASE = "https://tally.dev/problems/";

    private Responses() {
    }

    static void json(HttpExchange ex, int status, Object body, ObjectMapper mapper) throws IOException {
        send(ex, status, "application/json", mapper.writeValueAsBytes(body));
    }

    /** Sends a complete response; every response says {@code X-Content-Type-Options: nosniff}. */
    static void send(HttpExchange ex, int status, String contentType, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
        ex.close();
    }

    /** Sends a file as a complete response of its length (e.g. a spooled export), copied, never read whole. */
    static void sendFile(HttpExchange ex, int status, String contentType, java.nio.file.Path file) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        long size = java.nio.file.Files.size(file);
        ex.sendResponseHeaders(status, size == 0 ? -1 : size);
        if (size > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                java.nio.file.Files.copy(file, out);
            }
        }
        ex.close();
    }

    static void text(HttpExchange ex, int status, String contentType, String body) throws IOException {
        send(ex, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    static void problem(HttpExchange ex, HttpError e, ObjectMapper mapper) throws IOException {
        ObjectNode p = mapper.createObjectNode();
        p.put("type", PROBLEM_BASE + e.type);
        p.put("title", e.title);
        p.put("status", e.status);
        p.put("detail", e.getMessage());
        p.put("instance", ex.getRequestURI().getRawPath());
        if (!e.violations.isEmpty()) {
            ArrayNode errors = p.putArray("errors");
            for (FieldViolation v : e.violations) {
                errors.addObject().put("field", v.field()).put("message", v.message());
            }
        }
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (e.status == 413 || ex.getRequestHeaders().containsKey("Transfer-Encoding")
                || length != null && !length.trim().equals("0")) {
            // the request body may be unread: close rather than let the client reuse a confused connection
            ex.getResponseHeaders().set("Connection", "close");
        }
        send(ex, e.status, "application/problem+json", mapper.writeValueAsBytes(p));
    }
}

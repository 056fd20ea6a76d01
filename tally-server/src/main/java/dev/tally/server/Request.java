package dev.tally.server;

import com.sun.net.httpserver.HttpExchange;
import dev.tally.core.input.InstantInput;
import dev.tally.core.input.InvalidInputException;
import dev.tally.engine.Principal;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One HTTP request as handlers see it: path parameters, query parameters, principal and body. */
final class Request {
    final HttpExchange exchange;
    final Map<String, String> pathParams;
    final Map<String, List<String>> query;
    Principal principal;

    Request(HttpExchange exchange, Map<String, String> pathParams) {
        this.exchange = exchange;
        this.pathParams = pathParams;
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
    }

    static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("query", "is not correctly percent-encoded");
        }
    }

    String tenant() {
        return principal.tenant();
    }

    String path(String name) {
        return pathParams.get(name);
    }

    Optional<String> param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() || v.get(0).isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    List<String> params(String name) {
        return query.getOrDefault(name, List.of());
    }

    Optional<Instant> instant(String name) {
        return param(name).map(v -> {
            try {
                return InstantInput.parse(v);
            } catch (InvalidInputException e) {
                throw HttpError.badRequest(name, e.problem());
            }
        });
    }

    Optional<Integer> integer(String name, int min, int max) {
        return param(name).map(v -> {
            try {
                int i = Integer.parseInt(v);
                if (i < min || i > max) {
                    throw new NumberFormatException();
                }
                return i;
            } catch (NumberFormatException e) {
                throw HttpError.badRequest(name, "must be an integer from " + min + " to " + max);
            }
        });
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
    }

    /** The body, refusing more than {@code limit} bytes with a 413 that names the limit. */
    byte[] body(int limit) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > limit) {
                    throw tooLarge(limit);
                }
            } catch (NumberFormatException e) {
                throw HttpError.badRequest("Content-Length", "is not a number");
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw tooLarge(limit);
            }
            return bytes;
        }
    }

    private static HttpError tooLarge(int limit) {
        return new HttpError(413, "request-too-large", "Request too large",
                "the request body exceeds the limit of " + limit + " bytes");
    }
}

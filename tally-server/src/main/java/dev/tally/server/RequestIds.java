package dev.tally.server;

import com.sun.net.httpserver.HttpExchange;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The request id of every API request: the caller's {@code X-Request-Id} when it is 1 to 128 characters of
 * {@code [A-Za-z0-9._:-]}, else a new {@code req_<uuid>}; answered back in the {@code X-Request-Id} response header
 * and stored with the audit records the request wrote.
 */
final class RequestIds {
    static final String HEADER = "X-Request-Id";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() {
    }

    static String assign(HttpExchange ex) {
        String given = ex.getRequestHeaders().getFirst(HEADER);
        String id = given != null && VALID.matcher(given).matches() ? given : "req_" + UUID.randomUUID();
        ex.getResponseHeaders().set(HEADER, id);
        return id;
    }
}

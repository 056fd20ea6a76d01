package dev.tally.server;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One endpoint: a method, a path template such as {@code /v1/meters/{key}/usage},
 * the scope a key needs (empty for unauthenticated routes), the query parameters it accepts
 * (any other is refused before the handler runs) and the handler.
 */
record Route(String method, String template, Optional<String> scope, QueryParams query, Handler handler) {

    @FunctionalInterface
    interface Handler {
        void handle(Request request) throws Exception;
    }

    List<String> segments() {
        return List.of(template.substring(1).split("/"));
    }

    /** The path parameters if the (raw, still percent-encoded) path matches this template. */
    Optional<Map<String, String>> match(String[] rawSegments) {
        List<String> t = segments();
        if (t.size() != rawSegments.length) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < rawSegments.length; i++) {
            String ts = t.get(i);
            if (ts.startsWith("{")) {
                String v = Request.decode(rawSegments[i].replace("+", "%2B"));
                if (v.isEmpty()) {
                    return Optional.empty();
                }
                params.put(ts.substring(1, ts.length() - 1), v);
            } else if (!ts.equals(rawSegments[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }
}

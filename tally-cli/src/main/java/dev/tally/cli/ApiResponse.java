package dev.tally.cli;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** A response of the Tally API: status, body bytes and the Retry-After header if any. */
record ApiResponse(int status, byte[] body, Optional<String> retryAfter) {
    boolean ok() {
        return status >= 200 && status < 300;
    }

    String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The problem's {@code detail}, if the body is problem+json with a non-empty one; else null. */
    String detail() {
        try {
            var node = Jsons.MAPPER.readTree(text());
            if (node != null && node.isObject() && !node.path("detail").asText("").isEmpty()) {
                return node.get("detail").asText();
            }
        } catch (java.io.IOException notJson) {
            // no detail
        }
        return null;
    }

    /** A short description of an error response: the problem's detail or title if it has one. */
    String problem() {
        String text = text();
        try {
            var node = Jsons.MAPPER.readTree(text);
            if (node != null && node.isObject()) {
                String detail = node.path("detail").asText("");
                String title = node.path("title").asText("");
                if (!detail.isEmpty() || !title.isEmpty()) {
                    return status + " " + (title.isEmpty() ? detail : detail.isEmpty() ? title : title + ": " + detail);
                }
            }
        } catch (java.io.IOException notJson) {
            // fall through to the raw text
        }
        String shortened = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return status + (shortened.isBlank() ? "" : " " + shortened.strip());
    }
}

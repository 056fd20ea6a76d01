package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tally.core.event.Json;
import java.io.IOException;

/**
 * The one reader of JSON request bodies for every route except event ingestion (which streams through the
 * CloudEvents reader with the same rules). An empty body is an empty object; anything else must be exactly one JSON
 * value as {@link Json#readDocument} reads it: trailing data, a second document or a duplicate key is a 400
 * {@code malformed-body}, a string that is not valid Unicode or a number outside the decimal range a 400
 * {@code validation} naming the field.
 */
final class JsonBody {
    private JsonBody() {
    }

    /** The body (at most {@code limit} bytes) as one JSON value. */
    static JsonNode read(Request r, int limit) throws IOException {
        byte[] bytes = r.body(limit);
        if (bytes.length == 0) {
            return JsonNodeFactory.instance.objectNode();
        }
        return Json.readDocument(bytes);
    }

    /** The body as one JSON object; anything else is a 400 {@code malformed-body}. */
    static JsonNode object(Request r, int limit) throws IOException {
        JsonNode n = read(r, limit);
        if (!n.isObject()) {
            throw new HttpError(400, "malformed-body", "Malformed body", "the body must be a JSON object");
        }
        return n;
    }
}

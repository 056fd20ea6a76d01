package dev.tally.core.meter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.validation.FieldViolation;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON form of a {@link DurationSpec}: {@code {"key":"session_id","kind_path":"action","start":"start",
 * "stop":"stop","heartbeat":"heartbeat","timeout":"PT15M"}} ({@code start}, {@code stop} and {@code heartbeat}
 * default to those words). Reading adds every invalid field to the caller's list, prefixed {@code duration.}.
 */
final class DurationSpecJson {
    private static final Set<String> FIELDS = Set.of("key", "kind_path", "start", "stop", "heartbeat", "timeout");

    private DurationSpecJson() {
    }

    static Optional<DurationSpec> read(JsonNode n, List<FieldViolation> errors) {
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isObject()) {
            errors.add(new FieldViolation("duration", "must be an object with key, kind_path and timeout"));
            return Optional.empty();
        }
        int before = errors.size();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                errors.add(new FieldViolation("duration." + f, "unknown field"));
            }
        }
        Optional<DataPath> key = path(n, "key", errors);
        Optional<DataPath> kind = path(n, "kind_path", errors);
        String start = text(n, "start", errors).orElse("start");
        String stop = text(n, "stop", errors).orElse("stop");
        String heartbeat = text(n, "heartbeat", errors).orElse("heartbeat");
        Duration timeout = null;
        Optional<String> t = text(n, "timeout", errors);
        if (t.isEmpty()) {
            errors.add(new FieldViolation("duration.timeout", "is required (an ISO 8601 duration such as PT15M)"));
        } else {
            try {
                timeout = Duration.parse(t.get());
            } catch (DateTimeParseException e) {
                errors.add(new FieldViolation("duration.timeout", "must be an ISO 8601 duration such as PT15M"));
            }
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        try {
            return Optional.of(new DurationSpec(key.orElseThrow(), kind.orElseThrow(), start, stop, heartbeat, timeout));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldViolation("duration", e.getMessage()));
            return Optional.empty();
        }
    }

    private static Optional<DataPath> path(JsonNode n, String field, List<FieldViolation> errors) {
        Optional<String> text = text(n, field, errors);
        if (text.isEmpty()) {
            errors.add(new FieldViolation("duration." + field, "is required (a data path)"));
            return Optional.empty();
        }
        try {
            return Optional.of(DataPath.parse(text.get()));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldViolation("duration." + field, e.getMessage()));
            return Optional.empty();
        }
    }

    private static Optional<String> text(JsonNode n, String field, List<FieldViolation> errors) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            errors.add(new FieldViolation("duration." + field, "must be a string"));
            return Optional.empty();
        }
        return Optional.of(v.textValue());
    }

    static ObjectNode write(DurationSpec d) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("key", d.key().text());
        o.put("kind_path", d.kindPath().text());
        o.put("start", d.start());
        o.put("stop", d.stop());
        o.put("heartbeat", d.heartbeat());
        o.put("timeout", d.timeout().toString());
        return o;
    }
}

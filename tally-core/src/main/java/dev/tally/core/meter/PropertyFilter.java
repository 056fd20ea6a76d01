package dev.tally.core.meter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Set;

/** Keeps an event only when the value at {@code path} is one of {@code values} (compared as text). */
public record PropertyFilter(DataPath path, Set<String> values) {
    public PropertyFilter {
        Objects.requireNonNull(path);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a filter needs at least one value");
        }
        values = Set.copyOf(values);
    }

    public boolean matches(JsonNode data) {
        JsonNode v = path.lookup(data);
        return v != null && values.contains(DataPath.text(v));
    }
}

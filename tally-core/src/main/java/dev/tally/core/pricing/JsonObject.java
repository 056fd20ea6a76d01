package dev.tally.core.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.input.DecimalInput;
import dev.tally.core.input.InvalidInputException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the fields of one JSON object strictly: decimals from strings (or exact JSON numbers, never
 * through a double), unknown fields rejected, every error naming the field's path.
 */
final class JsonObject {
    /** At most this many digits before and after the decimal point, so no input can blow up arithmetic. */
    static final int MAX_DIGITS = DecimalInput.AMOUNTS.maxIntegerDigits();

    private final JsonNode node;
    private final String path;
    private final Set<String> read = new HashSet<>();

    private JsonObject(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The object at {@code path}; fails if the node is missing or not an object. */
    static JsonObject of(JsonNode node, String path) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            throw new InvalidPriceException(path, "is required");
        }
        if (!node.isObject()) {
            throw new InvalidPriceException(path, "must be a JSON object");
        }
        return new JsonObject(node, path);
    }

    String path(String field) {
        return PricingException.join(path, field);
    }

    boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    /** The raw value, or empty if missing or null; marks the field as known. */
    Optional<JsonNode> get(String field) {
        read.add(field);
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
    }

    String requiredText(String field) {
        JsonNode v = get(field).orElseThrow(() -> new InvalidPriceException(path(field), "is required"));
        if (!v.isTextual()) {
            throw new InvalidPriceException(path(field), "must be a string");
        }
        return v.textValue();
    }

    BigDecimal requiredDecimal(String field) {
        return optionalDecimal(field).orElseThrow(() -> new InvalidPriceException(path(field), "is required"));
    }

    BigDecimal decimal(String field, BigDecimal defaultValue) {
        return optionalDecimal(field).orElse(defaultValue);
    }

    Optional<BigDecimal> optionalDecimal(String field) {
        return get(field).map(v -> toDecimal(v, path(field)));
    }

    int nonNegativeInt(String field, int defaultValue) {
        Optional<BigDecimal> v = optionalDecimal(field);
        if (v.isEmpty()) {
            return defaultValue;
        }
        BigDecimal d = v.get();
        if (d.signum() < 0) {
            throw new InvalidPriceException(path(field), "must not be negative, got " + d.toPlainString());
        }
        if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
            throw new InvalidPriceException(path(field), "must be a whole number, got " + d.toPlainString());
        }
        if (d.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
            throw new InvalidPriceException(path(field), "is too large: " + d.toPlainString());
        }
        return d.intValueExact();
    }

    /** The elements of an array field, or fails if it is missing or not an array. */
    List<JsonNode> requiredArray(String field) {
        JsonNode v = get(field).orElseThrow(() -> new InvalidPriceException(path(field), "is required"));
        if (!v.isArray()) {
            throw new InvalidPriceException(path(field), "must be a JSON array");
        }
        List<JsonNode> out = new ArrayList<>();
        v.elements().forEachRemaining(out::add);
        return out;
    }

    /** Fails on the first field that was never read: a typo must not silently become a default. */
    void rejectUnknownFields() {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!read.contains(name)) {
                throw new InvalidPriceException(path(name), "is not a known field");
            }
        }
    }

    /**
     * A decimal from a JSON string ("12.50") or an exact JSON number: an integer, or a number parsed as
     * {@code BigDecimal} (mapper with {@code USE_BIG_DECIMAL_FOR_FLOATS}), within {@link DecimalInput#AMOUNTS}. A
     * number already held as a {@code double} is refused: its exact digits are lost.
     */
    static BigDecimal toDecimal(JsonNode v, String path) {
        try {
            return DecimalInput.of(v, DecimalInput.AMOUNTS);
        } catch (InvalidInputException e) {
            throw new InvalidPriceException(path, e.problem());
        }
    }
}

package dev.tally.core.meter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.input.DecimalInput;
import dev.tally.core.input.InvalidInputException;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A dotted path into an event's {@code data} object, e.g. {@code usage.tokens}
 * (a leading {@code $.} is accepted and dropped). Also the one place that
 * decides what counts as a number (a JSON number, or a string holding a decimal)
 * (within {@link DecimalInput#MEASUREMENTS}) and what a value's text is (for filters, group-by and unique counts).
 */
public record DataPath(String text, List<String> segments) {

    public DataPath {
        if (segments.isEmpty() || segments.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a data path needs non-empty segments separated by dots");
        }
        segments = List.copyOf(segments);
    }

    /** Parses {@code a.b.c} or {@code $.a.b.c}; throws IllegalArgumentException when a segment is empty. */
    public static DataPath parse(String text) {
        String t = text.startsWith("$.") ? text.substring(2) : text;
        if (t.isEmpty() || t.length() > 256) {
            throw new IllegalArgumentException("a data path must have 1 to 256 characters");
        }
        return new DataPath(t, Arrays.asList(t.split("\\.", -1)));
    }

    /** The node at this path, if every step exists. */
    public Optional<JsonNode> find(JsonNode root) {
        return Optional.ofNullable(lookup(root));
    }

    JsonNode lookup(JsonNode root) {
        JsonNode node = root;
        for (int i = 0, n = segments.size(); i < n && node != null; i++) {
            node = node.isObject() ? node.get(segments.get(i)) : null;
        }
        return node == null || node.isNull() || node.isMissingNode() ? null : node;
    }

    /** The exact number a node holds: a JSON number or a string that is a plain decimal; never via double. */
    public static Optional<BigDecimal> number(JsonNode node) {
        try {
            if (node.isTextual()) {
                return Optional.of(DecimalInput.parse(node.textValue().trim(), DecimalInput.MEASUREMENTS));
            }
            if (node.isBigDecimal() || node.isIntegralNumber()) {
                return Optional.of(DecimalInput.of(node, DecimalInput.MEASUREMENTS));
            }
        } catch (InvalidInputException e) {
            // not a number Tally takes (not a decimal, or outside the range): not numeric
        }
        return Optional.empty();
    }

    /** The text a value is compared, grouped and counted by: strings as-is, numbers normalised (1.0 = 1). */
    public static String text(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isNumber()) {
            return number(node).map(d -> d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString())
                    .orElse(node.asText());
        }
        if (node.isBoolean()) {
            return node.asText();
        }
        return node.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}

package dev.tally.core.expression;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A path into the event's {@code data} object: one object key per segment,
 * outermost first. Segments are non-empty; {@link #text()} is the canonical
 * source spelling (plain identifiers bare, anything else back-quoted with
 * back-quotes doubled), which parses back to the same path.
 */
record FieldPath(List<String> segments) {

    FieldPath {
        segments = List.copyOf(segments);
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a field path needs at least one segment");
        }
        for (String segment : segments) {
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("field path segments must not be empty");
            }
        }
    }

    /**
     * The value at this path, never {@code null}: an absent key, a JSON
     * {@code null}, or stepping into something that is not an object all count as
     * missing.
     */
    JsonNode resolve(JsonNode data) {
        JsonNode node = data;
        for (int i = 0, n = segments.size(); i < n; i++) {
            node = node.get(segments.get(i));
            if (node == null || node.isNull()) {
                throw ExpressionEvaluationException.missingField(this);
            }
        }
        return node;
    }

    String text() {
        StringBuilder text = new StringBuilder();
        for (String segment : segments) {
            if (!text.isEmpty()) {
                text.append('.');
            }
            if (isIdentifier(segment)) {
                text.append(segment);
            } else {
                text.append('`').append(segment.replace("`", "``")).append('`');
            }
        }
        return text.toString();
    }

    static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || (c >= '0' && c <= '9');
    }

    private static boolean isIdentifier(String s) {
        if (!isIdentifierStart(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            if (!isIdentifierPart(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}

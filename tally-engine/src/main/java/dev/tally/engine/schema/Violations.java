package dev.tally.engine.schema;

import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import java.util.List;

/**
 * The rejection detail of an event whose data a schema refused: each failure as
 * {@code $.data.tokens: type: string found, integer expected}, the first {@value #SHOWN} of them, then how many more,
 * then the version, e.g. {@code (schema v3)}. Bounded in size whatever the event or the schema holds.
 */
final class Violations {
    static final int SHOWN = 3;
    private static final int MAX_PART_CHARS = 200;

    private Violations() {
    }

    static String detail(List<com.networknt.schema.Error> errors, int version) {
        StringBuilder b = new StringBuilder();
        int shown = Math.min(SHOWN, errors.size());
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                b.append("; ");
            }
            com.networknt.schema.Error e = errors.get(i);
            b.append(clip(path(e))).append(": ").append(e.getKeyword()).append(": ").append(clip(e.getMessage()));
        }
        if (errors.size() > shown) {
            b.append("; and ").append(errors.size() - shown).append(" more");
        }
        return b.append(" (schema v").append(version).append(')').toString();
    }

    /**
     * Where the failure is, as a JSON path into the event ({@code $.data...}); for keywords about one named property
     * ({@code required}, {@code additionalProperties}, ...) the path ends at that property.
     */
    static String path(com.networknt.schema.Error e) {
        StringBuilder b = new StringBuilder("$.data");
        NodePath at = e.getInstanceLocation();
        for (int i = 0; i < at.getNameCount(); i++) {
            Object element = at.getElement(i);
            if (element instanceof Integer index) {
                PathType.JSON_PATH.append(b, index);
            } else {
                PathType.JSON_PATH.append(b, String.valueOf(element));
            }
        }
        if (e.getProperty() != null) {
            PathType.JSON_PATH.append(b, e.getProperty());
        }
        return b.toString();
    }

    private static String clip(String s) {
        return s.length() <= MAX_PART_CHARS ? s : s.substring(0, MAX_PART_CHARS) + "...";
    }
}

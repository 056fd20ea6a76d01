package dev.tally.core.meter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.aggregate.PersistentMeasure;
import dev.tally.core.validation.FieldViolation;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The {@code persistent} object of a meter's JSON: {@code {"operation_path":"operation_type",
 * "measure":"prorated_by_day"}}, both optional. It is allowed only with {@code "aggregation":
 * "persistent_count"}; unknown fields are rejected.
 */
final class PersistentCountJson {
    static final String FIELD = "persistent";

    private PersistentCountJson() {
    }

    /** The configuration of a meter version, or empty when the aggregation is not a persistent count. */
    static Optional<PersistentCount> read(JsonNode body, Aggregation aggregation, List<FieldViolation> errors) {
        JsonNode n = body.get(FIELD);
        boolean given = n != null && !n.isNull();
        if (aggregation != Aggregation.PERSISTENT_COUNT) {
            if (given && aggregation != null) {
                errors.add(new FieldViolation(FIELD, "applies to persistent_count only"));
            }
            return Optional.empty();
        }
        if (!given) {
            return Optional.of(PersistentCount.DEFAULT);
        }
        if (!n.isObject()) {
            errors.add(new FieldViolation(FIELD, "must be an object with operation_path and measure"));
            return Optional.of(PersistentCount.DEFAULT);
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("operation_path") && !f.equals("measure")) {
                errors.add(new FieldViolation(FIELD + "." + f, "unknown field"));
            }
        }
        DataPath operation = PersistentCount.DEFAULT.operationPath();
        JsonNode op = n.get("operation_path");
        if (op != null && !op.isNull()) {
            if (!op.isTextual()) {
                errors.add(new FieldViolation(FIELD + ".operation_path", "must be a string"));
            } else {
                try {
                    operation = DataPath.parse(op.textValue());
                } catch (IllegalArgumentException e) {
                    errors.add(new FieldViolation(FIELD + ".operation_path", e.getMessage()));
                }
            }
        }
        PersistentMeasure measure = PersistentCount.DEFAULT.measure();
        JsonNode m = n.get("measure");
        if (m != null && !m.isNull()) {
            Optional<PersistentMeasure> parsed = m.isTextual()
                    ? PersistentMeasure.fromWireName(m.textValue()) : Optional.empty();
            if (parsed.isEmpty()) {
                errors.add(new FieldViolation(FIELD + ".measure", "must be one of " + Arrays.stream(
                        PersistentMeasure.values()).map(PersistentMeasure::wireName).collect(Collectors.joining(", "))));
            } else {
                measure = parsed.get();
            }
        }
        return Optional.of(new PersistentCount(operation, measure));
    }

    static void write(Meter m, ObjectNode o) {
        m.persistent().ifPresent(p -> {
            ObjectNode po = o.putObject(FIELD);
            po.put("operation_path", p.operationPath().text());
            po.put("measure", p.measure().wireName());
        });
    }
}

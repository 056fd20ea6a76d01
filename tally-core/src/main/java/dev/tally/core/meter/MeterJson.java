package dev.tally.core.meter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.aggregate.Aggregation;
import dev.tally.core.aggregate.TimeUnitOfMeasure;
import dev.tally.core.expression.Expression;
import dev.tally.core.expression.InvalidExpressionException;
import dev.tally.core.input.InstantInput;
import dev.tally.core.input.InvalidInputException;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON form of a meter (API.md's shape, snake_case), both ways. Reading
 * collects every invalid field before failing with a
 * {@link ValidationException}; unknown fields are rejected so typos never pass
 * silently.
 */
public final class MeterJson {
    private static final Set<String> FIELDS = Set.of("key", "name", "event_type", "aggregation", "value_path",
            "expression", "filters", "group_by", "time_unit", "effective_from", "version", "rounding", PersistentCountJson.FIELD,
            "duration");

    private MeterJson() {
    }

    /**
     * Reads a definition. {@code keyFromPath} is the key when it comes from the URL (a body key must then match);
     * the effective time defaults to {@code defaultFrom}.
     */
    public static Meter read(JsonNode body, Optional<String> keyFromPath, int version, Instant defaultFrom) {
        List<FieldViolation> errors = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw new ValidationException("body", "must be a JSON object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                errors.add(new FieldViolation(f, "unknown field"));
            }
        }
        String key = text(body, "key", errors).orElse(keyFromPath.orElse(null));
        if (keyFromPath.isPresent() && key != null && !key.equals(keyFromPath.get())) {
            errors.add(new FieldViolation("key", "must match the key in the URL"));
        }
        if (key == null) {
            errors.add(new FieldViolation("key", "is required"));
        } else if (!Meter.KEY.matcher(key).matches()) {
            errors.add(new FieldViolation("key", "must be 1-64 lowercase letters, digits, '_', '.' or '-'"));
        }
        String eventType = text(body, "event_type", errors).orElse(null);
        if (eventType == null || eventType.isBlank()) {
            errors.add(new FieldViolation("event_type", "is required"));
        }
        Aggregation aggregation = null;
        Optional<String> agg = text(body, "aggregation", errors);
        if (agg.isEmpty()) {
            errors.add(new FieldViolation("aggregation", "is required"));
        } else {
            aggregation = Aggregation.fromWireName(agg.get()).orElse(null);
            if (aggregation == null) {
                errors.add(new FieldViolation("aggregation", "must be one of " + java.util.Arrays.stream(
                        Aggregation.values()).map(Aggregation::wireName).collect(java.util.stream.Collectors.joining(", "))));
            }
        }
        Optional<DataPath> valuePath = text(body, "value_path", errors).flatMap(p -> path(p, "value_path", errors));
        Optional<Expression> expression = Optional.empty();
        Optional<String> expr = text(body, "expression", errors);
        if (expr.isPresent()) {
            try {
                expression = Optional.of(Expression.parse(expr.get()));
            } catch (InvalidExpressionException e) {
                errors.add(new FieldViolation("expression", e.getMessage()));
            }
        }
        List<PropertyFilter> filters = new ArrayList<>();
        JsonNode f = body.get("filters");
        if (f != null && !f.isNull()) {
            if (!f.isObject()) {
                errors.add(new FieldViolation("filters", "must be an object of path -> list of values"));
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String field = "filters." + e.getKey();
                    Set<String> values = new LinkedHashSet<>();
                    JsonNode v = e.getValue();
                    if (v.isArray()) {
                        v.forEach(x -> values.add(x.isValueNode() ? DataPath.text(x) : x.toString()));
                    } else if (v.isValueNode() && !v.isNull()) {
                        values.add(DataPath.text(v));
                    }
                    if (values.isEmpty()) {
                        errors.add(new FieldViolation(field, "must be a non-empty list of values"));
                        continue;
                    }
                    path(e.getKey(), field, errors).ifPresent(p -> filters.add(new PropertyFilter(p, values)));
                }
            }
        }
        List<DataPath> groupBy = new ArrayList<>();
        JsonNode g = body.get("group_by");
        if (g != null && !g.isNull()) {
            if (!g.isArray()) {
                errors.add(new FieldViolation("group_by", "must be a list of data paths"));
            } else {
                for (int i = 0; i < g.size(); i++) {
                    if (!g.get(i).isTextual()) {
                        errors.add(new FieldViolation("group_by[" + i + "]", "must be a string"));
                    } else {
                        path(g.get(i).textValue(), "group_by[" + i + "]", errors).ifPresent(groupBy::add);
                    }
                }
                if (groupBy.stream().map(DataPath::text).distinct().count() != groupBy.size()) {
                    errors.add(new FieldViolation("group_by", "must not repeat a dimension"));
                }
            }
        }
        TimeUnitOfMeasure unit = TimeUnitOfMeasure.HOUR;
        Optional<String> tu = text(body, "time_unit", errors);
        if (tu.isPresent()) {
            unit = TimeUnitOfMeasure.fromWireName(tu.get()).orElse(null);
            if (unit == null) {
                errors.add(new FieldViolation("time_unit", "must be one of second, minute, hour, day"));
                unit = TimeUnitOfMeasure.HOUR;
            }
        }
        if (aggregation != Aggregation.TIME_WEIGHTED_SUM && aggregation != Aggregation.DURATION) {
            if (tu.isPresent() && aggregation != null && TimeUnitOfMeasure.fromWireName(tu.get()).isPresent()) {
                errors.add(new FieldViolation("time_unit", "applies to time_weighted_sum and duration only"));
            }
            unit = TimeUnitOfMeasure.HOUR;
        }
        Instant from = defaultFrom;
        Optional<String> ef = text(body, "effective_from", errors);
        if (ef.isPresent()) {
            try {
                from = InstantInput.parse(ef.get());
            } catch (InvalidInputException e) {
                errors.add(new FieldViolation("effective_from", e.problem()));
            }
        }
        Optional<AggregateRounding> rounding = rounding(body.get("rounding"), errors);
        Optional<PersistentCount> persistent = PersistentCountJson.read(body, aggregation, errors);
        Optional<DurationSpec> duration = DurationSpecJson.read(body.get("duration"), errors);
        if (aggregation == Aggregation.DURATION && duration.isEmpty() && !body.hasNonNull("duration")) {
            errors.add(new FieldViolation("duration", "is required for the duration aggregation"));
        }
        String name = text(body, "name", errors).orElse(key);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        try {
            return new Meter(key, version, name, eventType, aggregation, valuePath, expression, filters, groupBy,
                    unit, from, rounding, persistent, duration);
        } catch (IllegalArgumentException e) {
            throw new ValidationException("body", e.getMessage());
        }
    }

    private static Optional<AggregateRounding> rounding(JsonNode n, List<FieldViolation> errors) {
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isObject()) {
            errors.add(new FieldViolation("rounding", "must be an object with mode and precision"));
            return Optional.empty();
        }
        int before = errors.size();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("mode") && !f.equals("precision")) {
                errors.add(new FieldViolation("rounding." + f, "unknown field"));
            }
        }
        JsonNode m = n.get("mode");
        Optional<AggregateRounding.Mode> mode = m != null && m.isTextual()
                ? AggregateRounding.Mode.fromWireName(m.textValue()) : Optional.empty();
        if (mode.isEmpty()) {
            errors.add(new FieldViolation("rounding.mode", "must be one of round, ceil, floor"));
        }
        JsonNode p = n.get("precision");
        int precision = 0;
        if (p != null && !p.isNull()) {
            if (!p.isIntegralNumber() || !p.canConvertToInt()
                    || p.intValue() < AggregateRounding.MIN_PRECISION || p.intValue() > AggregateRounding.MAX_PRECISION) {
                errors.add(new FieldViolation("rounding.precision", "must be an integer between "
                        + AggregateRounding.MIN_PRECISION + " and " + AggregateRounding.MAX_PRECISION));
            } else {
                precision = p.intValue();
            }
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new AggregateRounding(mode.orElseThrow(), precision));
    }

    private static Optional<String> text(JsonNode body, String field, List<FieldViolation> errors) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            errors.add(new FieldViolation(field, "must be a string"));
            return Optional.empty();
        }
        return Optional.of(n.textValue());
    }

    private static Optional<DataPath> path(String text, String field, List<FieldViolation> errors) {
        try {
            return Optional.of(DataPath.parse(text));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldViolation(field, e.getMessage()));
            return Optional.empty();
        }
    }

    /** The API representation of one version. */
    public static ObjectNode write(Meter m) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("key", m.key());
        o.put("version", m.version());
        o.put("name", m.name());
        o.put("event_type", m.eventType());
        o.put("aggregation", m.aggregation().wireName());
        m.valuePath().ifPresent(p -> o.put("value_path", p.text()));
        m.expression().ifPresent(e -> o.put("expression", e.source()));
        ObjectNode filters = o.putObject("filters");
        for (PropertyFilter f : m.filters()) {
            ArrayNode values = filters.putArray(f.path().text());
            f.values().stream().sorted().forEach(values::add);
        }
        ArrayNode groupBy = o.putArray("group_by");
        m.groupBy().forEach(p -> groupBy.add(p.text()));
        if (m.aggregation() == Aggregation.TIME_WEIGHTED_SUM || m.aggregation() == Aggregation.DURATION) {
            o.put("time_unit", m.timeUnit().wireName());
        }
        m.duration().ifPresent(d -> o.set("duration", DurationSpecJson.write(d)));
        o.put("effective_from", m.effectiveFrom().toString());
        m.rounding().ifPresent(r -> {
            ObjectNode ro = o.putObject("rounding");
            ro.put("mode", r.mode().wireName());
            ro.put("precision", r.precision());
        });
        PersistentCountJson.write(m, o);
        return o;
    }
}

package dev.tally.core.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.input.DecimalInput;
import dev.tally.core.input.InvalidInputException;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON form of an {@link AlertRule}:
 * <pre>{@code
 * {"customer":"acme","metric":"usage","meter":"tokens","thresholds":["1000","5000"]}
 * {"plan":"pro","metric":"usage","meter":"tokens","of":"included"}                 (80, 95 and 100 %)
 * {"customer":"acme","metric":"spend","percent_thresholds":["50","100"],"of":"budget","budget":"100.00"}
 * }</pre>
 * Exactly one of {@code customer} and {@code plan}; {@code metric} {@code usage} (with {@code meter}) or
 * {@code spend}; absolute {@code thresholds}, or {@code percent_thresholds} with {@code of} ({@code included} or
 * {@code budget} with {@code budget}); {@code of} without {@code percent_thresholds} means 80, 95 and 100 percent.
 * Optional {@code name}. Reading is strict like {@link PlanJson}; writing emits every field, {@code null} for absent
 * ones, and {@code read(write(r))} equals {@code r}.
 */
public final class AlertRuleJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> FIELDS = Set.of("name", "customer", "plan", "metric", "meter", "thresholds",
            "percent_thresholds", "of", "budget");

    private AlertRuleJson() {
    }

    /**
     * Reads an alert definition.
     *
     * @throws ValidationException listing every invalid field
     */
    public static AlertRule read(JsonNode body) {
        List<FieldViolation> errors = new ArrayList<>();
        JsonFields o = JsonFields.object(body, "", FIELDS, errors).orElseThrow(() -> new ValidationException(errors));
        Optional<String> name = o.nonBlankText("name");
        Optional<String> customer = o.text("customer");
        Optional<String> plan = o.text("plan");
        boolean hasCustomer = o.node("customer").isPresent();
        boolean hasPlan = o.node("plan").isPresent();
        if (hasCustomer && hasPlan) {
            o.error("plan", "cannot be given with \"customer\": an alert watches one customer or every subscription of a plan");
        } else if (!hasCustomer && !hasPlan) {
            o.error("customer", "is required (or \"plan\", for every subscription of a plan)");
        }
        Optional<AlertRule.Metric> metric = o.requiredText("metric").flatMap(t -> {
            Optional<AlertRule.Metric> m = AlertRule.Metric.fromWireName(t);
            if (m.isEmpty()) {
                o.error("metric", "must be \"usage\" or \"spend\", got \"" + t + "\"");
            }
            return m;
        });
        Optional<String> meter = o.text("meter");
        Optional<List<BigDecimal>> absolute = decimals(o, "thresholds");
        Optional<List<BigDecimal>> percents = decimals(o, "percent_thresholds");
        Optional<AlertRule.PercentOf> of = o.text("of").flatMap(t -> {
            Optional<AlertRule.PercentOf> b = AlertRule.PercentOf.fromWireName(t);
            if (b.isEmpty()) {
                o.error("of", "must be \"included\" or \"budget\", got \"" + t + "\"");
            }
            return b;
        });
        Optional<BigDecimal> budget = o.decimal("budget");
        if (absolute.isPresent() && (percents.isPresent() || o.node("of").isPresent())) {
            o.error("thresholds", "are absolute values; for percentages use \"percent_thresholds\" with \"of\"");
        }
        if (percents.isPresent() && o.node("of").isEmpty()) {
            o.error("of", "is required with percent_thresholds: \"included\" or \"budget\"");
        }
        if (absolute.isEmpty() && percents.isEmpty() && o.node("of").isEmpty()
                && o.node("thresholds").isEmpty() && o.node("percent_thresholds").isEmpty()) {
            o.error("thresholds", "are required: absolute \"thresholds\", or \"percent_thresholds\" with \"of\" "
                    + "(\"of\" alone means 80, 95 and 100 percent)");
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        List<BigDecimal> thresholds = absolute.orElse(percents.orElse(AlertRule.DEFAULT_PERCENTS));
        try {
            return new AlertRule(name, customer.isPresent() ? AlertRule.Scope.CUSTOMER : AlertRule.Scope.PLAN,
                    customer.orElseGet(plan::orElseThrow), metric.orElseThrow(), meter, thresholds, of, budget);
        } catch (InvalidBillingException e) {
            throw new ValidationException(e.field().isEmpty() ? "body" : e.field(), e.problem());
        }
    }

    /** Writes an alert definition (every field; {@code null} where absent). */
    public static ObjectNode write(AlertRule r) {
        ObjectNode o = NODES.objectNode();
        put(o, "name", r.name());
        put(o, "customer", r.scope() == AlertRule.Scope.CUSTOMER ? Optional.of(r.scopeId()) : Optional.empty());
        put(o, "plan", r.scope() == AlertRule.Scope.PLAN ? Optional.of(r.scopeId()) : Optional.empty());
        o.put("metric", r.metric().wireName());
        put(o, "meter", r.meter());
        ArrayNode list = NODES.arrayNode();
        r.thresholds().forEach(t -> list.add(t.toPlainString()));
        if (r.percent()) {
            o.putNull("thresholds");
            o.set("percent_thresholds", list);
        } else {
            o.set("thresholds", list);
            o.putNull("percent_thresholds");
        }
        put(o, "of", r.percentOf().map(AlertRule.PercentOf::wireName));
        put(o, "budget", r.budget().map(BigDecimal::toPlainString));
        return o;
    }

    private static void put(ObjectNode o, String field, Optional<String> value) {
        if (value.isPresent()) {
            o.put(field, value.get());
        } else {
            o.putNull(field);
        }
    }

    /** A list of decimals (strings or exact JSON numbers); empty (reported) when it is not one. */
    private static Optional<List<BigDecimal>> decimals(JsonFields o, String field) {
        Optional<List<JsonNode>> nodes = o.array(field);
        if (nodes.isEmpty()) {
            return Optional.empty();
        }
        List<BigDecimal> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < nodes.get().size(); i++) {
            JsonNode n = nodes.get().get(i);
            String path = field + "[" + i + "]";
            try {
                out.add(DecimalInput.of(n, DecimalInput.AMOUNTS));
            } catch (InvalidInputException e) {
                o.error(path, n.isTextual() || n.isNumber() ? e.problem()
                        : "must be a decimal string like \"80\" or \"1000.5\"");
                ok = false;
            }
        }
        return ok ? Optional.of(out) : Optional.empty();
    }
}

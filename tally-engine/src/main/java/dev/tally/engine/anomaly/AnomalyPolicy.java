package dev.tally.engine.anomaly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.validation.ValidationException;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;

/**
 * A tenant's detection thresholds and hold (docs/ANOMALIES.md gives each default's rationale). Rates: a spike is an
 * hour with at least {@code spikeMinEvents} events, at least {@code spikeRatio} times the baseline and
 * {@code spikeZ} robust deviations above it; a stop is {@code stopHours} completed hours without events where the
 * baseline expected at least {@code stopMinExpected} each. Storms: in an evaluation minute with at least
 * {@code stormMinEvents} events, a duplicate or rejected share of at least {@code stormRatio} and
 * {@code stormFactor} times the source's normal share. A new source raises once it sent
 * {@code newSourceMinEvents} in its first hour; skew: at least {@code skewMinEvents} events in a minute, a share of
 * {@code skewRatio} of them far in time; a key raises when it sent for {@code keyNewCustomers} customers it never
 * sent for within an hour.
 */
public record AnomalyPolicy(HoldAction hold, BigDecimal spikeRatio, BigDecimal spikeZ, int spikeMinEvents,
        int stopHours, int stopMinExpected, BigDecimal stormRatio, BigDecimal stormFactor, int stormMinEvents,
        int newSourceMinEvents, BigDecimal skewRatio, int skewMinEvents, int keyNewCustomers) {
    /** The defaults: no hold, and the thresholds docs/ANOMALIES.md measured. */
    public static final AnomalyPolicy DEFAULTS = new AnomalyPolicy(HoldAction.NONE, new BigDecimal("5"),
            new BigDecimal("6"), 100, 3, 20, new BigDecimal("0.5"), new BigDecimal("5"), 100, 1000,
            new BigDecimal("0.5"), 100, 10);

    private static final Set<String> FIELDS = Set.of("hold", "spike_ratio", "spike_z", "spike_min_events",
            "stop_hours", "stop_min_expected", "storm_ratio", "storm_factor", "storm_min_events",
            "new_source_min_events", "skew_ratio", "skew_min_events", "key_new_customers");

    public AnomalyPolicy {
        Objects.requireNonNull(hold);
        atLeast("spike_ratio", spikeRatio, "1.5");
        atLeast("spike_z", spikeZ, "2");
        atLeast("spike_min_events", spikeMinEvents, 1);
        if (stopHours < 1 || stopHours > 48) {
            throw new ValidationException("stop_hours", "must be from 1 to 48");
        }
        atLeast("stop_min_expected", stopMinExpected, 1);
        share("storm_ratio", stormRatio);
        atLeast("storm_factor", stormFactor, "1");
        atLeast("storm_min_events", stormMinEvents, 1);
        atLeast("new_source_min_events", newSourceMinEvents, 1);
        share("skew_ratio", skewRatio);
        atLeast("skew_min_events", skewMinEvents, 1);
        atLeast("key_new_customers", keyNewCustomers, 1);
    }

    /** Reads a policy: the fields given replace the defaults; an unknown field or a bad value is a 400. */
    public static AnomalyPolicy read(JsonNode body) {
        if (!body.isObject()) {
            throw new ValidationException("body", "must be a JSON object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new ValidationException(f, "is not a field of the anomaly policy");
            }
        }
        AnomalyPolicy d = DEFAULTS;
        HoldAction hold = d.hold;
        if (body.has("hold")) {
            hold = HoldAction.fromWireName(body.get("hold").asText(""))
                    .orElseThrow(() -> new ValidationException("hold", "must be none, draft_hold or entitlement_cut"));
        }
        return new AnomalyPolicy(hold, decimal(body, "spike_ratio", d.spikeRatio), decimal(body, "spike_z", d.spikeZ),
                integer(body, "spike_min_events", d.spikeMinEvents), integer(body, "stop_hours", d.stopHours),
                integer(body, "stop_min_expected", d.stopMinExpected), decimal(body, "storm_ratio", d.stormRatio),
                decimal(body, "storm_factor", d.stormFactor), integer(body, "storm_min_events", d.stormMinEvents),
                integer(body, "new_source_min_events", d.newSourceMinEvents), decimal(body, "skew_ratio", d.skewRatio),
                integer(body, "skew_min_events", d.skewMinEvents),
                integer(body, "key_new_customers", d.keyNewCustomers));
    }

    /** The policy as the API shows (and stores) it. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("hold", hold.wireName());
        o.put("spike_ratio", spikeRatio.toPlainString());
        o.put("spike_z", spikeZ.toPlainString());
        o.put("spike_min_events", spikeMinEvents);
        o.put("stop_hours", stopHours);
        o.put("stop_min_expected", stopMinExpected);
        o.put("storm_ratio", stormRatio.toPlainString());
        o.put("storm_factor", stormFactor.toPlainString());
        o.put("storm_min_events", stormMinEvents);
        o.put("new_source_min_events", newSourceMinEvents);
        o.put("skew_ratio", skewRatio.toPlainString());
        o.put("skew_min_events", skewMinEvents);
        o.put("key_new_customers", keyNewCustomers);
        return o;
    }

    private static BigDecimal decimal(JsonNode body, String field, BigDecimal fallback) {
        JsonNode v = body.get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isNumber() && !v.isTextual()) {
            throw new ValidationException(field, "must be a decimal number");
        }
        try {
            return new BigDecimal(v.asText().trim());
        } catch (NumberFormatException e) {
            throw new ValidationException(field, "must be a decimal number");
        }
    }

    private static int integer(JsonNode body, String field, int fallback) {
        JsonNode v = body.get(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ValidationException(field, "must be a whole number");
        }
        return v.intValue();
    }

    private static void atLeast(String field, BigDecimal v, String min) {
        Objects.requireNonNull(v, field);
        if (v.compareTo(new BigDecimal(min)) < 0 || v.compareTo(new BigDecimal("1000000")) > 0) {
            throw new ValidationException(field, "must be from " + min + " to 1000000");
        }
    }

    private static void atLeast(String field, int v, int min) {
        if (v < min) {
            throw new ValidationException(field, "must be at least " + min);
        }
    }

    private static void share(String field, BigDecimal v) {
        Objects.requireNonNull(v, field);
        if (v.signum() <= 0 || v.compareTo(BigDecimal.ONE) > 0) {
            throw new ValidationException(field, "must be a share above 0 and at most 1");
        }
    }
}

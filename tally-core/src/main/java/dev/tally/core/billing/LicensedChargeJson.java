package dev.tally.core.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.pricing.InvalidPriceException;
import dev.tally.core.pricing.PriceModel;
import dev.tally.core.pricing.PriceModelJson;
import dev.tally.core.validation.FieldViolation;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON form of a {@link LicensedCharge} inside a plan's {@code charges}:
 * <pre>{@code
 * {"key":"seats","type":"licensed","name":"Seats","price":{"model":"unit","unit_price":"10"},
 *  "timing":"in_advance","quantity":{"source":"api"},"increase":"immediate","decrease":"credit"}
 * {"key":"users","type":"licensed","name":"Active users","price":{"model":"unit","unit_price":"4"},
 *  "quantity":{"source":"meter","meter":"active_users"}}
 * }</pre>
 * Defaults: {@code quantity} {@code {"source":"api"}}, {@code timing} {@code in_advance} for an API quantity and
 * {@code in_arrears} for a meter, {@code increase} {@code immediate}, {@code decrease} {@code credit}.
 */
final class LicensedChargeJson {
    static final Set<String> FIELDS = Set.of("key", "type", "name", "price", "timing", "quantity", "increase", "decrease");
    private static final Set<String> QUANTITY_FIELDS = Set.of("source", "meter");

    private LicensedChargeJson() {
    }

    static Optional<Charge> read(JsonFields c, int before, Optional<String> key, Optional<String> name,
            List<FieldViolation> errors) {
        Optional<PriceModel> price = Optional.empty();
        if (c.node("price").isEmpty()) {
            c.error("price", "is required");
        } else {
            try {
                price = Optional.of(PriceModelJson.read(c.node("price").orElseThrow()));
            } catch (InvalidPriceException e) {
                c.error(Paths.join("price", e.field()), e.problem());
            }
        }
        Optional<String> meter = Optional.empty();
        Optional<JsonNode> quantity = c.node("quantity");
        if (quantity.isPresent()) {
            Optional<JsonFields> q = JsonFields.object(quantity.get(), c.path("quantity"), QUANTITY_FIELDS, errors);
            if (q.isPresent()) {
                String source = q.get().text("source").orElse("api");
                switch (source) {
                    case "api" -> {
                        if (q.get().node("meter").isPresent()) {
                            q.get().error("meter", "is only for \"source\":\"meter\"");
                        }
                    }
                    case "meter" -> meter = q.get().key("meter");
                    default -> q.get().error("source", "must be \"api\" or \"meter\", got \"" + source + "\"");
                }
            }
        }
        FeeTiming defaultTiming = meter.isPresent() ? FeeTiming.IN_ARREARS : FeeTiming.IN_ADVANCE;
        FeeTiming timing = c.text("timing").map(t -> FeeTiming.fromWireName(t).orElseGet(() -> {
            c.error("timing", "must be \"in_advance\" or \"in_arrears\", got \"" + t + "\"");
            return defaultTiming;
        })).orElse(defaultTiming);
        LicensedCharge.Increase increase = c.text("increase").map(t -> LicensedCharge.Increase.fromWireName(t)
                .orElseGet(() -> {
                    c.error("increase", "must be \"immediate\" or \"period_end\", got \"" + t + "\"");
                    return LicensedCharge.Increase.IMMEDIATE;
                })).orElse(LicensedCharge.Increase.IMMEDIATE);
        LicensedCharge.Decrease decrease = c.text("decrease").map(t -> LicensedCharge.Decrease.fromWireName(t)
                .orElseGet(() -> {
                    c.error("decrease", "must be \"credit\" or \"none\", got \"" + t + "\"");
                    return LicensedCharge.Decrease.CREDIT;
                })).orElse(LicensedCharge.Decrease.CREDIT);
        if (c.errorCount() != before) {
            return Optional.empty();
        }
        Optional<String> m = meter;
        PriceModel model = price.orElseThrow();
        try {
            return Optional.of(new LicensedCharge(key.orElseThrow(), name.orElse(key.orElseThrow()), model, timing, m,
                    increase, decrease));
        } catch (InvalidBillingException e) {
            c.error(e.field(), e.problem());
            return Optional.empty();
        }
    }

    static void write(ObjectNode o, LicensedCharge l) {
        o.put("type", "licensed");
        o.put("name", l.name());
        o.set("price", PriceModelJson.write(l.price()));
        o.put("timing", l.timing().wireName());
        ObjectNode q = JsonNodeFactory.instance.objectNode();
        q.put("source", l.meter().isPresent() ? "meter" : "api");
        l.meter().ifPresent(m -> q.put("meter", m));
        o.set("quantity", q);
        o.put("increase", l.increase().wireName());
        o.put("decrease", l.decrease().wireName());
    }
}

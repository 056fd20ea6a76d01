package dev.tally.core.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.money.TaxRate;
import dev.tally.core.pricing.ChargePricing;
import dev.tally.core.pricing.InvalidPriceException;
import dev.tally.core.pricing.PriceModel;
import dev.tally.core.pricing.PriceModelJson;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The JSON form of a {@link Plan} (snake_case, decimals as strings), both ways:
 * <pre>{@code
 * {"key":"pro","name":"Pro","currency":"USD","interval":"monthly","trial_days":0,
 *  "tax_rates":[{"name":"VAT","percent":"20"}],
 *  "charges":[{"key":"base","type":"flat","name":"Platform fee","amount":"49.00","timing":"in_advance"},
 *             {"key":"tokens","type":"usage","name":"Tokens","meter":"tokens","filters":{"region":["eu"]},
 *              "price":{"model":"unit","unit_price":"0.002"},"included_quantity":"1000",
 *              "minimum_amount":"10","maximum_amount":"500",
 *              "dimension":"model","prices_by_dimension":{"big":{"model":"unit","unit_price":"0.02"}}}],
 *  "features":[{"key":"sso","type":"boolean","enabled":true},
 *              {"key":"tokens","type":"metered","meter":"tokens","limit":"100000","mode":"hard","grace_percent":"10"}]}
 * }</pre>
 * A charge of {@code "type":"licensed"} (seats) is read and written by {@link LicensedChargeJson}.
 * Reading is strict and collects every problem before failing with one {@link ValidationException} whose
 * violations name each bad field by its JSON path ({@code charges[1].price.tiers[0].up_to}); unknown fields are
 * refused; decimals are strings or exact JSON numbers (never a JSON float read as a double); prices are read by
 * {@link PriceModelJson}. Defaults: {@code name} is the key, {@code trial_days} 0, {@code tax_rates} none, a flat
 * charge's {@code timing} {@code in_advance}, a usage charge's {@code included_quantity} 0 and no filters, minimum,
 * maximum or dimension, no {@code features} (read by {@link FeatureJson}). {@code version} is assigned by the caller; a {@code version} in the body is accepted and
 * ignored (it is what {@link #write} emits). Writing emits every field; {@code read(write(p), p.version())} equals
 * {@code p}.
 */
public final class PlanJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> PLAN_FIELDS = Set.of("key", "version", "name", "currency", "interval", "trial_days",
            "tax_rates", "charges", "features", "credit_grants");
    private static final Set<String> FLAT_FIELDS = Set.of("key", "type", "name", "amount", "timing");
    private static final Set<String> USAGE_FIELDS = Set.of("key", "type", "name", "meter", "filters", "price",
            "included_quantity", "minimum_amount", "maximum_amount", "dimension", "prices_by_dimension");
    private static final Set<String> ANY_CHARGE_FIELDS = union(union(FLAT_FIELDS, USAGE_FIELDS), LicensedChargeJson.FIELDS);

    private PlanJson() {
    }

    /**
     * Reads a plan definition as version {@code version}.
     *
     * @throws ValidationException listing every invalid field with its JSON path
     * @throws InvalidBillingException if {@code version} is below 1 (a caller's error, not the client's)
     */
    public static Plan read(JsonNode body, int version) {
        if (version < 1) {
            throw new InvalidBillingException("version", "must be at least 1, got " + version);
        }
        List<FieldViolation> errors = new ArrayList<>();
        JsonFields o = JsonFields.object(body, "", PLAN_FIELDS, errors)
                .orElseThrow(() -> new ValidationException(errors));
        Optional<String> key = o.key("key");
        Optional<String> name = o.nonBlankText("name");
        Optional<Currency> currency = o.currency("currency");
        Optional<BillingInterval> interval = o.requiredText("interval").flatMap(text -> {
            Optional<BillingInterval> i = BillingInterval.fromWireName(text);
            if (i.isEmpty()) {
                o.error("interval", "must be one of weekly, monthly, quarterly, yearly; got \"" + text + "\"");
            }
            return i;
        });
        int trialDays = o.integer("trial_days").orElse(0);
        if (trialDays < 0 || trialDays > Plan.MAX_TRIAL_DAYS) {
            o.error("trial_days", "must be between 0 and " + Plan.MAX_TRIAL_DAYS + ", got " + trialDays);
        }
        List<TaxRate> taxRates = o.taxRates("tax_rates");
        List<Charge> charges = charges(o, errors);
        List<Feature> features = FeatureJson.readList(o, "features", errors);
        List<CreditGrantRule> creditGrants = CreditGrantRuleJson.readList(o, "credit_grants", currency,
                charges.stream().map(Charge::key).collect(java.util.stream.Collectors.toSet()), errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        try {
            return new Plan(key.orElseThrow(), version, name.orElse(key.orElseThrow()), currency.orElseThrow(),
                    interval.orElseThrow(), charges, taxRates, trialDays, features, creditGrants);
        } catch (InvalidBillingException e) {
            throw new ValidationException(e.field().isEmpty() ? "body" : e.field(), e.problem());
        }
    }

    /** Writes a plan version as its JSON object (every field present, decimals as plain strings). */
    public static ObjectNode write(Plan p) {
        ObjectNode o = NODES.objectNode();
        o.put("key", p.key());
        o.put("version", p.version());
        o.put("name", p.name());
        o.put("currency", p.currency().getCurrencyCode());
        o.put("interval", p.interval().wireName());
        o.put("trial_days", p.trialDays());
        JsonFields.writeTaxRates(o.putArray("tax_rates"), p.taxRates());
        ArrayNode charges = o.putArray("charges");
        p.charges().forEach(c -> charges.add(writeCharge(c)));
        ArrayNode features = o.putArray("features");
        p.features().forEach(f -> features.add(FeatureJson.write(f)));
        if (!p.creditGrants().isEmpty()) {
            o.set("credit_grants", CreditGrantRuleJson.writeList(p.creditGrants()));
        }
        return o;
    }

    /** One charge as its JSON object, as it appears in {@code charges} (also the price snapshot of invoice lines). */
    public static ObjectNode writeCharge(Charge charge) {
        ObjectNode o = NODES.objectNode();
        o.put("key", charge.key());
        switch (charge) {
            case FlatCharge f -> {
                o.put("type", "flat");
                o.put("name", f.name());
                o.put("amount", f.amount().toPlainString());
                o.put("timing", f.timing().wireName());
            }
            case LicensedCharge l -> LicensedChargeJson.write(o, l);
            case UsageCharge u -> {
                o.put("type", "usage");
                o.put("name", u.name());
                o.put("meter", u.meter());
                ObjectNode filters = o.putObject("filters");
                new TreeMap<>(u.filters()).forEach((dim, values) -> {
                    ArrayNode a = filters.putArray(dim);
                    new TreeSet<>(values).forEach(a::add);
                });
                ChargePricing pricing = u.pricing();
                o.set("price", PriceModelJson.write(pricing.model()));
                o.put("included_quantity", pricing.includedQuantity().toPlainString());
                putOptional(o, "minimum_amount", pricing.minimumAmount().map(BigDecimal::toPlainString));
                putOptional(o, "maximum_amount", pricing.maximumAmount().map(BigDecimal::toPlainString));
                putOptional(o, "dimension", pricing.dimension());
                ObjectNode byDimension = o.putObject("prices_by_dimension");
                new TreeMap<>(pricing.byDimension()).forEach((value, model) -> byDimension.set(value, PriceModelJson.write(model)));
            }
        }
        return o;
    }

    private static List<Charge> charges(JsonFields o, List<FieldViolation> errors) {
        if (o.node("charges").isEmpty()) {
            o.error("charges", "is required");
            return List.of();
        }
        List<JsonNode> nodes = o.array("charges").orElse(null);
        if (nodes == null) {
            return List.of();
        }
        if (nodes.isEmpty()) {
            o.error("charges", "must contain at least one charge");
        }
        List<Charge> charges = new ArrayList<>();
        Map<String, Integer> keys = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            String path = o.path("charges") + "[" + i + "]";
            Optional<Charge> charge = charge(nodes.get(i), path, errors);
            charge.ifPresent(charges::add);
            JsonNode keyNode = nodes.get(i).get("key");
            if (keyNode != null && keyNode.isTextual()) {
                Integer first = keys.putIfAbsent(keyNode.textValue(), i);
                if (first != null) {
                    errors.add(new FieldViolation(path + ".key", "duplicates charges[" + first + "].key \""
                            + keyNode.textValue() + "\""));
                }
            }
        }
        return charges;
    }

    private static Optional<Charge> charge(JsonNode node, String path, List<FieldViolation> errors) {
        JsonNode typeNode = node == null ? null : node.get("type");
        String type = typeNode != null && typeNode.isTextual() ? typeNode.textValue() : "";
        Set<String> known = switch (type) {
            case "flat" -> FLAT_FIELDS;
            case "usage" -> USAGE_FIELDS;
            case "licensed" -> LicensedChargeJson.FIELDS;
            default -> ANY_CHARGE_FIELDS;
        };
        Optional<JsonFields> parsed = JsonFields.object(node, path, known, errors);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        JsonFields c = parsed.get();
        int before = c.errorCount();
        Optional<String> key = c.key("key");
        Optional<String> name = c.nonBlankText("name");
        Optional<Charge> charge;
        switch (type) {
            case "flat" -> charge = flat(c, before, key, name);
            case "usage" -> charge = usage(c, before, key, name);
            case "licensed" -> charge = LicensedChargeJson.read(c, before, key, name, errors);
            default -> {
                c.requiredText("type").ifPresent(t -> c.error("type", "must be \"flat\", \"usage\" or \"licensed\", got \"" + t + "\""));
                charge = Optional.empty();
            }
        }
        return charge;
    }

    private static Optional<Charge> flat(JsonFields c, int before, Optional<String> key, Optional<String> name) {
        Optional<BigDecimal> amount = c.requiredNonNegativeDecimal("amount");
        FeeTiming timing = c.text("timing").map(t -> FeeTiming.fromWireName(t).orElseGet(() -> {
            c.error("timing", "must be \"in_advance\" or \"in_arrears\", got \"" + t + "\"");
            return FeeTiming.IN_ADVANCE;
        })).orElse(FeeTiming.IN_ADVANCE);
        if (c.errorCount() != before) {
            return Optional.empty();
        }
        return construct(c, () -> new FlatCharge(key.orElseThrow(), name.orElse(key.orElseThrow()), amount.orElseThrow(), timing));
    }

    private static Optional<Charge> usage(JsonFields c, int before, Optional<String> key, Optional<String> name) {
        Optional<String> meter = c.key("meter");
        Map<String, Set<String>> filters = filters(c);
        Optional<PriceModel> model = Optional.empty();
        if (c.node("price").isEmpty()) {
            c.error("price", "is required");
        } else {
            model = price(c, "price", c.node("price").orElseThrow());
        }
        BigDecimal included = c.nonNegativeDecimal("included_quantity").orElse(BigDecimal.ZERO);
        Optional<BigDecimal> minimum = c.nonNegativeDecimal("minimum_amount");
        Optional<BigDecimal> maximum = c.nonNegativeDecimal("maximum_amount");
        Optional<String> dimension = c.nonBlankText("dimension");
        Map<String, PriceModel> byDimension = new HashMap<>();
        c.node("prices_by_dimension").ifPresent(n -> {
            if (!n.isObject()) {
                c.error("prices_by_dimension", "must be an object of dimension value -> price");
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                price(c, "prices_by_dimension." + e.getKey(), e.getValue()).ifPresent(m -> byDimension.put(e.getKey(), m));
            }
        });
        if (c.errorCount() != before) {
            return Optional.empty();
        }
        ChargePricing pricing;
        try {
            pricing = new ChargePricing(model.orElseThrow(), included, minimum, maximum, dimension, byDimension);
        } catch (InvalidPriceException e) {
            String field = e.field().startsWith("by_dimension") ? "prices_" + e.field() : e.field();
            c.error(field, e.problem());
            return Optional.empty();
        }
        return construct(c, () -> new UsageCharge(key.orElseThrow(), name.orElse(key.orElseThrow()), meter.orElseThrow(),
                filters, pricing));
    }

    private static Optional<PriceModel> price(JsonFields c, String field, JsonNode node) {
        try {
            return Optional.of(PriceModelJson.read(node));
        } catch (InvalidPriceException e) {
            c.error(Paths.join(field, e.field()), e.problem());
            return Optional.empty();
        }
    }

    private static Map<String, Set<String>> filters(JsonFields c) {
        Map<String, Set<String>> filters = new HashMap<>();
        Optional<JsonNode> node = c.node("filters");
        if (node.isEmpty()) {
            return filters;
        }
        if (!node.get().isObject()) {
            c.error("filters", "must be an object of dimension -> list of values");
            return filters;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.get().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = "filters." + e.getKey();
            if (e.getKey().isBlank()) {
                c.error("filters", "must not have a blank dimension name");
                continue;
            }
            JsonNode v = e.getValue();
            if (!v.isArray() || v.isEmpty()) {
                c.error(field, "must be a non-empty list of values");
                continue;
            }
            Set<String> values = new LinkedHashSet<>();
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isTextual()) {
                    c.error(field + "[" + i + "]", "must be a string");
                } else {
                    values.add(v.get(i).textValue());
                }
            }
            filters.put(e.getKey(), values);
        }
        return filters;
    }

    private static Optional<Charge> construct(JsonFields c, java.util.function.Supplier<Charge> make) {
        try {
            return Optional.of(make.get());
        } catch (InvalidBillingException e) {
            c.error(e.field(), e.problem());
            return Optional.empty();
        }
    }

    private static void putOptional(ObjectNode o, String field, Optional<String> value) {
        if (value.isPresent()) {
            o.put(field, value.get());
        } else {
            o.putNull(field);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}

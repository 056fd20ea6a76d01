package dev.tally.core.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON forms of {@link Feature} (in a plan's {@code features}) and {@link FeatureOverride}:
 * <pre>{@code
 * {"key":"sso","type":"boolean","enabled":true}
 * {"key":"tokens","type":"metered","enabled":true,"meter":"tokens","limit":"100000","mode":"hard","grace_percent":"10"}
 * override: {"enabled":false}   {"limit":"500000","mode":"soft"}
 * }</pre>
 * Reading is strict like {@link PlanJson}: unknown fields are refused and every problem is reported with its path.
 * Defaults: {@code enabled} true, {@code mode} {@code hard}, {@code grace_percent} 0. Writing emits every field of
 * the feature's type ({@code read(write(f))} equals {@code f}); an override is written with only its fields.
 */
public final class FeatureJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> BOOLEAN_FIELDS = Set.of("key", "type", "enabled");
    private static final Set<String> METERED_FIELDS = Set.of("key", "type", "enabled", "meter", "limit", "mode",
            "grace_percent");
    private static final Set<String> OVERRIDE_FIELDS = Set.of("enabled", "meter", "limit", "mode", "grace_percent");

    private FeatureJson() {
    }

    /** A feature as its JSON object, as it appears in a plan's {@code features}. */
    public static ObjectNode write(Feature f) {
        ObjectNode o = NODES.objectNode();
        o.put("key", f.key());
        o.put("type", f.type());
        o.put("enabled", f.enabled());
        f.metered().ifPresent(m -> {
            o.put("meter", m.meter());
            o.put("limit", m.limit().toPlainString());
            o.put("mode", m.mode().wireName());
            o.put("grace_percent", m.gracePercent().toPlainString());
        });
        return o;
    }

    /**
     * Reads a customer's override of one feature.
     *
     * @throws ValidationException listing every invalid field
     */
    public static FeatureOverride readOverride(JsonNode body) {
        List<FieldViolation> errors = new ArrayList<>();
        JsonFields o = JsonFields.object(body, "", OVERRIDE_FIELDS, errors)
                .orElseThrow(() -> new ValidationException(errors));
        Optional<Boolean> enabled = bool(o, "enabled");
        Optional<String> meter = o.node("meter").isPresent() ? o.key("meter") : Optional.empty();
        Optional<BigDecimal> limit = o.nonNegativeDecimal("limit");
        Optional<LimitMode> mode = mode(o);
        Optional<BigDecimal> grace = o.nonNegativeDecimal("grace_percent");
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        try {
            return new FeatureOverride(enabled, meter, limit, mode, grace);
        } catch (InvalidBillingException e) {
            throw new ValidationException(e.field().isEmpty() ? "body" : e.field(), e.problem());
        }
    }

    /** An override as its JSON object: only the fields it changes. */
    public static ObjectNode writeOverride(FeatureOverride v) {
        ObjectNode o = NODES.objectNode();
        v.enabled().ifPresent(e -> o.put("enabled", e));
        v.meter().ifPresent(m -> o.put("meter", m));
        v.limit().ifPresent(l -> o.put("limit", l.toPlainString()));
        v.mode().ifPresent(m -> o.put("mode", m.wireName()));
        v.gracePercent().ifPresent(g -> o.put("grace_percent", g.toPlainString()));
        return o;
    }

    /** The features of a plan from {@code field} (missing means none), reporting problems under its path. */
    static List<Feature> readList(JsonFields plan, String field, List<FieldViolation> errors) {
        List<Feature> out = new ArrayList<>();
        List<JsonNode> nodes = plan.array(field).orElse(List.of());
        Map<String, Integer> keys = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            String path = plan.path(field) + "[" + i + "]";
            read(nodes.get(i), path, errors).ifPresent(out::add);
            JsonNode keyNode = nodes.get(i) == null ? null : nodes.get(i).get("key");
            if (keyNode != null && keyNode.isTextual()) {
                Integer first = keys.putIfAbsent(keyNode.textValue(), i);
                if (first != null) {
                    errors.add(new FieldViolation(path + ".key", "duplicates " + field + "[" + first + "].key \""
                            + keyNode.textValue() + "\""));
                }
            }
        }
        return out;
    }

    private static Optional<Feature> read(JsonNode node, String path, List<FieldViolation> errors) {
        JsonNode typeNode = node == null ? null : node.get("type");
        String type = typeNode != null && typeNode.isTextual() ? typeNode.textValue() : "";
        Set<String> known = type.equals(Feature.BOOLEAN) ? BOOLEAN_FIELDS : METERED_FIELDS;
        Optional<JsonFields> parsed = JsonFields.object(node, path, known, errors);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        JsonFields f = parsed.get();
        int before = f.errorCount();
        Optional<String> key = f.key("key");
        boolean enabled = bool(f, "enabled").orElse(true);
        switch (type) {
            case Feature.BOOLEAN -> {
                if (f.errorCount() != before) {
                    return Optional.empty();
                }
                return construct(f, () -> Feature.toggle(key.orElseThrow(), enabled));
            }
            case Feature.METERED -> {
                Optional<String> meter = f.key("meter");
                if (f.node("limit").isEmpty()) {
                    f.error("limit", "is required (the most usage allowed per billing period)");
                }
                Optional<BigDecimal> limit = f.nonNegativeDecimal("limit");
                LimitMode mode = mode(f).orElse(LimitMode.HARD);
                BigDecimal grace = f.nonNegativeDecimal("grace_percent").orElse(BigDecimal.ZERO);
                if (f.errorCount() != before) {
                    return Optional.empty();
                }
                return construct(f, () -> new Feature(key.orElseThrow(), enabled,
                        Optional.of(new MeteredLimit(meter.orElseThrow(), limit.orElseThrow(), mode, grace))));
            }
            default -> {
                f.requiredText("type").ifPresent(t -> f.error("type", "must be \"boolean\" or \"metered\", got \""
                        + t + "\""));
                return Optional.empty();
            }
        }
    }

    private static Optional<LimitMode> mode(JsonFields o) {
        return o.text("mode").flatMap(t -> {
            Optional<LimitMode> m = LimitMode.fromWireName(t);
            if (m.isEmpty()) {
                o.error("mode", "must be \"hard\" or \"soft\", got \"" + t + "\"");
            }
            return m;
        });
    }

    private static Optional<Boolean> bool(JsonFields o, String field) {
        Optional<JsonNode> v = o.node(field);
        if (v.isPresent() && !v.get().isBoolean()) {
            o.error(field, "must be true or false");
            return Optional.empty();
        }
        return v.map(JsonNode::booleanValue);
    }

    private static Optional<Feature> construct(JsonFields f, java.util.function.Supplier<Feature> make) {
        try {
            return Optional.of(make.get());
        } catch (InvalidBillingException e) {
            f.error(e.field(), e.problem());
            return Optional.empty();
        }
    }
}

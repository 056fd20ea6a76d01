package dev.tally.core.pricing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Converts between {@link PriceModel} and the JSON shapes of {@code API.md} ("Price models"), exactly.
 * Reading is strict: decimals are decimal strings, or JSON numbers that are integers or were parsed as
 * {@code BigDecimal} (never through a {@code double}; see {@link #exactDecimalMapper()}); unknown fields
 * are rejected; every error is an {@link InvalidPriceException} whose {@link InvalidPriceException#field()}
 * is the JSON path relative to the node read (e.g. {@code tiers[1].up_to}). Missing optional fields take
 * the defaults documented in {@code docs/PRICING.md}. Writing emits every field, decimals as plain
 * strings, absent optional values as {@code null} (except {@code block_size}, written only when set, so tiers over
 * units keep their earlier JSON); {@code read(write(m))} equals {@code m}.
 */
public final class PriceModelJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String MODEL = "model";
    private static final String TIERS = "tiers";
    private static final String UP_TO = "up_to";
    private static final String UNIT_PRICE = "unit_price";
    private static final String FLAT_FEE = "flat_fee";
    private static final String RATE = "rate";
    private static final String BLOCK_SIZE = "block_size";

    private PriceModelJson() {
    }

    /**
     * Reads a price model from its JSON object.
     *
     * @throws InvalidPriceException naming the offending field if the JSON is not a valid price model
     */
    public static PriceModel read(JsonNode node) {
        JsonObject o = JsonObject.of(node, "");
        String model = o.requiredText(MODEL);
        PriceModel result = switch (model) {
            case "unit" -> new UnitPrice(o.requiredDecimal(UNIT_PRICE));
            case "package" -> new PackagePrice(o.requiredDecimal("package_size"), o.requiredDecimal("package_price"),
                    o.decimal("free_units", BigDecimal.ZERO), rounding(o));
            case "graduated" -> new GraduatedPrice(tiers(o), o.optionalDecimal(BLOCK_SIZE));
            case "volume" -> new VolumePrice(tiers(o), o.optionalDecimal(BLOCK_SIZE));
            case "percentage" -> new PercentagePrice(o.requiredDecimal(RATE), o.decimal("fixed_fee", BigDecimal.ZERO),
                    o.nonNegativeInt("free_events", 0), o.decimal("free_amount", BigDecimal.ZERO),
                    o.optionalDecimal("min_per_event"), o.optionalDecimal("max_per_event"));
            case "graduated_percentage" -> new GraduatedPercentagePrice(percentTiers(o));
            case "dynamic" -> new DynamicPrice();
            default -> throw new InvalidPriceException(MODEL, "must be one of unit, package, graduated, volume,"
                    + " percentage, graduated_percentage, dynamic; got \"" + model + "\"");
        };
        o.rejectUnknownFields();
        return result;
    }

    /** Writes a price model as its JSON object (every field present, decimals as plain strings). */
    public static ObjectNode write(PriceModel model) {
        ObjectNode o = NODES.objectNode();
        o.put(MODEL, model.modelName());
        switch (model) {
            case UnitPrice u -> o.put(UNIT_PRICE, plain(u.unitPrice()));
            case PackagePrice p -> {
                o.put("package_size", plain(p.packageSize()));
                o.put("package_price", plain(p.packagePrice()));
                o.put("free_units", plain(p.freeUnits()));
                o.put("rounding", p.rounding().jsonName());
            }
            case GraduatedPrice g -> {
                writeTiers(o, g.tiers());
                g.blockSize().ifPresent(n -> o.put(BLOCK_SIZE, plain(n)));
            }
            case VolumePrice v -> {
                writeTiers(o, v.tiers());
                v.blockSize().ifPresent(n -> o.put(BLOCK_SIZE, plain(n)));
            }
            case PercentagePrice p -> {
                o.put(RATE, plain(p.rate()));
                o.put("fixed_fee", plain(p.fixedFee()));
                o.put("free_events", p.freeEvents());
                o.put("free_amount", plain(p.freeAmount()));
                putOptional(o, "min_per_event", p.minPerEvent());
                putOptional(o, "max_per_event", p.maxPerEvent());
            }
            case GraduatedPercentagePrice p -> {
                ArrayNode tiers = o.putArray(TIERS);
                for (PercentTier t : p.tiers()) {
                    ObjectNode tier = tiers.addObject();
                    putOptional(tier, UP_TO, t.upTo());
                    tier.put(RATE, plain(t.rate()));
                    tier.put(FLAT_FEE, plain(t.flatFee()));
                }
            }
            case DynamicPrice d -> {
                // no parameters
            }
        }
        return o;
    }

    /**
     * An {@link ObjectMapper} that keeps JSON numbers exact ({@code USE_BIG_DECIMAL_FOR_FLOATS}), so that
     * a client sending {@code 1.5} instead of {@code "1.5"} is read exactly rather than refused. Decimal
     * strings work with any mapper.
     */
    public static ObjectMapper exactDecimalMapper() {
        return JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    }

    private static PackageRounding rounding(JsonObject o) {
        Optional<JsonNode> v = o.get("rounding");
        if (v.isEmpty()) {
            return PackageRounding.UP;
        }
        if (v.get().isTextual()) {
            switch (v.get().textValue().toLowerCase(Locale.ROOT)) {
                case "up":
                    return PackageRounding.UP;
                case "down":
                    return PackageRounding.DOWN;
                default:
                    break;
            }
        }
        throw new InvalidPriceException("rounding", "must be \"up\" or \"down\"");
    }

    private static List<Tier> tiers(JsonObject o) {
        List<JsonNode> nodes = o.requiredArray(TIERS);
        List<Tier> tiers = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            String path = TIERS + "[" + i + "]";
            JsonObject t = JsonObject.of(nodes.get(i), path);
            if (!t.has(UNIT_PRICE) && !t.has(FLAT_FEE)) {
                throw new InvalidPriceException(path, "must have a unit_price, a flat_fee or both");
            }
            try {
                tiers.add(new Tier(t.optionalDecimal(UP_TO), t.decimal(UNIT_PRICE, BigDecimal.ZERO),
                        t.decimal(FLAT_FEE, BigDecimal.ZERO)));
            } catch (InvalidPriceException e) {
                throw e.field().startsWith(path) ? e : e.under(path);
            }
            t.rejectUnknownFields();
        }
        return tiers;
    }

    private static List<PercentTier> percentTiers(JsonObject o) {
        List<JsonNode> nodes = o.requiredArray(TIERS);
        List<PercentTier> tiers = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            String path = TIERS + "[" + i + "]";
            JsonObject t = JsonObject.of(nodes.get(i), path);
            try {
                tiers.add(new PercentTier(t.optionalDecimal(UP_TO), t.requiredDecimal(RATE),
                        t.decimal(FLAT_FEE, BigDecimal.ZERO)));
            } catch (InvalidPriceException e) {
                throw e.field().startsWith(path) ? e : e.under(path);
            }
            t.rejectUnknownFields();
        }
        return tiers;
    }

    private static void writeTiers(ObjectNode o, List<Tier> tiers) {
        ArrayNode array = o.putArray(TIERS);
        for (Tier t : tiers) {
            ObjectNode tier = array.addObject();
            putOptional(tier, UP_TO, t.upTo());
            tier.put(UNIT_PRICE, plain(t.unitPrice()));
            tier.put(FLAT_FEE, plain(t.flatFee()));
        }
    }

    private static void putOptional(ObjectNode o, String field, Optional<BigDecimal> value) {
        if (value.isPresent()) {
            o.put(field, plain(value.get()));
        } else {
            o.putNull(field);
        }
    }

    private static String plain(BigDecimal d) {
        return d.toPlainString();
    }
}

package dev.tally.engine.discount;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.discount.Coupon;
import dev.tally.core.discount.OverrideTerms;
import dev.tally.core.discount.OverrideVersion;
import dev.tally.core.discount.Redemption;
import dev.tally.core.input.DecimalInput;
import dev.tally.core.input.InvalidInputException;
import dev.tally.core.pricing.InvalidPriceException;
import dev.tally.core.pricing.PriceModelJson;
import dev.tally.core.validation.ValidationException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;

/** The JSON of override versions, coupons and redemptions (what the API returns) and of stored override terms. */
public final class DiscountJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private DiscountJson() {
    }

    /** The terms as stored: exactly one of {@code price}, {@code amount}, {@code discount_percent}. */
    static ObjectNode terms(OverrideTerms t) {
        ObjectNode o = NODES.objectNode();
        switch (t) {
            case OverrideTerms.Price p -> o.set("price", PriceModelJson.write(p.model()));
            case OverrideTerms.Amount a -> o.put("amount", a.amount().toPlainString());
            case OverrideTerms.PercentOff p -> o.put("discount_percent", p.percent().toPlainString());
        }
        return o;
    }

    static OverrideTerms readStoredTerms(JsonNode o) {
        if (o.has("price")) {
            return new OverrideTerms.Price(PriceModelJson.read(o.get("price")));
        }
        if (o.has("amount")) {
            return new OverrideTerms.Amount(new BigDecimal(o.get("amount").asText()));
        }
        return new OverrideTerms.PercentOff(new BigDecimal(o.get("discount_percent").asText()));
    }

    /** The terms of a request body: exactly one of {@code price} (a price model), {@code amount}, {@code discount_percent}. */
    static OverrideTerms readTerms(JsonNode body) {
        int given = (body.hasNonNull("price") ? 1 : 0) + (body.hasNonNull("amount") ? 1 : 0)
                + (body.hasNonNull("discount_percent") ? 1 : 0);
        if (given != 1) {
            throw new ValidationException("price", "give exactly one of price, amount and discount_percent");
        }
        try {
            if (body.hasNonNull("price")) {
                return new OverrideTerms.Price(PriceModelJson.read(body.get("price")));
            }
            if (body.hasNonNull("amount")) {
                return new OverrideTerms.Amount(decimal(body, "amount"));
            }
            return new OverrideTerms.PercentOff(decimal(body, "discount_percent"));
        } catch (InvalidPriceException e) {
            throw new ValidationException(e.field().isEmpty() ? "price" : "price." + e.field(), e.problem());
        } catch (dev.tally.core.discount.InvalidDiscountException e) {
            throw new ValidationException(e.field(), e.problem());
        }
    }

    static BigDecimal decimal(JsonNode body, String field) {
        try {
            return DecimalInput.of(body.get(field), DecimalInput.AMOUNTS);
        } catch (InvalidInputException e) {
            throw new ValidationException(field, e.problem());
        }
    }

    /** One override version. */
    public static ObjectNode version(OverrideVersion v, Instant now) {
        ObjectNode o = NODES.objectNode();
        o.put("id", v.overrideId());
        o.put("version", v.version());
        o.put("subscription", v.subscriptionId());
        o.put("charge", v.chargeKey());
        o.put("effective_from", v.effectiveFrom().toString());
        v.effectiveTo().ifPresentOrElse(t -> o.put("effective_to", t.toString()), () -> o.putNull("effective_to"));
        o.put("type", v.terms().wireName());
        o.setAll(terms(v.terms()));
        o.put("reason", v.reason());
        o.put("created_at", v.createdAt().toString());
        return o;
    }

    /** An override: its id, charge, whether it prices the charge now, and every version in order. */
    public static ObjectNode override(List<OverrideVersion> versions, java.util.Optional<OverrideVersion> inForceNow,
            Instant now) {
        OverrideVersion last = versions.get(versions.size() - 1);
        ObjectNode o = NODES.objectNode();
        o.put("id", last.overrideId());
        o.put("subscription", last.subscriptionId());
        o.put("charge", last.chargeKey());
        o.put("latest_version", last.version());
        inForceNow.ifPresentOrElse(v -> o.put("version_in_force", v.version()), () -> o.putNull("version_in_force"));
        ArrayNode a = o.putArray("versions");
        versions.forEach(v -> a.add(version(v, now)));
        return o;
    }

    public static ObjectNode coupon(Coupon k) {
        ObjectNode o = NODES.objectNode();
        o.put("key", k.key());
        o.put("name", k.name());
        k.percentOff().ifPresentOrElse(p -> o.put("percent_off", p.toPlainString()), () -> o.putNull("percent_off"));
        k.amountOff().ifPresentOrElse(a -> o.put("amount_off", a.plainString()).put("currency",
                a.currency().getCurrencyCode()), () -> o.putNull("amount_off").putNull("currency"));
        o.put("duration", k.duration().wireName());
        k.periods().ifPresentOrElse(n -> o.put("duration_periods", n), () -> o.putNull("duration_periods"));
        ArrayNode applies = o.putArray("applies_to");
        new TreeSet<>(k.appliesTo()).forEach(applies::add);
        o.put("created_at", k.createdAt().toString());
        k.archivedAt().ifPresentOrElse(t -> o.put("archived_at", t.toString()), () -> o.putNull("archived_at"));
        o.put("archived", k.archivedAt().isPresent());
        return o;
    }

    public static ObjectNode redemption(Redemption r, Coupon k) {
        ObjectNode o = NODES.objectNode();
        o.put("id", r.id());
        o.put("coupon", r.couponKey());
        o.put("subscription", r.subscriptionId());
        o.put("start", r.start().toString());
        o.put("periods", k.duration() == dev.tally.core.discount.CouponDuration.FOREVER ? null
                : Integer.valueOf(k.periodsCovered()));
        o.put("created_at", r.createdAt().toString());
        r.end().ifPresentOrElse(t -> o.put("ended_at", t.toString()), () -> o.putNull("ended_at"));
        o.set("coupon_details", coupon(k));
        return o;
    }
}

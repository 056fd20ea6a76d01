package dev.tally.core.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.money.Money;
import dev.tally.core.money.RoundingRule;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /v1/prices/preview}: rates a price for a quantity or for events, with no stored
 * state. Request: {@code {"currency":"USD","price":{...},"quantity":"250"}} for quantity models, or
 * {@code "events":[{"value":"100"},...]} for per-event models, plus optional {@code included_quantity},
 * {@code minimum_amount} and {@code maximum_amount}. Response:
 * {@code {"currency":"USD","amount":"165.00","lines":[{"description":...,"quantity":"100","unit_price":"1","amount":"100.00"}]}}.
 * Guarantees: each line's {@code amount} is its exact amount rounded once by the
 * {@link RoundingRule}; {@code quantity} and {@code unit_price} are exact; the top-level {@code amount}
 * is exactly the sum of the rounded line amounts, so the lines always add up. Invalid input throws a
 * {@link PricingException} naming the field ({@code currency}, {@code price.tiers[1].up_to},
 * {@code events[3].value}, ...): {@link InvalidPriceException} for the price and currency,
 * {@link InvalidUsageException} for the usage.
 */
public final class PricePreview {
    private static final Pattern CURRENCY_CODE = Pattern.compile("[A-Z]{3}");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private PricePreview() {
    }

    /**
     * Computes the preview response for a request.
     *
     * @throws PricingException naming the offending field if the request is invalid
     */
    public static ObjectNode preview(JsonNode request) {
        JsonObject o = JsonObject.of(request, "");
        Currency currency = currency(o.requiredText("currency"));
        PriceModel model;
        try {
            model = PriceModelJson.read(o.get("price").orElseThrow(() -> new InvalidPriceException("", "is required")));
        } catch (InvalidPriceException e) {
            throw e.under("price");
        }
        ChargePricing pricing = new ChargePricing(model,
                o.decimal("included_quantity", BigDecimal.ZERO),
                o.optionalDecimal("minimum_amount"), o.optionalDecimal("maximum_amount"),
                Optional.empty(), Map.of());
        Usage usage = usage(o, model);
        o.rejectUnknownFields();
        return response(currency, ChargeRater.rate(pricing, usage, currency));
    }

    private static Currency currency(String code) {
        if (!CURRENCY_CODE.matcher(code).matches()) {
            throw new InvalidPriceException("currency", "must be an upper-case ISO 4217 code like \"USD\", got \"" + code + "\"");
        }
        Currency currency;
        try {
            currency = Currency.getInstance(code);
        } catch (IllegalArgumentException e) {
            throw new InvalidPriceException("currency", "is not an ISO 4217 currency code: \"" + code + "\"");
        }
        if (currency.getDefaultFractionDigits() < 0) {
            throw new InvalidPriceException("currency", "has no minor unit and cannot be billed: \"" + code + "\"");
        }
        return currency;
    }

    private static Usage usage(JsonObject o, PriceModel model) {
        o.get("quantity");
        o.get("events");
        boolean hasQuantity = o.has("quantity");
        boolean hasEvents = o.has("events");
        if (model.ratedPerEvent()) {
            if (hasQuantity) {
                throw new InvalidUsageException("quantity", "is not accepted by a " + model.modelName()
                        + " price, which is rated per event: give events");
            }
            if (!hasEvents) {
                throw new InvalidUsageException("events", "is required for a " + model.modelName() + " price");
            }
            List<BigDecimal> values = new ArrayList<>();
            List<JsonNode> events = asUsage(() -> o.requiredArray("events"));
            for (int i = 0; i < events.size(); i++) {
                String path = "events[" + i + "]";
                JsonNode event = events.get(i);
                values.add(asUsage(() -> {
                    JsonObject e = JsonObject.of(event, path);
                    BigDecimal value = e.requiredDecimal("value");
                    e.rejectUnknownFields();
                    return value;
                }));
            }
            return Usage.events(values);
        }
        if (hasEvents) {
            throw new InvalidUsageException("events", "are not accepted by a " + model.modelName()
                    + " price, which is rated from one quantity: give a quantity");
        }
        if (!hasQuantity) {
            throw new InvalidUsageException("quantity", "is required for a " + model.modelName() + " price");
        }
        return Usage.quantity(asUsage(() -> o.requiredDecimal("quantity")));
    }

    private interface Read<T> {
        T get();
    }

    /** Reports malformed usage fields as usage errors rather than price errors. */
    private static <T> T asUsage(Read<T> read) {
        try {
            return read.get();
        } catch (InvalidPriceException e) {
            throw new InvalidUsageException(e.field(), e.problem());
        }
    }

    private static ObjectNode response(Currency currency, Rating rating) {
        ObjectNode out = NODES.objectNode();
        out.put("currency", currency.getCurrencyCode());
        List<Money> rounded = rating.roundedLines(currency);
        out.put("amount", Money.sum(currency, rounded).plainString());
        ArrayNode lines = out.putArray("lines");
        for (int i = 0; i < rating.lines().size(); i++) {
            RatedLine line = rating.lines().get(i);
            ObjectNode l = lines.addObject();
            l.put("description", line.description());
            l.put("quantity", line.quantity().toPlainString());
            l.put("unit_price", line.unitPrice().toPlainString());
            l.put("amount", rounded.get(i).plainString());
        }
        return out;
    }
}

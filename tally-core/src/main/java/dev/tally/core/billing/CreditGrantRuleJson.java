package dev.tally.core.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.ledger.Funding;
import dev.tally.core.ledger.Grant;
import dev.tally.core.ledger.InvalidLedgerException;
import dev.tally.core.ledger.Rollover;
import dev.tally.core.money.Money;
import dev.tally.core.money.RoundingRule;
import dev.tally.core.validation.FieldViolation;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The JSON form of a plan's {@code credit_grants}: {@code amount} (required), {@code priority} (default 100),
 * {@code applies_to} (charge keys of the plan; default every charge), {@code funding} ({@code free}, the default, or
 * {@code paid} with a {@code price}), {@code expires_after} (an ISO-8601 duration such as {@code P30D} from the
 * period's start, or {@code end_of_next_period}; default never), {@code rollover} ({@code "none"}, the default,
 * {@code "all"} or {@code {"up_to":"50.00"}}) and {@code reason} (default {@code "Recurring credits"}). Strict:
 * unknown fields are refused and every problem is reported with its path.
 */
final class CreditGrantRuleJson {
    static final String DEFAULT_REASON = "Recurring credits";
    private static final Set<String> FIELDS = Set.of("amount", "priority", "applies_to", "funding", "price",
            "expires_after", "rollover", "reason");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private CreditGrantRuleJson() {
    }

    static List<CreditGrantRule> readList(JsonFields plan, String field, Optional<Currency> currency,
            Set<String> chargeKeys, List<FieldViolation> errors) {
        List<CreditGrantRule> out = new ArrayList<>();
        List<JsonNode> nodes = plan.array(field).orElse(List.of());
        for (int i = 0; i < nodes.size(); i++) {
            String path = plan.path(field) + "[" + i + "]";
            Optional<JsonFields> parsed = JsonFields.object(nodes.get(i), path, FIELDS, errors);
            if (parsed.isPresent() && currency.isPresent()) {
                read(parsed.get(), path, currency.get(), chargeKeys, errors).ifPresent(out::add);
            }
        }
        return out;
    }

    private static Optional<CreditGrantRule> read(JsonFields f, String path, Currency currency, Set<String> chargeKeys,
            List<FieldViolation> errors) {
        int before = f.errorCount();
        Optional<BigDecimal> amount = f.decimal("amount");
        if (f.node("amount").isEmpty()) {
            f.error("amount", "is required");
        } else if (amount.isPresent() && (amount.get().signum() <= 0 || !RoundingRule.isRounded(amount.get(), currency))) {
            f.error("amount", "must be positive and in the minor unit of " + currency.getCurrencyCode());
        }
        int priority = f.integer("priority").orElse(Grant.DEFAULT_PRIORITY);
        if (priority < 0 || priority > Grant.MAX_PRIORITY) {
            f.error("priority", "must be 0.." + Grant.MAX_PRIORITY + ", got " + priority);
        }
        Set<String> appliesTo = new LinkedHashSet<>();
        List<JsonNode> keys = f.array("applies_to").orElse(List.of());
        for (int k = 0; k < keys.size(); k++) {
            JsonNode key = keys.get(k);
            if (!key.isTextual() || !chargeKeys.contains(key.textValue())) {
                f.error("applies_to[" + k + "]", "must be the key of a charge of the plan");
            } else {
                appliesTo.add(key.textValue());
            }
        }
        Funding funding = f.text("funding").map(t -> {
            Optional<Funding> fu = Funding.fromWireName(t).filter(x -> x == Funding.FREE || x == Funding.PAID);
            if (fu.isEmpty()) {
                f.error("funding", "must be free or paid");
            }
            return fu.orElse(Funding.FREE);
        }).orElse(Funding.FREE);
        Optional<BigDecimal> price = f.nonNegativeDecimal("price");
        if (price.isPresent() != (funding == Funding.PAID) && f.errorCount() == before) {
            f.error("price", "must be given exactly for paid grants");
        }
        if (price.isPresent() && !RoundingRule.isRounded(price.get(), currency)) {
            f.error("price", "must be in the minor unit of " + currency.getCurrencyCode());
        }
        CreditGrantRule.Expiry expiry = f.text("expires_after").map(t -> {
            if (t.equals(CreditGrantRule.EndOfNextPeriod.WIRE)) {
                return (CreditGrantRule.Expiry) new CreditGrantRule.EndOfNextPeriod();
            }
            try {
                Duration d = Duration.parse(t);
                if (!d.isNegative() && !d.isZero() && d.getNano() == 0) {
                    return new CreditGrantRule.After(d);
                }
            } catch (DateTimeParseException e) {
                // reported below
            }
            f.error("expires_after", "must be a positive ISO-8601 duration like \"P30D\" or \"PT12H\", or \""
                    + CreditGrantRule.EndOfNextPeriod.WIRE + "\"");
            return new CreditGrantRule.Never();
        }).orElse(new CreditGrantRule.Never());
        Rollover rollover = rollover(f, currency);
        String reason = f.nonBlankText("reason").orElse(DEFAULT_REASON);
        if (f.errorCount() != before) {
            return Optional.empty();
        }
        try {
            return Optional.of(new CreditGrantRule(new Money(amount.orElseThrow(), currency), priority, appliesTo,
                    funding, price.map(p -> new Money(p, currency)), expiry, rollover, reason));
        } catch (InvalidBillingException e) {
            errors.add(new FieldViolation(path + "." + e.field(), e.problem()));
            return Optional.empty();
        }
    }

    private static Rollover rollover(JsonFields f, Currency currency) {
        Optional<JsonNode> n = f.node("rollover");
        if (n.isEmpty()) {
            return new Rollover.None();
        }
        JsonNode v = n.get();
        if (v.isTextual() && v.textValue().equals("none")) {
            return new Rollover.None();
        }
        if (v.isTextual() && v.textValue().equals("all")) {
            return new Rollover.All();
        }
        if (v.isObject() && v.size() == 1 && v.has("up_to") && (v.get("up_to").isTextual() || v.get("up_to").isNumber())) {
            try {
                BigDecimal cap = new BigDecimal(v.get("up_to").asText());
                return new Rollover.UpTo(new Money(cap, currency));
            } catch (NumberFormatException | InvalidLedgerException e) {
                f.error("rollover.up_to", "must be a non-negative amount in the minor unit of " + currency.getCurrencyCode());
                return new Rollover.None();
            }
        }
        f.error("rollover", "must be \"none\", \"all\" or {\"up_to\": \"<amount>\"}");
        return new Rollover.None();
    }

    static ArrayNode writeList(List<CreditGrantRule> rules) {
        ArrayNode out = NODES.arrayNode();
        for (CreditGrantRule r : rules) {
            ObjectNode o = out.addObject();
            o.put("amount", r.amount().plainString());
            o.put("priority", r.priority());
            ArrayNode a = o.putArray("applies_to");
            r.appliesTo().forEach(a::add);
            o.put("funding", r.funding().wireName());
            r.price().ifPresent(p -> o.put("price", p.plainString()));
            r.expiry().wireName().ifPresent(w -> o.put("expires_after", w));
            switch (r.rollover()) {
                case Rollover.UpTo u -> o.putObject("rollover").put("up_to", u.cap().plainString());
                default -> o.put("rollover", r.rollover().wireName());
            }
            o.put("reason", r.reason());
        }
        return out;
    }
}

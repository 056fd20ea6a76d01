package dev.tally.engine.credit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.ledger.Funding;
import dev.tally.core.ledger.Grant;
import dev.tally.core.ledger.LedgerEntry;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
import dev.tally.core.money.RoundingRule;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The JSON of wallets, grants and ledger entries (API spelling, amounts as decimal strings), and of grant requests. */
public final class CreditJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]{1,18}(\\.[0-9]{1,12})?");
    private static final Set<String> GRANT_FIELDS = Set.of("currency", "amount", "priority", "effective_from",
            "expires_at", "applies_to", "funding", "price", "reason");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");

    private CreditJson() {
    }

    /**
     * A wallet: its currency, its balance (the sum of its entries), what of it may be drawn at {@code now}, and the
     * live balance after the current periods' estimated invoices.
     */
    public static ObjectNode wallet(Wallet w, Instant now, List<dev.tally.core.ledger.InvoiceCredits.Estimate> estimates) {
        ObjectNode o = NODES.objectNode();
        o.put("currency", w.currency().getCurrencyCode());
        o.put("balance", w.balance().plainString());
        o.put("usable_balance", Money.sum(w.currency(), w.usableAt(now).stream().map(g -> g.balance()).toList()).plainString());
        o.put("live_balance", w.liveBalance(now, estimates).plainString());
        o.put("grants", w.grants().size());
        o.put("entries", w.entries().size());
        return o;
    }

    /** A grant with what is left of it and its state at {@code now}: pending, active, depleted or expired. */
    public static ObjectNode grant(Grant g, Money balance, Instant now) {
        ObjectNode o = NODES.objectNode();
        o.put("id", g.id());
        o.put("currency", g.amount().currency().getCurrencyCode());
        o.put("amount", g.amount().plainString());
        o.put("balance", balance.plainString());
        o.put("priority", g.priority());
        o.put("effective_from", g.effectiveFrom().toString());
        g.expiresAt().ifPresentOrElse(x -> o.put("expires_at", x.toString()), () -> o.putNull("expires_at"));
        ArrayNode charges = o.putArray("applies_to");
        g.charges().forEach(charges::add);
        o.put("funding", g.funding().wireName());
        g.price().ifPresentOrElse(p -> o.put("price", p.plainString()), () -> o.putNull("price"));
        o.put("reason", g.reason());
        o.put("source", g.source());
        o.put("created_at", g.createdAt().toString());
        String state = g.expiresAt().filter(x -> !now.isBefore(x)).isPresent() ? "expired"
                : now.isBefore(g.effectiveFrom()) ? "pending" : balance.amount().signum() > 0 ? "active" : "depleted";
        o.put("state", state);
        return o;
    }

    public static ObjectNode entry(LedgerEntry e) {
        ObjectNode o = NODES.objectNode();
        o.put("id", e.id());
        o.put("sequence", e.sequence());
        o.put("grant", e.grantId());
        o.put("kind", e.kind().wireName());
        o.put("amount", e.amount().plainString());
        o.put("currency", e.amount().currency().getCurrencyCode());
        o.put("at", e.at().toString());
        o.put("reason", e.reason());
        o.put("source", e.source());
        e.invoiceId().ifPresentOrElse(i -> o.put("invoice", i), () -> o.putNull("invoice"));
        e.reverses().ifPresentOrElse(i -> o.put("reverses", i), () -> o.putNull("reverses"));
        return o;
    }

    /**
     * Reads a grant request: {@code amount} (required, at the currency's minor unit), {@code currency} (default the
     * customer's), {@code priority} (0..1000, default 100, lower drawn first), {@code effective_from} (default now),
     * {@code expires_at}, {@code applies_to} (charge keys; default every charge), {@code funding} ({@code free}, the
     * default, or {@code paid} with a {@code price}) and {@code reason}. Unknown fields are refused.
     *
     * @throws ValidationException naming every offending field
     */
    public static Credits.GrantRequest grantRequest(JsonNode body, Currency defaultCurrency) {
        List<FieldViolation> errors = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw new ValidationException("", "the body must be a JSON object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!GRANT_FIELDS.contains(f)) {
                errors.add(new FieldViolation(f, "is not a field of a grant"));
            }
        }
        Currency currency = defaultCurrency;
        if (body.has("currency")) {
            String code = body.get("currency").asText("");
            if (!body.get("currency").isTextual() || !CURRENCY.matcher(code).matches()) {
                errors.add(new FieldViolation("currency", "must be an ISO 4217 code like \"USD\""));
            } else {
                try {
                    currency = Currency.getInstance(code);
                    RoundingRule.minorUnitDigits(currency);
                } catch (IllegalArgumentException e) {
                    errors.add(new FieldViolation("currency", "is not an ISO 4217 currency with a minor unit"));
                }
            }
        }
        Optional<Money> amount = money(body, "amount", currency, true, errors);
        int priority = dev.tally.core.ledger.Grant.DEFAULT_PRIORITY;
        if (body.has("priority")) {
            JsonNode p = body.get("priority");
            if (!p.isIntegralNumber() || p.asLong() < 0 || p.asLong() > dev.tally.core.ledger.Grant.MAX_PRIORITY) {
                errors.add(new FieldViolation("priority", "must be an integer 0.." + dev.tally.core.ledger.Grant.MAX_PRIORITY));
            } else {
                priority = p.asInt();
            }
        }
        Optional<Instant> from = instant(body, "effective_from", errors);
        Optional<Instant> expires = instant(body, "expires_at", errors);
        Set<String> charges = new LinkedHashSet<>();
        if (body.has("applies_to")) {
            JsonNode a = body.get("applies_to");
            if (!a.isArray()) {
                errors.add(new FieldViolation("applies_to", "must be a list of charge keys"));
            } else {
                for (int i = 0; i < a.size(); i++) {
                    if (!a.get(i).isTextual() || a.get(i).asText().isBlank()) {
                        errors.add(new FieldViolation("applies_to[" + i + "]", "must be a charge key"));
                    } else {
                        charges.add(a.get(i).asText());
                    }
                }
            }
        }
        Funding funding = Funding.FREE;
        if (body.has("funding")) {
            Optional<Funding> f = Funding.fromWireName(body.get("funding").asText(""));
            if (f.isEmpty() || f.get() == Funding.INVOICE_CREDIT || f.get() == Funding.CREDIT_NOTE) {
                errors.add(new FieldViolation("funding", "must be \"free\" or \"paid\""));
            } else {
                funding = f.get();
            }
        }
        Optional<Money> price = money(body, "price", currency, funding == Funding.PAID, errors);
        if (funding != Funding.PAID && body.has("price")) {
            errors.add(new FieldViolation("price", "is only for paid grants"));
        }
        String reason = "";
        if (body.has("reason")) {
            if (!body.get("reason").isTextual() || body.get("reason").asText().length() > 500) {
                errors.add(new FieldViolation("reason", "must be a text of at most 500 characters"));
            } else {
                reason = body.get("reason").asText();
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return new Credits.GrantRequest(amount.orElseThrow(), priority, from, expires, charges, funding,
                funding == Funding.PAID ? price : Optional.empty(), reason);
    }

    /** A decimal amount in the currency's minor unit (e.g. "12.50"), or empty when absent and optional. */
    public static Optional<Money> money(JsonNode body, String field, Currency currency, boolean required,
            List<FieldViolation> errors) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                errors.add(new FieldViolation(field, "is required"));
            }
            return Optional.empty();
        }
        if (!n.isTextual() || !DECIMAL.matcher(n.asText()).matches()) {
            errors.add(new FieldViolation(field, "must be a decimal string like \"12.50\""));
            return Optional.empty();
        }
        BigDecimal v = new BigDecimal(n.asText());
        if (currency == null || !RoundingRule.isRounded(v, currency)) {
            errors.add(new FieldViolation(field, "must be in the minor unit of the currency"));
            return Optional.empty();
        }
        return Optional.of(new Money(v, currency));
    }

    private static Optional<Instant> instant(JsonNode body, String field, List<FieldViolation> errors) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        try {
            Instant t = OffsetDateTime.parse(n.asText()).toInstant().truncatedTo(ChronoUnit.SECONDS);
            if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
                errors.add(new FieldViolation(field, "must be between 1970 and 9999"));
                return Optional.empty();
            }
            return Optional.of(t);
        } catch (DateTimeParseException e) {
            errors.add(new FieldViolation(field, "must be an RFC 3339 timestamp"));
            return Optional.empty();
        }
    }
}

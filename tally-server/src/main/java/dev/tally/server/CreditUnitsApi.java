package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.Customer;
import dev.tally.core.ledger.CreditUnit;
import dev.tally.core.ledger.InvalidLedgerException;
import dev.tally.engine.Engine;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.credit.CreditUnits;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Optional;

/**
 * Custom credit units over HTTP: what a wallet holds in each unit ({@code GET .../wallets/{currency}/units}), and the
 * reading of a grant given in a unit ({@code "unit"} and {@code "rate"} on {@code POST .../grants}).
 */
final class CreditUnitsApi {
    private final Billing billing;
    private final CreditUnits units;
    private final ObjectMapper mapper;

    CreditUnitsApi(Engine engine, ObjectMapper mapper) {
        this.billing = engine.billing();
        this.units = billing.creditUnits();
        this.mapper = mapper;
    }

    void list(Request r) throws IOException {
        Customer c = billing.customer(r.tenant(), r.path("external_id"));
        Currency currency = currency(r.path("currency"));
        ObjectNode out = mapper.createObjectNode();
        out.put("customer", c.externalId());
        out.put("currency", currency.getCurrencyCode());
        ArrayNode list = out.putArray("units");
        for (CreditUnits.UnitBalance b : units.balances(r.tenant(), c.externalId(), currency)) {
            list.addObject().put("unit", b.unit().key()).put("rate", b.unit().rate().toPlainString())
                    .put("balance", plain(b.units())).put("usable_balance", plain(b.usableUnits()))
                    .put("money_balance", b.balance().plainString()).put("money_usable_balance", b.usable().plainString())
                    .put("grants", b.grants());
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    /** A grant body given in a unit: the unit, the units, and the body with {@code amount} as their money value. */
    record InUnits(CreditUnit unit, BigDecimal units, JsonNode body) {
    }

    /**
     * Reads {@code "unit"} (and {@code "rate"}) of a grant body: the amount is then in units, converted exactly to
     * money; empty when the body has no unit.
     */
    Optional<InUnits> read(String tenant, String customer, Currency defaultCurrency, JsonNode body) {
        if (!body.isObject() || !body.has("unit")) {
            if (body.isObject() && body.has("rate")) {
                throw HttpError.badRequest("rate", "is only given with a unit");
            }
            return Optional.empty();
        }
        JsonNode u = body.get("unit");
        if (!u.isTextual() || !CreditUnit.KEY.matcher(u.asText()).matches()) {
            throw HttpError.badRequest("unit", "must be 1 to 32 lower-case letters, digits or '_', starting with a letter");
        }
        Optional<BigDecimal> rate = Optional.empty();
        if (body.hasNonNull("rate")) {
            rate = Optional.of(decimal(body.get("rate"), "rate"));
        }
        BigDecimal amount = decimal(body.path("amount"), "amount");
        Currency currency = defaultCurrency;
        if (body.hasNonNull("currency")) {
            currency = currency(body.get("currency").asText(""));
        }
        CreditUnit unit;
        try {
            unit = units.resolve(tenant, customer, currency, u.asText(), rate);
        } catch (InvalidLedgerException e) {
            throw HttpError.badRequest(e.field(), e.problem());
        }
        dev.tally.core.money.Money money;
        try {
            money = unit.toMoney(amount);
        } catch (InvalidLedgerException e) {
            throw HttpError.badRequest(e.field(), e.problem());
        }
        ObjectNode rest = ((ObjectNode) body.deepCopy()).without(java.util.List.of("unit", "rate"));
        rest.put("amount", money.plainString());
        return Optional.of(new InUnits(unit, amount, rest));
    }

    /** Adds the unit of a unit grant to its JSON. */
    static void describe(ObjectNode grant, CreditUnits.UnitGrant g, dev.tally.core.money.Money balance) {
        grant.put("unit", g.unit().key());
        grant.put("rate", g.unit().rate().toPlainString());
        grant.put("unit_amount", plain(g.units()));
        grant.put("unit_balance", plain(g.unit().unitsOf(balance)));
    }

    private static String plain(BigDecimal d) {
        return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
    }

    private static BigDecimal decimal(JsonNode n, String field) {
        if (n == null || !n.isTextual() || !n.asText().matches("[0-9]{1,15}(\\.[0-9]{1,12})?")) {
            throw HttpError.badRequest(field, "must be a decimal string like \"1000\" or \"0.01\"");
        }
        return new BigDecimal(n.asText());
    }

    private static Currency currency(String code) {
        try {
            if (code.matches("[A-Z]{3}") && Currency.getInstance(code).getDefaultFractionDigits() >= 0) {
                return Currency.getInstance(code);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error
        }
        throw HttpError.badRequest("currency", "must be an ISO 4217 code like USD");
    }
}

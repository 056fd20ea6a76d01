package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.Customer;
import dev.tally.core.ledger.Grant;
import dev.tally.core.money.Money;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.Engine;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.credit.AutoTopUp;
import dev.tally.engine.credit.AutoTopUps;
import dev.tally.engine.credit.CreditJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The automatic top-up of a wallet over HTTP: {@code PUT} sets it (and checks it at once), {@code GET} shows it with
 * its state ({@code armed}, {@code fired}), {@code DELETE} removes it.
 */
final class AutoTopUpApi {
    static final String DEFAULT_REASON = "Automatic top-up";
    private static final Set<String> FIELDS = Set.of("threshold", "amount", "price", "priority", "reason");

    private final Billing billing;
    private final AutoTopUps tops;
    private final ObjectMapper mapper;

    AutoTopUpApi(Engine engine, ObjectMapper mapper) {
        this.billing = engine.billing();
        this.tops = billing.autoTopUps();
        this.mapper = mapper;
    }

    private Customer customer(Request r) {
        return billing.customer(r.tenant(), r.path("external_id"));
    }

    void put(Request r) throws IOException {
        Customer c = customer(r);
        Currency currency = currency(r.path("currency"));
        JsonNode body = JsonBody.read(r, BillingApi.MAX_BODY);
        if (!body.isObject()) {
            throw HttpError.badRequest("", "the body must be a JSON object");
        }
        List<FieldViolation> errors = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                errors.add(new FieldViolation(f, "is not a field of an automatic top-up"));
            }
        });
        Optional<Money> threshold = CreditJson.money(body, "threshold", currency, true, errors);
        Optional<Money> amount = CreditJson.money(body, "amount", currency, true, errors);
        Optional<Money> price = CreditJson.money(body, "price", currency, false, errors);
        int priority = Grant.DEFAULT_PRIORITY;
        JsonNode p = body.get("priority");
        if (p != null && !p.isNull()) {
            if (!p.isInt() || p.asInt() < 0 || p.asInt() > Grant.MAX_PRIORITY) {
                errors.add(new FieldViolation("priority", "must be a whole number 0.." + Grant.MAX_PRIORITY));
            } else {
                priority = p.asInt();
            }
        }
        String reason = DEFAULT_REASON;
        JsonNode rn = body.get("reason");
        if (rn != null && !rn.isNull()) {
            if (!rn.isTextual() || rn.asText().isBlank() || rn.asText().length() > 500) {
                errors.add(new FieldViolation("reason", "must be a text of 1 to 500 characters"));
            } else {
                reason = rn.asText();
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        AutoTopUp set = tops.set(r.tenant(), new AutoTopUp(c.externalId(), threshold.orElseThrow(), amount.orElseThrow(),
                price.orElse(amount.orElseThrow()), priority, reason, true, 0));
        Responses.json(r.exchange, 200, write(set), mapper);
    }

    void get(Request r) throws IOException {
        Customer c = customer(r);
        Currency currency = currency(r.path("currency"));
        AutoTopUp t = tops.get(r.tenant(), c.externalId(), currency).orElseThrow(() -> HttpError.notFound(
                "the " + currency.getCurrencyCode() + " wallet of '" + c.externalId() + "' has no automatic top-up"));
        Responses.json(r.exchange, 200, write(t), mapper);
    }

    void delete(Request r) throws IOException {
        Customer c = customer(r);
        Currency currency = currency(r.path("currency"));
        if (!tops.delete(r.tenant(), c.externalId(), currency)) {
            throw HttpError.notFound("the " + currency.getCurrencyCode() + " wallet of '" + c.externalId()
                    + "' has no automatic top-up");
        }
        Responses.send(r.exchange, 204, "application/json", new byte[0]);
    }

    private ObjectNode write(AutoTopUp t) {
        ObjectNode o = mapper.createObjectNode();
        o.put("customer", t.customer());
        o.put("currency", t.currency().getCurrencyCode());
        o.put("threshold", t.threshold().plainString());
        o.put("amount", t.amount().plainString());
        o.put("price", t.price().plainString());
        o.put("priority", t.priority());
        o.put("reason", t.reason());
        o.put("armed", t.armed());
        o.put("fired", t.fired());
        return o;
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

package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.Customer;
import dev.tally.core.ledger.Grant;
import dev.tally.core.ledger.LedgerEntry;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
import dev.tally.core.validation.FieldViolation;
import dev.tally.engine.Engine;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.credit.CreditJson;
import dev.tally.engine.credit.Credits;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Set;

/**
 * A customer's credits over HTTP: wallets (one per currency, balance = sum of the ledger), grants (create, void,
 * adjust by hand) and the ledger entries of a wallet, cursor-paged by sequence.
 */
final class CreditsApi {
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    private final Billing billing;
    private final Credits credits;
    private final dev.tally.engine.credit.live.LiveCredits live;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final CreditUnitsApi units;

    CreditsApi(Engine engine, ObjectMapper mapper) {
        this.units = new CreditUnitsApi(engine, mapper);
        this.billing = engine.billing();
        this.credits = billing.credits();
        this.live = engine.liveCredits();
        this.clock = engine.clock();
        this.mapper = mapper;
    }

    private Customer customer(Request r) {
        return billing.customer(r.tenant(), r.path("external_id"));
    }

    void wallets(Request r) throws IOException {
        Customer c = customer(r);
        ObjectNode out = mapper.createObjectNode();
        out.put("customer", c.externalId());
        ArrayNode list = out.putArray("wallets");
        java.util.Map<Currency, Wallet> stored = new java.util.HashMap<>();
        credits.wallets(r.tenant(), c.externalId()).forEach(w -> stored.put(w.currency(), w));
        // balance, usable and live balance computed now (exact); docs/CREDITS.md "Live balance"
        for (dev.tally.engine.credit.live.LiveWallet w : live.wallets(r.tenant(), c.externalId())) {
            list.add(dev.tally.engine.credit.live.LiveJson.wallet(w, java.util.Optional.ofNullable(stored.get(w.currency()))));
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    void entries(Request r) throws IOException {
        Customer c = customer(r);
        Currency currency = currency(r.path("currency"));
        long after = r.param("cursor").map(CreditsApi::cursor).orElse(0L);
        int limit = r.integer("limit", 1, MAX_PAGE).orElse(DEFAULT_PAGE);
        List<LedgerEntry> page = credits.entries(r.tenant(), c.externalId(), currency, after, limit);
        ObjectNode out = mapper.createObjectNode();
        out.put("customer", c.externalId());
        out.put("currency", currency.getCurrencyCode());
        ArrayNode list = out.putArray("entries");
        page.forEach(e -> list.add(CreditJson.entry(e)));
        if (page.size() == limit) {
            out.put("next_cursor", Long.toString(page.get(page.size() - 1).sequence()));
        } else {
            out.putNull("next_cursor");
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    void grants(Request r) throws IOException {
        Customer c = customer(r);
        Instant now = clock.instant();
        ObjectNode out = mapper.createObjectNode();
        out.put("customer", c.externalId());
        ArrayNode list = out.putArray("grants");
        java.util.Map<String, dev.tally.engine.credit.CreditUnits.UnitGrant> inUnits =
                billing.creditUnits().grantsOf(r.tenant(), c.externalId());
        for (Wallet w : credits.wallets(r.tenant(), c.externalId())) {
            for (Grant g : w.grants()) {
                ObjectNode o = CreditJson.grant(g, w.balanceOf(g.id()), now);
                if (inUnits.containsKey(g.id())) {
                    CreditUnitsApi.describe(o, inUnits.get(g.id()), w.balanceOf(g.id()));
                }
                list.add(o);
            }
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    void createGrant(Request r) throws IOException {
        Customer c = customer(r);
        JsonNode body = body(r);
        // "invoice": true buys a paid grant: the grant and the one-off invoice of its price (docs/CREDITS.md)
        boolean invoice = false;
        if (body.isObject() && body.has("invoice")) {
            if (!body.get("invoice").isBoolean()) {
                throw HttpError.badRequest("invoice", "must be true or false");
            }
            invoice = body.get("invoice").asBoolean();
            body = ((com.fasterxml.jackson.databind.node.ObjectNode) body.deepCopy()).without("invoice");
        }
        // "unit": the amount is in a custom credit unit, converted exactly to money (docs/CREDITS.md)
        java.util.Optional<CreditUnitsApi.InUnits> inUnits = units.read(r.tenant(), c.externalId(), c.currency(), body);
        if (inUnits.isPresent()) {
            if (invoice) {
                throw HttpError.badRequest("invoice", "a grant in a custom unit is not invoiced; buy it in money");
            }
            Credits.GrantRequest req = CreditJson.grantRequest(inUnits.get().body(), c.currency());
            dev.tally.engine.credit.CreditUnits.UnitGrant ug = billing.creditUnits().grant(r.tenant(), c.externalId(),
                    inUnits.get().unit(), inUnits.get().units(), req, source(r));
            Grant g = credits.wallet(r.tenant(), c.externalId(), req.amount().currency()).grant(ug.grantId()).orElseThrow();
            ObjectNode out = CreditJson.grant(g, g.amount(), clock.instant());
            CreditUnitsApi.describe(out, ug, g.amount());
            Responses.json(r.exchange, 201, out, mapper);
            return;
        }
        Credits.GrantRequest req = CreditJson.grantRequest(body, c.currency());
        if (invoice) {
            if (req.funding() != dev.tally.core.ledger.Funding.PAID) {
                throw HttpError.badRequest("invoice", "only a paid grant (with its price) is invoiced");
            }
            dev.tally.engine.credit.CreditPurchases.Purchase p = billing.creditPurchases().buy(r.tenant(),
                    c.externalId(), req, source(r));
            ObjectNode out = CreditJson.grant(p.grant(), p.grant().amount(), clock.instant());
            p.invoice().ifPresentOrElse(i -> out.putObject("invoice").put("id", i.invoiceId()).put("number", i.number()),
                    () -> out.putNull("invoice"));
            Responses.json(r.exchange, 201, out, mapper);
            return;
        }
        Grant g = credits.grant(r.tenant(), c.externalId(), req, source(r));
        Responses.json(r.exchange, 201, CreditJson.grant(g, g.amount(), clock.instant()), mapper);
    }

    void voidGrant(Request r) throws IOException {
        Customer c = customer(r);
        JsonNode body = body(r);
        only(body, Set.of("reason"));
        LedgerEntry e = credits.voidGrant(r.tenant(), c.externalId(), r.path("grant_id"), reason(body), source(r));
        Responses.json(r.exchange, 200, CreditJson.entry(e), mapper);
    }

    void adjust(Request r) throws IOException {
        Customer c = customer(r);
        JsonNode body = body(r);
        only(body, Set.of("amount", "reason"));
        if (reason(body).isBlank()) {
            throw HttpError.badRequest("reason", "is required for a manual adjustment");
        }
        Wallet w = walletOfGrant(r.tenant(), c.externalId(), r.path("grant_id"));
        List<FieldViolation> errors = new ArrayList<>();
        Money amount = CreditJson.money(body, "amount", w.currency(), true, errors).orElse(null);
        if (!errors.isEmpty()) {
            throw new dev.tally.core.validation.ValidationException(errors);
        }
        LedgerEntry e = credits.adjust(r.tenant(), c.externalId(), r.path("grant_id"), amount.amount(), reason(body),
                source(r));
        Responses.json(r.exchange, 201, CreditJson.entry(e), mapper);
    }

    private Wallet walletOfGrant(String tenant, String customer, String grantId) {
        return credits.wallets(tenant, customer).stream().filter(w -> w.grant(grantId).isPresent()).findFirst()
                .orElseThrow(() -> HttpError.notFound("customer '" + customer + "' has no grant '" + grantId + "'"));
    }

    private static String source(Request r) {
        return "api_key:" + r.principal.keyId();
    }

    private static String reason(JsonNode body) {
        JsonNode n = body.get("reason");
        if (n == null || n.isNull()) {
            return "";
        }
        if (!n.isTextual() || n.asText().length() > 500) {
            throw HttpError.badRequest("reason", "must be a text of at most 500 characters");
        }
        return n.asText();
    }

    private static void only(JsonNode body, Set<String> fields) {
        if (!body.isObject()) {
            throw HttpError.badRequest("", "the body must be a JSON object");
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!fields.contains(f)) {
                throw HttpError.badRequest(f, "is not a field of this request");
            }
        });
    }

    private static Currency currency(String code) {
        try {
            if (code.matches("[A-Z]{3}")) {
                return Currency.getInstance(code);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error
        }
        throw HttpError.badRequest("currency", "must be an ISO 4217 code like USD");
    }

    private static long cursor(String s) {
        try {
            long v = Long.parseLong(s);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // falls through to the error
        }
        throw HttpError.badRequest("cursor", "must be a cursor from next_cursor");
    }

    private JsonNode body(Request r) throws IOException {
        return JsonBody.read(r, BillingApi.MAX_BODY);
    }

}

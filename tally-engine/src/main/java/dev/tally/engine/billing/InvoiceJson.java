package dev.tally.engine.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineKind;
import dev.tally.core.billing.Period;
import dev.tally.core.money.Money;
import dev.tally.core.money.TaxLine;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;

/** The JSON form of invoice lines and of whole invoices (what is stored and what the API returns). */
public final class InvoiceJson {
    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = dev.tally.core.event.Json.newMapper();

    private InvoiceJson() {
    }

    public static ObjectNode line(InvoiceLine l) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", l.lineId());
        o.put("kind", l.kind().wireName());
        o.put("charge", l.chargeKey());
        o.put("description", l.description());
        o.put("quantity", l.quantity().toPlainString());
        o.put("unit_price", l.unitPrice().toPlainString());
        o.put("amount", l.amount().amount().toPlainString());
        o.put("period_start", l.period().start().toString());
        o.put("period_end", l.period().end().toString());
        l.meter().ifPresentOrElse(m -> o.put("meter", m), () -> o.putNull("meter"));
        l.meterVersion().ifPresentOrElse(v -> o.put("meter_version", v), () -> o.putNull("meter_version"));
        o.put("plan", l.plan());
        o.put("plan_version", l.planVersion());
        l.priceJson().ifPresentOrElse(p -> o.set("price", parse(p)), () -> o.putNull("price"));
        o.put("events", l.eventCount());
        l.adjustsPeriod().ifPresentOrElse(p -> o.putObject("adjusts_period").put("start", p.start().toString())
                .put("end", p.end().toString()), () -> o.putNull("adjusts_period"));
        l.source().ifPresentOrElse(src -> {
            ObjectNode n = o.putObject("source").put("type", src.type()).put("id", src.id()).put("version", src.version());
            src.coupon().ifPresent(k -> n.put("coupon", k));
        }, () -> o.putNull("source"));
        return o;
    }

    public static InvoiceLine readLine(JsonNode o, Currency currency) {
        Optional<Period> adjusts = o.path("adjusts_period").isObject()
                ? Optional.of(new Period(Instant.parse(o.get("adjusts_period").get("start").asText()),
                        Instant.parse(o.get("adjusts_period").get("end").asText())))
                : Optional.empty();
        return new InvoiceLine(o.get("id").asText(), LineKind.fromWireName(o.get("kind").asText()).orElseThrow(),
                o.get("charge").asText(), o.get("description").asText(), new BigDecimal(o.get("quantity").asText()),
                new BigDecimal(o.get("unit_price").asText()), new Money(new BigDecimal(o.get("amount").asText()), currency),
                new Period(Instant.parse(o.get("period_start").asText()), Instant.parse(o.get("period_end").asText())),
                o.path("meter").isTextual() ? Optional.of(o.get("meter").asText()) : Optional.empty(),
                o.path("meter_version").isIntegralNumber() ? Optional.of(o.get("meter_version").asInt()) : Optional.empty(),
                o.get("plan").asText(), o.get("plan_version").asInt(),
                priceJson(o.path("price")),
                o.get("events").asLong(), adjusts, source(o.path("source")));
    }

    /** What priced the line beside the plan (absent in invoices stored before overrides and coupons existed). */
    private static Optional<dev.tally.core.billing.LineSource> source(JsonNode n) {
        if (!n.isObject()) {
            return Optional.empty();
        }
        return Optional.of(new dev.tally.core.billing.LineSource(n.get("type").asText(), n.get("id").asText(),
                n.get("version").asInt(), n.path("coupon").isTextual() ? Optional.of(n.get("coupon").asText())
                        : Optional.empty()));
    }

    /** The price snapshot: an object (older stored invoices kept it as JSON in a string: read both). */
    private static Optional<String> priceJson(JsonNode price) {
        if (price.isObject()) {
            return Optional.of(price.toString());
        }
        return price.isTextual() ? Optional.of(price.asText()) : Optional.empty();
    }

    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("an invoice line's price snapshot is not JSON", e);
        }
    }

    public static ArrayNode lines(List<InvoiceLine> lines) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        lines.forEach(l -> a.add(line(l)));
        return a;
    }

    public static List<InvoiceLine> readLines(JsonNode a, Currency currency) {
        List<InvoiceLine> out = new ArrayList<>();
        a.forEach(n -> out.add(readLine(n, currency)));
        return out;
    }

    /** The API representation of an invoice. */
    public static ObjectNode invoice(Invoice i) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", i.id());
        i.number().ifPresentOrElse(n -> o.put("number", n), () -> o.putNull("number"));
        o.put("status", i.status().wireName());
        o.put("customer", i.customer());
        o.put("subscription", i.subscriptionId().isEmpty() ? null : i.subscriptionId()); // none: a one-off invoice
        o.put("currency", i.totals().currency().getCurrencyCode());
        o.put("period_start", i.period().start().toString());
        o.put("period_end", i.period().end().toString());
        o.put("issued_for", i.boundary().toString());
        o.set("lines", lines(i.lines()));
        o.put("subtotal", i.totals().subtotal().amount().toPlainString());
        ArrayNode taxes = o.putArray("taxes");
        for (TaxLine t : i.totals().taxes()) {
            taxes.addObject().put("name", t.rate().name()).put("percent", t.rate().percent().toPlainString())
                    .put("amount", t.amount().amount().toPlainString());
        }
        o.put("tax", i.totals().taxTotal().amount().toPlainString());
        o.put("total", i.totals().total().amount().toPlainString());
        o.set("credits", i.credits().json());
        o.put("amount_due", i.amountDue().plainString());
        o.put("created_at", i.createdAt().toString());
        o.put("updated_at", i.updatedAt().toString());
        o.put("finalize_after", i.finalizeAfter().toString());
        putTime(o, "finalized_at", i.finalizedAt());
        putTime(o, "paid_at", i.paidAt());
        putTime(o, "voided_at", i.voidedAt());
        i.dueDate().ifPresentOrElse(d -> o.put("due_date", d.toString()), () -> o.putNull("due_date"));
        return o;
    }

    private static void putTime(ObjectNode o, String field, Optional<Instant> t) {
        t.ifPresentOrElse(v -> o.put(field, v.toString()), () -> o.putNull(field));
    }
}

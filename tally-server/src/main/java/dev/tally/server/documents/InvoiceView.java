package dev.tally.server.documents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * What an invoice shows, decided once for both renderers: the template's model, every text already formatted and
 * passed through the output's text policy ({@code clean}: what the output can draw). Inputs are the API's JSON
 * shapes: the invoice, the customer (may be absent: the invoice's customer id, UTC) and the seller (the tenant
 * settings of {@code GET /v1/tenant}, may be absent: the tenant's name only).
 *
 * <p>Dates are in the customer's time zone; a period's end is exclusive, so its last day is the one before the
 * end. A line whose own period differs from the invoice's shows it (an in-advance fee for the next period on the
 * invoice closing this one). The language is the customer's, else the seller's default, else English.
 */
final class InvoiceView {
    /** Descriptions longer than this are cut with an ellipsis. */
    static final int MAX_DESCRIPTION = 300;
    private static final ZoneId UTC = ZoneId.of("UTC");

    private InvoiceView() {
    }

    static Map<String, Object> model(JsonNode invoice, JsonNode customer, JsonNode seller, Predicate<String> showable,
            UnaryOperator<String> clean) {
        if (invoice == null || !invoice.isObject()) {
            throw new IllegalArgumentException("invoice must be a JSON object");
        }
        JsonNode cust = customer == null || customer.isNull() ? MissingNode.getInstance() : customer;
        JsonNode sell = seller == null || seller.isNull() ? MissingNode.getInstance() : seller;
        Labels labels = Labels.of(text(cust, "language", text(sell, "language", "en")));
        String id = text(invoice, "id", "");
        String number = text(invoice, "number", null);
        String status = text(invoice, "status", "");
        boolean draft = number == null || number.isBlank() || status.equals("draft");
        ZoneId zone = zone(text(cust, "timezone", null));
        String currency = text(invoice, "currency", text(cust, "currency", ""));
        Numbers numbers = new Numbers(labels.locale(), currency, showable);
        Instant periodStart = instant(invoice, "period_start");
        Instant periodEnd = instant(invoice, "period_end");

        Map<String, Object> m = new HashMap<>();
        m.put("lang", labels.language());
        m.put("labels", labels.all());
        String sellerName = text(sell, "legal_name", text(sell, "name", ""));
        m.put("sellerName", clean.apply(sellerName));
        m.put("heading", clean.apply(draft ? labels.get("draft") : labels.get("invoice") + " " + number));
        m.put("documentTitle", clean.apply(draft ? (labels.get("draft") + " " + id).strip() : number));
        m.put("draft", draft);
        m.put("voided", status.equals("void"));
        m.put("continued", clean.apply(labels.format("continued",
                (draft ? labels.get("draft") : number) + (status.equals("void") ? " (" + labels.get("void") + ")" : ""))));

        // the seller
        String logo = text(sell, "logo", "");
        m.put("logo", logo.startsWith("data:image/png;base64,") || logo.startsWith("data:image/svg+xml;base64,") ? logo : "");
        List<String> sellerLines = new ArrayList<>(AddressFormat.lines(strings(sell.path("address")), labels.locale()));
        String taxId = text(sell, "tax_id", "");
        if (!taxId.isEmpty()) {
            sellerLines.add(labels.get("taxId") + " " + taxId);
        }
        String sellerEmail = text(sell, "email", "");
        if (!sellerEmail.isEmpty()) {
            sellerLines.add(sellerEmail);
        }
        m.put("sellerLines", cleaned(sellerLines, clean));

        // the facts
        List<Map<String, String>> facts = new ArrayList<>();
        fact(facts, labels.get("status"), labels.get("status." + status).startsWith("status.")
                ? capitalize(status) : labels.get("status." + status), clean);
        Instant issuedAt = draft ? instant(invoice, "issued_for")
                : first(instant(invoice, "finalized_at"), instant(invoice, "issued_for"));
        fact(facts, labels.get(draft ? "toBeIssued" : "issueDate"), day(issuedAt, zone, labels), clean);
        LocalDate due = draft ? null : date(invoice, "due_date");
        fact(facts, labels.get("dueDate"), due == null ? "" : labels.day(due), clean);
        fact(facts, labels.get("period"), period(periodStart, periodEnd, zone, labels), clean);
        fact(facts, labels.get("paid"), day(instant(invoice, "paid_at"), zone, labels), clean);
        fact(facts, labels.get("voided"), day(instant(invoice, "voided_at"), zone, labels), clean);
        fact(facts, labels.get("currency"), currency, clean);
        fact(facts, labels.get("timeZone"), zone.getId(), clean);
        m.put("facts", facts);

        // the customer
        String customerId = text(cust, "external_id", text(invoice, "customer", ""));
        m.put("customerName", clean.apply(text(cust, "name", customerId)));
        List<String> customerLines = new ArrayList<>();
        if (!customerId.isEmpty()) {
            customerLines.add(labels.get("customerId") + ": " + customerId);
        }
        String email = text(cust, "email", "");
        if (!email.isBlank()) {
            customerLines.add(email);
        }
        customerLines.addAll(AddressFormat.lines(strings(cust.path("billing_address")), labels.locale()));
        for (JsonNode t : cust.path("tax_ids")) {
            String type = text(t, "type", "");
            String value = text(t, "value", "");
            if (!value.isBlank()) {
                customerLines.add(taxIdLabel(type, labels) + ": " + value);
            }
        }
        m.put("customerLines", cleaned(customerLines, clean));

        // the lines
        List<Map<String, String>> lines = new ArrayList<>();
        JsonNode lineNodes = array(invoice.path("lines"));
        for (int i = 0; i < lineNodes.size(); i++) {
            lines.add(line(lineNodes.get(i), "lines[" + i + "]", numbers, zone, labels, periodStart, periodEnd, clean));
        }
        m.put("lines", lines);

        // the totals
        List<Map<String, String>> subtotals = new ArrayList<>();
        fact(subtotals, labels.get("subtotal"), money(numbers, invoice.path("subtotal"), "subtotal"), clean);
        JsonNode taxes = array(invoice.path("taxes"));
        for (int i = 0; i < taxes.size(); i++) {
            JsonNode tax = taxes.get(i);
            String name = text(tax, "name", labels.get("tax"));
            String percent = text(tax, "percent", null);
            String label = percent == null ? name
                    : name + " (" + numbers.percent(decimal(tax.path("percent"), "taxes[" + i + "].percent")) + ")";
            fact(subtotals, label, money(numbers, tax.path("amount"), "taxes[" + i + "].amount"), clean);
        }
        if (taxes.isEmpty() && present(invoice.path("tax"))) {
            fact(subtotals, labels.get("tax"), money(numbers, invoice.path("tax"), "tax"), clean);
        }
        m.put("subtotals", subtotals);
        String total = money(numbers, invoice.path("total"), "total");
        m.put("total", clean.apply(total));
        // credits, applied after tax to the total: one row per grant that paid, the credit a negative total carries
        // to the customer's balance, then the amount due; nothing when credits changed nothing
        List<Map<String, String>> credits = new ArrayList<>();
        JsonNode section = invoice.path("credits");
        JsonNode creditLines = array(section.path("lines"));
        for (int i = 0; i < creditLines.size(); i++) {
            JsonNode l = creditLines.get(i);
            fact(credits, labels.format("creditLine", text(l, "description", ""), text(l, "grant", "")),
                    numbers.amount(decimal(l.path("amount"), "credits.lines[" + i + "].amount").negate()), clean);
        }
        JsonNode toBalance = section.path("credit_to_balance");
        if (present(toBalance) && decimal(toBalance, "credits.credit_to_balance").signum() > 0) {
            fact(credits, labels.get(draft ? "creditToBalanceDraft" : "creditToBalance"),
                    money(numbers, toBalance, "credits.credit_to_balance"), clean);
        }
        m.put("credits", credits);
        String amountDue = present(invoice.path("amount_due")) ? money(numbers, invoice.path("amount_due"), "amount_due")
                : total;
        m.put("amountDue", credits.isEmpty() ? "" : clean.apply(amountDue));
        m.put("payBy", due == null || status.equals("void") || status.equals("paid") ? ""
                : clean.apply(labels.format("payBy", amountDue, labels.day(due))));
        List<String> payment = paragraphs(text(sell, "payment_instructions", ""));
        m.put("hasPayment", !payment.isEmpty());
        m.put("paymentLines", cleaned(payment, clean));
        m.put("footerLines", cleaned(paragraphs(text(sell, "invoice_footer", "")), clean));
        String portal = text(sell, "portal_url", "");
        m.put("portal", portal.startsWith("https://") || portal.startsWith("http://")
                ? clean.apply(labels.format("portal", portal.replaceAll("/+$", "") + "/portal")) : "");
        return m;
    }

    private static Map<String, String> line(JsonNode line, String where, Numbers numbers, ZoneId zone, Labels labels,
            Instant invoiceStart, Instant invoiceEnd, UnaryOperator<String> clean) {
        List<String> detail = new ArrayList<>();
        Instant start = instant(line, "period_start");
        Instant end = instant(line, "period_end");
        if (start != null && end != null && (!start.equals(invoiceStart) || !end.equals(invoiceEnd))) {
            detail.add(labels.format("linePeriod", period(start, end, zone, labels)));
        }
        String charge = text(line, "charge", "");
        if (!charge.isEmpty()) {
            detail.add(labels.format("charge", charge));
        }
        JsonNode adjusts = line.path("adjusts_period");
        if (adjusts.isObject()) {
            detail.add(labels.format("adjusts", period(instant(adjusts, "start"), instant(adjusts, "end"), zone, labels)));
        }
        JsonNode source = line.path("source");
        if (source.isObject()) {
            detail.add("price_override".equals(text(source, "type", ""))
                    ? labels.format("pricedByOverride", text(source, "id", ""), text(source, "version", ""))
                    : labels.format("discountSource", text(source, "coupon", ""), text(source, "id", "")));
        }
        long events = line.path("events").asLong(0);
        if (events > 0) {
            detail.add(events == 1 ? labels.get("event") : labels.format("events", numbers.integer(events)));
        }
        String lineId = text(line, "id", "");
        if (!lineId.isEmpty()) {
            detail.add(labels.format("line", lineId));
        }
        String description = text(line, "description", "");
        if (description.codePointCount(0, description.length()) > MAX_DESCRIPTION) {
            description = description.substring(0, description.offsetByCodePoints(0, MAX_DESCRIPTION)).stripTrailing()
                    + "\u2026";
        }
        Map<String, String> l = new LinkedHashMap<>();
        l.put("description", clean.apply(description));
        l.put("detail", clean.apply(String.join(" \u00b7 ", detail)));
        JsonNode q = line.path("quantity");
        l.put("quantity", present(q) ? clean.apply(numbers.quantity(decimal(q, where + ".quantity"))) : "");
        JsonNode up = line.path("unit_price");
        l.put("unitPrice", present(up) ? clean.apply(numbers.unitPrice(decimal(up, where + ".unit_price"))) : "");
        l.put("amount", clean.apply(money(numbers, line.path("amount"), where + ".amount")));
        return l;
    }

    // ---- reading the JSON

    private static String money(Numbers numbers, JsonNode value, String where) {
        return present(value) ? numbers.amount(decimal(value, where)) : "";
    }

    private static void fact(List<Map<String, String>> facts, String label, String value, UnaryOperator<String> clean) {
        if (value != null && !value.isEmpty()) {
            Map<String, String> f = new LinkedHashMap<>();
            f.put("label", clean.apply(label));
            f.put("value", clean.apply(value));
            facts.add(f);
        }
    }

    private static List<String> cleaned(List<String> lines, UnaryOperator<String> clean) {
        return lines.stream().map(clean).filter(s -> !s.isBlank()).toList();
    }

    private static List<String> paragraphs(String text) {
        return text.lines().map(String::strip).filter(s -> !s.isEmpty()).limit(40).toList();
    }

    private static Map<String, String> strings(JsonNode o) {
        Map<String, String> m = new TreeMap<>();
        if (o.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isTextual()) {
                    m.put(e.getKey(), e.getValue().textValue());
                }
            }
        }
        return m;
    }

    private static boolean present(JsonNode n) {
        return n != null && !n.isMissingNode() && !n.isNull();
    }

    private static JsonNode array(JsonNode n) {
        return n.isArray() ? n : MissingNode.getInstance();
    }

    static String text(JsonNode node, String field, String otherwise) {
        JsonNode v = node.path(field);
        return present(v) ? v.asText() : otherwise;
    }

    private static BigDecimal decimal(JsonNode value, String where) {
        if (value.isNumber()) {
            return value.decimalValue();
        }
        try {
            return new BigDecimal(value.asText().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + " is not a decimal number: " + value.asText(), e);
        }
    }

    private static Instant instant(JsonNode node, String field) {
        String s = text(node, field, null);
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s.trim()).toInstant();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(field + " is not an ISO-8601 timestamp: " + s, e);
        }
    }

    private static LocalDate date(JsonNode node, String field) {
        String s = text(node, field, null);
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(s.trim());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(field + " is not an ISO-8601 date: " + s, e);
        }
    }

    private static Instant first(Instant a, Instant b) {
        return a != null ? a : b;
    }

    private static ZoneId zone(String id) {
        if (id == null || id.isBlank()) {
            return UTC;
        }
        try {
            return ZoneId.of(id.trim());
        } catch (DateTimeException e) {
            return UTC;
        }
    }

    private static String day(Instant at, ZoneId zone, Labels labels) {
        return at == null ? "" : labels.day(at.atZone(zone).toLocalDate());
    }

    /** "Nov 1 – Nov 30, 2026" for [Nov 1, Dec 1): the end is exclusive, so its last second names the last day. */
    private static String period(Instant start, Instant endExclusive, ZoneId zone, Labels labels) {
        if (start == null || endExclusive == null) {
            return start == null ? "" : day(start, zone, labels) + " \u2013";
        }
        Instant last = endExclusive.minusSeconds(1);
        if (last.isBefore(start)) {
            last = start;
        }
        return labels.days(start.atZone(zone).toLocalDate(), last.atZone(zone).toLocalDate());
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).replace('_', ' ');
    }

    /** "VAT ID" for value-added tax numbers, "Tax ID (US EIN)" for other known types, "Tax ID" for {@code other}. */
    private static String taxIdLabel(String type, Labels labels) {
        if (type.endsWith("_vat") || type.endsWith("_gst") || type.equals("ca_gst_hst")) {
            return labels.get("vatId");
        }
        if (type.isEmpty() || type.equals("other")) {
            return labels.get("otherTaxId");
        }
        return labels.format("taxIdOfType", type.replace('_', ' ').toUpperCase(java.util.Locale.ROOT));
    }
}

package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.text.Normalizer;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * Renders one invoice for people: HTML for a browser, PDF for download. Inputs are the API's JSON shapes.
 *
 * <p>Amounts are the API's decimal strings, formatted through {@link BigDecimal} and a US-English
 * currency {@link NumberFormat} with the currency's own number of decimals ("$59.82", "¥1,234",
 * "BHD 1.235"); a value with more decimals than its currency usually has (a unit price of a tenth of a
 * cent) keeps them all rather than being rounded. Currencies whose symbol is letters, or whose symbol the
 * PDF's font cannot draw, are written with their ISO code ("BHD 1.235", "INR 1,234.50"). Dates are shown
 * in the customer's time zone; a period's end is exclusive, so its last day is the one before the end.
 *
 * <p>The HTML is one self-contained page: inline CSS, no scripts, no external requests, every text
 * escaped. The PDF uses only the standard Helvetica fonts (nothing embedded), so text they cannot encode
 * is drawn as '?'.
 */
final class InvoiceDocuments {
    static final String EVENTS_HINT = "Every line lists the events behind it: GET /v1/invoices/%s/lines/{line}/events";

    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MMM d, yyyy", Locale.US);
    private static final DateTimeFormatter MONTH_DAY = DateTimeFormatter.ofPattern("MMM d", Locale.US);

    private InvoiceDocuments() {
    }

    /** One self-contained HTML page for the invoice; {@code customer} may be null when unknown. */
    static String html(JsonNode invoice, JsonNode customer, String tenantName) {
        return Html.render(View.of(invoice, customer, tenantName, symbol -> true));
    }

    /** An A4 PDF of the invoice, as many pages as its lines need; {@code customer} may be null when unknown. */
    static byte[] pdf(JsonNode invoice, JsonNode customer, String tenantName) {
        try (Pdf pdf = new Pdf()) {
            return pdf.render(View.of(invoice, customer, tenantName, pdf::canShow));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // What is shown, already formatted: both renderers draw the same view.

    private record Fact(String label, String value) {
    }

    private record Line(String description, String detail, String quantity, String unitPrice, String amount) {
    }

    private record View(String seller, String invoiceId, String number, String status, boolean draft,
            boolean voided, List<Fact> facts, String customerName, List<String> customerLines,
            List<Line> lines, List<Fact> subtotals, String total, List<Fact> credits, String amountDue,
            String eventsHint) {

        String heading() {
            return draft ? "DRAFT" : "Invoice " + number;
        }

        String documentTitle() {
            return draft ? ("DRAFT " + invoiceId).strip() : number;
        }

        static View of(JsonNode invoice, JsonNode customer, String tenantName, Predicate<String> showable) {
            if (invoice == null || !invoice.isObject()) {
                throw new IllegalArgumentException("invoice must be a JSON object");
            }
            JsonNode cust = customer == null || customer.isNull() ? MissingNode.getInstance() : customer;
            String id = text(invoice, "id", "");
            String number = text(invoice, "number", null);
            String status = text(invoice, "status", "");
            boolean draft = number == null || number.isBlank() || status.equals("draft");
            ZoneId zone = zone(text(cust, "timezone", null));
            String currency = text(invoice, "currency", text(cust, "currency", ""));
            MoneyFormat money = new MoneyFormat(currency, showable);

            List<Fact> facts = new ArrayList<>();
            facts.add(new Fact("Status", capitalize(status)));
            String issued = day(instant(invoice, "issued_for"), zone);
            if (!issued.isEmpty()) {
                facts.add(new Fact(draft ? "To be issued" : "Issue date", issued));
            }
            String period = period(instant(invoice, "period_start"), instant(invoice, "period_end"), zone);
            if (!period.isEmpty()) {
                facts.add(new Fact("Period", period));
            }
            String paid = day(instant(invoice, "paid_at"), zone);
            if (!paid.isEmpty()) {
                facts.add(new Fact("Paid", paid));
            }
            String voided = day(instant(invoice, "voided_at"), zone);
            if (!voided.isEmpty()) {
                facts.add(new Fact("Voided", voided));
            }
            if (!currency.isEmpty()) {
                facts.add(new Fact("Currency", currency));
            }
            facts.add(new Fact("Time zone", zone.getId()));

            String customerId = text(cust, "external_id", text(invoice, "customer", ""));
            String customerName = text(cust, "name", customerId);
            List<String> customerLines = new ArrayList<>();
            if (!customerId.isEmpty()) {
                customerLines.add("Customer ID: " + customerId);
            }
            String email = text(cust, "email", "");
            if (!email.isBlank()) {
                customerLines.add(email);
            }
            customerLines.addAll(address(cust.path("billing_address")));

            List<Line> lines = new ArrayList<>();
            JsonNode lineNodes = array(invoice.path("lines"));
            for (int i = 0; i < lineNodes.size(); i++) {
                lines.add(line(lineNodes.get(i), "lines[" + i + "]", money, zone));
            }

            List<Fact> subtotals = new ArrayList<>();
            subtotals.add(new Fact("Subtotal", money.format(invoice.path("subtotal"), "subtotal")));
            JsonNode taxes = array(invoice.path("taxes"));
            for (int i = 0; i < taxes.size(); i++) {
                JsonNode tax = taxes.get(i);
                String name = text(tax, "name", "Tax");
                String percent = text(tax, "percent", null);
                String label = percent == null ? name : name + " (" + percent(percent, "taxes[" + i + "].percent") + ")";
                subtotals.add(new Fact(label, money.format(tax.path("amount"), "taxes[" + i + "].amount")));
            }
            if (taxes.isEmpty() && present(invoice.path("tax"))) {
                subtotals.add(new Fact("Tax", money.format(invoice.path("tax"), "tax")));
            }
            String total = money.format(invoice.path("total"), "total");
            // credits: one row per grant that paid (after tax, on the total), the credit a negative total carries to
            // the customer's balance, then the amount due; nothing when credits changed nothing
            List<Fact> credits = new ArrayList<>();
            JsonNode section = invoice.path("credits");
            JsonNode creditLines = array(section.path("lines"));
            for (int i = 0; i < creditLines.size(); i++) {
                JsonNode l = creditLines.get(i);
                credits.add(new Fact("Credit: " + text(l, "description", "Credits") + " (" + text(l, "grant", "") + ")",
                        money.format(decimal(l.path("amount"), "credits.lines[" + i + "].amount").negate())));
            }
            JsonNode toBalance = section.path("credit_to_balance");
            if (present(toBalance) && decimal(toBalance, "credits.credit_to_balance").signum() > 0) {
                credits.add(new Fact(draft ? "Credit to your balance when finalized" : "Credited to your balance",
                        money.format(toBalance, "credits.credit_to_balance")));
            }
            String amountDue = credits.isEmpty() ? "" : money.format(invoice.path("amount_due"), "amount_due");
            return new View(tenantName == null ? "" : tenantName, id, draft ? null : number, status, draft,
                    status.equals("void"), facts, customerName, customerLines, lines, subtotals, total, credits,
                    amountDue, EVENTS_HINT.formatted(id.isEmpty() ? "{id}" : id));
        }

        private static Line line(JsonNode line, String where, MoneyFormat money, ZoneId zone) {
            List<String> detail = new ArrayList<>();
            String charge = text(line, "charge", "");
            if (!charge.isEmpty()) {
                detail.add("charge " + charge);
            }
            JsonNode adjusts = line.path("adjusts_period");
            if (adjusts.isObject()) {
                detail.add("adjusts " + period(instant(adjusts, "start"), instant(adjusts, "end"), zone));
            }
            long events = line.path("events").asLong(0);
            if (events > 0) {
                detail.add(NumberFormat.getIntegerInstance(Locale.US).format(events) + (events == 1 ? " event" : " events"));
            }
            String lineId = text(line, "id", "");
            if (!lineId.isEmpty()) {
                detail.add("line " + lineId);
            }
            return new Line(text(line, "description", ""), String.join(" \u00b7 ", detail),
                    quantity(line.path("quantity"), where + ".quantity"),
                    money.format(line.path("unit_price"), where + ".unit_price"),
                    money.format(line.path("amount"), where + ".amount"));
        }
    }

    /** Formats amounts of one currency, exactly: never rounds away a digit the string had. */
    private static final class MoneyFormat {
        private final String code;
        private final Currency currency;
        private final boolean withCode;

        MoneyFormat(String code, Predicate<String> showable) {
            this.code = code == null ? "" : code.trim().toUpperCase(Locale.ROOT);
            Currency known = null;
            try {
                known = this.code.isEmpty() ? null : Currency.getInstance(this.code);
            } catch (IllegalArgumentException unknownCode) {
                known = null;
            }
            this.currency = known;
            String symbol = known == null ? "" : known.getSymbol(Locale.US);
            this.withCode = symbol.isEmpty() || symbol.chars().allMatch(Character::isLetter) || !showable.test(symbol);
        }

        String format(JsonNode value, String where) {
            return present(value) ? format(decimal(value, where)) : "";
        }

        String format(BigDecimal amount) {
            int digits = currency == null
                    ? Math.max(0, amount.scale())
                    : Math.max(0, currency.getDefaultFractionDigits());
            int needed = Math.max(digits, Math.max(0, amount.stripTrailingZeros().scale()));
            DecimalFormat f = (DecimalFormat) NumberFormat.getCurrencyInstance(Locale.US);
            if (currency != null) {
                f.setCurrency(currency);
            }
            f.setMinimumFractionDigits(digits);
            f.setMaximumFractionDigits(needed);
            if (withCode) {
                DecimalFormatSymbols symbols = f.getDecimalFormatSymbols();
                symbols.setCurrencySymbol(code.isEmpty() ? "" : code + " ");
                f.setDecimalFormatSymbols(symbols);
            }
            return f.format(amount);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Reading the JSON

    private static boolean present(JsonNode n) {
        return n != null && !n.isMissingNode() && !n.isNull();
    }

    private static JsonNode array(JsonNode n) {
        return n.isArray() ? n : MissingNode.getInstance();
    }

    private static String text(JsonNode node, String field, String otherwise) {
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

    private static String quantity(JsonNode value, String where) {
        if (!present(value)) {
            return "";
        }
        BigDecimal q = decimal(value, where);
        NumberFormat f = NumberFormat.getNumberInstance(Locale.US);
        f.setMinimumFractionDigits(0);
        f.setMaximumFractionDigits(Math.max(0, q.stripTrailingZeros().scale()));
        return f.format(q);
    }

    private static String percent(String percent, String where) {
        try {
            return new BigDecimal(percent.trim()).stripTrailingZeros().toPlainString() + "%";
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + " is not a decimal number: " + percent, e);
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

    private static String day(Instant at, ZoneId zone) {
        return at == null ? "" : DAY.format(at.atZone(zone));
    }

    /** "Nov 1 - Nov 30, 2026" for [Nov 1, Dec 1): the end is exclusive, so its last second names the last day. */
    private static String period(Instant start, Instant endExclusive, ZoneId zone) {
        if (start == null || endExclusive == null) {
            return start == null ? "" : "from " + day(start, zone);
        }
        Instant last = endExclusive.minusSeconds(1);
        if (last.isBefore(start)) {
            last = start;
        }
        LocalDate first = start.atZone(zone).toLocalDate();
        LocalDate lastDay = last.atZone(zone).toLocalDate();
        if (first.equals(lastDay)) {
            return DAY.format(first);
        }
        return (first.getYear() == lastDay.getYear() ? MONTH_DAY.format(first) : DAY.format(first))
                + " - " + DAY.format(lastDay);
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).replace('_', ' ');
    }

    private static List<String> address(JsonNode a) {
        List<String> out = new ArrayList<>();
        if (!a.isObject()) {
            return out;
        }
        for (String f : List.of("line1", "line2")) {
            String v = text(a, f, "").strip();
            if (!v.isEmpty()) {
                out.add(v);
            }
        }
        String city = text(a, "city", "").strip();
        String state = text(a, "state", "").strip();
        String postal = text(a, "postal_code", "").strip();
        StringBuilder place = new StringBuilder(city);
        if (!state.isEmpty()) {
            place.append(place.isEmpty() ? "" : ", ").append(state);
        }
        if (!postal.isEmpty()) {
            place.append(place.isEmpty() ? "" : " ").append(postal);
        }
        if (!place.isEmpty()) {
            out.add(place.toString());
        }
        String country = text(a, "country", "").strip();
        if (!country.isEmpty()) {
            out.add(country);
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // HTML

    /** Escapes text for HTML element content and quoted attribute values. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final class Html {
        private static final String CSS = """
                :root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;\
                color:#18181b;background:#f4f4f5;line-height:1.45}
                body{margin:0;padding:12px}
                main{box-sizing:border-box;max-width:860px;margin:0 auto;background:#fff;padding:20px;border-radius:8px;\
                box-shadow:0 1px 3px rgba(0,0,0,.12)}
                header{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:flex-start;gap:12px}
                .seller{margin:0;font-size:1.15rem;font-weight:700;overflow-wrap:anywhere}
                h1{margin:0;font-size:1.5rem;overflow-wrap:anywhere}
                h2{margin:0 0 6px;font-size:.8rem;text-transform:uppercase;letter-spacing:.06em;color:#52525b}
                .stamp{display:inline-block;margin:6px 0 0;padding:2px 12px;border:3px solid currentColor;\
                font-size:1.4rem;font-weight:800;letter-spacing:.12em}
                .void{color:#b42318}
                .note{margin:8px 0 0;padding:8px 12px;border-radius:6px;background:#fef3c7;color:#713f12}
                .note.void{background:#fee4e2;color:#7a271a}
                .parties{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:16px;margin:20px 0}
                .parties p{margin:0;overflow-wrap:anywhere}
                dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
                dt{color:#52525b}dd{margin:0;overflow-wrap:anywhere}
                .scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
                table{width:100%;min-width:540px;border-collapse:collapse}
                th,td{padding:8px;text-align:left;vertical-align:top;border-bottom:1px solid #e4e4e7}
                thead th{font-size:.8rem;color:#52525b;background:#fafafa}
                .num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
                .desc{overflow-wrap:anywhere}
                .detail{display:block;margin-top:2px;color:#52525b;font-size:.85em}
                tfoot th{text-align:right;font-weight:400;border-bottom:none}tfoot td{border-bottom:none}
                tfoot .total th,tfoot .total td{font-weight:700;font-size:1.1em;border-top:2px solid #18181b}
                footer{margin-top:20px;color:#52525b;font-size:.85rem}footer code{overflow-wrap:anywhere}
                @media print{body{background:#fff;padding:0}main{box-shadow:none;max-width:none}\
                .scroll{overflow:visible}table{min-width:0}}
                """;

        static String render(View v) {
            StringBuilder h = new StringBuilder(4096 + v.lines().size() * 400);
            String title = v.heading() + (v.seller().isEmpty() ? "" : " \u00b7 " + v.seller());
            h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                    .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                    .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
                    .append("<meta name=\"referrer\" content=\"no-referrer\">\n")
                    .append("<title>").append(escape(title)).append("</title>\n")
                    .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");

            h.append("<header>\n<div>\n");
            if (!v.seller().isEmpty()) {
                h.append("<p class=\"seller\">").append(escape(v.seller())).append("</p>\n");
            }
            h.append("<h1>").append(escape(v.heading())).append("</h1>\n");
            h.append("</div>\n");
            if (v.voided()) {
                h.append("<p class=\"stamp void\">VOID</p>\n");
            }
            h.append("</header>\n");
            if (v.draft()) {
                h.append("<p class=\"note\">This is a draft: its lines and amounts may still change.</p>\n");
            }
            if (v.voided()) {
                h.append("<p class=\"note void\">This invoice is void and is not payable.</p>\n");
            }

            h.append("<div class=\"parties\">\n<section aria-labelledby=\"bill-to\">\n<h2 id=\"bill-to\">Bill to</h2>\n")
                    .append("<p><strong>").append(escape(v.customerName())).append("</strong></p>\n");
            for (String l : v.customerLines()) {
                h.append("<p>").append(escape(l)).append("</p>\n");
            }
            h.append("</section>\n<section aria-labelledby=\"details\">\n<h2 id=\"details\">Details</h2>\n<dl>\n");
            for (Fact f : v.facts()) {
                h.append("<dt>").append(escape(f.label())).append("</dt><dd>").append(escape(f.value())).append("</dd>\n");
            }
            h.append("</dl>\n</section>\n</div>\n");

            h.append("<section aria-labelledby=\"lines\">\n<h2 id=\"lines\">Lines</h2>\n<div class=\"scroll\">\n")
                    .append("<table aria-labelledby=\"lines\">\n<thead>\n<tr>")
                    .append("<th scope=\"col\">Description</th><th scope=\"col\" class=\"num\">Quantity</th>")
                    .append("<th scope=\"col\" class=\"num\">Unit price</th><th scope=\"col\" class=\"num\">Amount</th>")
                    .append("</tr>\n</thead>\n<tbody>\n");
            if (v.lines().isEmpty()) {
                h.append("<tr><td colspan=\"4\">No lines on this invoice.</td></tr>\n");
            }
            for (Line l : v.lines()) {
                h.append("<tr><td class=\"desc\">").append(escape(l.description()));
                if (!l.detail().isEmpty()) {
                    h.append("<span class=\"detail\">").append(escape(l.detail())).append("</span>");
                }
                h.append("</td><td class=\"num\">").append(escape(l.quantity()))
                        .append("</td><td class=\"num\">").append(escape(l.unitPrice()))
                        .append("</td><td class=\"num\">").append(escape(l.amount())).append("</td></tr>\n");
            }
            h.append("</tbody>\n<tfoot>\n");
            for (Fact f : v.subtotals()) {
                h.append("<tr><th scope=\"row\" colspan=\"3\">").append(escape(f.label()))
                        .append("</th><td class=\"num\">").append(escape(f.value())).append("</td></tr>\n");
            }
            h.append("<tr class=\"total\"><th scope=\"row\" colspan=\"3\">Total</th><td class=\"num\">")
                    .append(escape(v.total())).append("</td></tr>\n");
            for (Fact f : v.credits()) {
                h.append("<tr class=\"credit\"><th scope=\"row\" colspan=\"3\">").append(escape(f.label()))
                        .append("</th><td class=\"num\">").append(escape(f.value())).append("</td></tr>\n");
            }
            if (!v.credits().isEmpty()) {
                h.append("<tr class=\"total\"><th scope=\"row\" colspan=\"3\">Amount due</th><td class=\"num\">")
                        .append(escape(v.amountDue())).append("</td></tr>\n");
            }
            h.append("</tfoot>\n</table>\n</div>\n</section>\n");

            h.append("<footer>\n<p>").append(escape(hintPrefix(v))).append("<code>").append(escape(hintCall(v)))
                    .append("</code></p>\n</footer>\n</main>\n</body>\n</html>\n");
            return h.toString();
        }

        private static String hintPrefix(View v) {
            return v.eventsHint().substring(0, v.eventsHint().indexOf("GET "));
        }

        private static String hintCall(View v) {
            return v.eventsHint().substring(v.eventsHint().indexOf("GET "));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // PDF. Coordinates are PDF points (floats, as PDFBox takes them); no amount is ever a float.

    private static final class Pdf implements AutoCloseable {
        private static final PDRectangle PAGE = PDRectangle.A4;
        private static final float MARGIN = 50f;
        private static final float LEFT = MARGIN;
        private static final float RIGHT = PAGE.getWidth() - MARGIN;
        private static final float TOP = PAGE.getHeight() - MARGIN;
        /** Lowest baseline the body may use; the footer lives below it. */
        private static final float BOTTOM = 72f;
        private static final float GAP = 12f;
        private static final float TOTALS_ROW = 15f;
        private static final String ELLIPSIS = "\u2026";
        private static final float[] INK = {0.09f, 0.09f, 0.11f};
        private static final float[] MUTED = {0.36f, 0.36f, 0.40f};
        private static final float[] RULE = {0.85f, 0.85f, 0.88f};
        private static final float[] SHADE = {0.96f, 0.96f, 0.97f};
        private static final float[] ALERT = {0.71f, 0.14f, 0.09f};
        private static final float[] CAUTION = {0.57f, 0.25f, 0.05f};

        private final PDDocument doc = new PDDocument();
        private final PDType1Font regular = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        private final PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
        private final Map<Integer, Boolean> encodable = new HashMap<>();
        private final List<PDPage> pages = new ArrayList<>();
        private PDPageContentStream out;
        private float y;
        private View current;

        // table columns, set once per document
        private float descWidth;
        private float qtyRight;
        private float unitRight;
        private float qtyWidth;
        private float unitWidth;
        private float amountWidth;

        /** True when every character of {@code s} can be drawn with the standard fonts as it is. */
        boolean canShow(String s) {
            return s.codePoints().allMatch(this::encodable);
        }

        byte[] render(View v) {
            current = v;
            try {
                PDDocumentInformation info = doc.getDocumentInformation();
                info.setTitle(v.documentTitle());
                info.setAuthor(v.seller());
                info.setSubject(v.heading() + " for " + v.customerName());
                info.setCreator("Tally");
                doc.getDocumentCatalog().setLanguage("en-US");

                columns(v);
                newPage();
                firstPageHeader(v);
                tableHeader();
                List<Line> lines = v.lines().isEmpty()
                        ? List.of(new Line("No lines on this invoice.", "", "", "", ""))
                        : v.lines();
                for (int i = 0; i < lines.size(); i++) {
                    // the last line goes where the totals fit too: totals never stand alone on a page
                    row(lines.get(i), i == lines.size() - 1 ? totalsHeight(v) : 0f);
                }
                totals(v);
                out.close();
                out = null;
                footers(v);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                doc.save(bytes);
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException("could not render the invoice PDF", e);
            }
        }

        @Override
        public void close() {
            try {
                if (out != null) {
                    out.close();
                }
                doc.close();
            } catch (IOException e) {
                throw new UncheckedIOException("could not release the invoice PDF", e);
            }
        }

        // -- layout

        private void columns(View v) {
            float size = 9f;
            qtyWidth = Math.max(55f, width(bold, 8.5f, "Quantity"));
            unitWidth = Math.max(70f, width(bold, 8.5f, "Unit price"));
            amountWidth = Math.max(75f, width(bold, 8.5f, "Amount"));
            for (Line l : v.lines()) {
                qtyWidth = Math.max(qtyWidth, width(regular, size, clean(l.quantity())));
                unitWidth = Math.max(unitWidth, width(regular, size, clean(l.unitPrice())));
                amountWidth = Math.max(amountWidth, width(regular, size, clean(l.amount())));
            }
            unitRight = RIGHT - amountWidth - GAP;
            qtyRight = unitRight - unitWidth - GAP;
            descWidth = Math.max(120f, qtyRight - qtyWidth - GAP - LEFT);
        }

        private void newPage() throws IOException {
            if (out != null) {
                out.close();
            }
            PDPage page = new PDPage(PAGE);
            doc.addPage(page);
            pages.add(page);
            out = new PDPageContentStream(doc, page);
            y = TOP;
        }

        private void firstPageHeader(View v) throws IOException {
            float left = TOP;
            for (String s : wrap(bold, 16f, v.seller(), 270f, 2)) {
                left -= 16f;
                text(bold, 16f, INK, LEFT, left, s);
                left -= 4f;
            }
            float right = TOP;
            if (v.draft()) {
                right -= 24f;
                textRight(bold, 24f, CAUTION, RIGHT, right, "DRAFT");
                right -= 14f;
                textRight(regular, 8.5f, MUTED, RIGHT, right, "Not final: lines and amounts may still change");
            } else {
                right -= 9f;
                textRight(bold, 9f, MUTED, RIGHT, right, "INVOICE");
                right -= 20f;
                textRight(bold, 16f, INK, RIGHT, right, clip(bold, 16f, v.number(), 200f));
            }
            if (v.voided()) {
                right -= 28f;
                textRight(bold, 24f, ALERT, RIGHT, right, "VOID");
                right -= 14f;
                textRight(regular, 8.5f, ALERT, RIGHT, right, "This invoice is void and is not payable");
            }
            y = Math.min(left, right) - 28f;

            // bill to, on the left; the facts on the right
            float columnTop = y;
            float billWidth = 230f;
            float l = columnTop - 8f;
            text(bold, 8f, MUTED, LEFT, l, "BILL TO");
            l -= 14f;
            for (String s : wrap(bold, 10f, v.customerName(), billWidth, 2)) {
                text(bold, 10f, INK, LEFT, l, s);
                l -= 12.5f;
            }
            for (String line : v.customerLines()) {
                for (String s : wrap(regular, 9f, line, billWidth, 2)) {
                    text(regular, 9f, INK, LEFT, l, s);
                    l -= 11.5f;
                }
            }

            float factsLeft = LEFT + billWidth + 30f;
            float r = columnTop - 8f;
            text(bold, 8f, MUTED, factsLeft, r, "DETAILS");
            r -= 14f;
            float labelWidth = 80f;
            for (Fact f : v.facts()) {
                text(regular, 9f, MUTED, factsLeft, r, clip(regular, 9f, f.label(), labelWidth - 4f));
                textRight(regular, 9f, INK, RIGHT, r, clip(regular, 9f, f.value(), RIGHT - factsLeft - labelWidth));
                r -= 12.5f;
            }
            y = Math.min(l, r) - 16f;
        }

        private void continuationHeader(View v) throws IOException {
            text(regular, 9f, MUTED, LEFT, TOP - 9f, clip(regular, 9f, v.seller(), 240f));
            String what = (v.draft() ? "DRAFT" : v.number()) + (v.voided() ? " (VOID)" : "") + ", continued";
            textRight(bold, 9f, v.voided() ? ALERT : INK, RIGHT, TOP - 9f, clip(bold, 9f, what, 240f));
            y = TOP - 26f;
        }

        private void tableHeader() throws IOException {
            float h = 18f;
            fill(SHADE, LEFT, y - h, RIGHT - LEFT, h);
            float base = y - 12f;
            text(bold, 8.5f, MUTED, LEFT + 4f, base, "Description");
            textRight(bold, 8.5f, MUTED, qtyRight, base, "Quantity");
            textRight(bold, 8.5f, MUTED, unitRight, base, "Unit price");
            textRight(bold, 8.5f, MUTED, RIGHT - 4f, base, "Amount");
            y -= h;
        }

        private void row(Line l, float keepWithNext) throws IOException {
            float inner = descWidth - 4f;
            List<String> desc = wrap(regular, 9f, l.description(), inner, 4);
            List<String> detail = l.detail().isEmpty() ? List.of() : wrap(regular, 7.5f, l.detail(), inner, 2);
            float h = 6f + Math.max(1, desc.size()) * 11f + detail.size() * 9.5f + 5f;
            if (y - h - keepWithNext < BOTTOM) {
                newPage();
                continuationHeader(current);
                tableHeader();
            }
            float first = y - 6f - 8f;
            // the first description line, then the numbers beside it, so extracted text reads in order
            text(regular, 9f, INK, LEFT + 4f, first, desc.isEmpty() ? "" : desc.get(0));
            textRight(regular, 9f, INK, qtyRight, first, clean(l.quantity()));
            textRight(regular, 9f, INK, unitRight, first, clean(l.unitPrice()));
            textRight(regular, 9f, INK, RIGHT - 4f, first, clean(l.amount()));
            float base = first - 11f;
            for (String s : desc.subList(Math.min(1, desc.size()), desc.size())) {
                text(regular, 9f, INK, LEFT + 4f, base, s);
                base -= 11f;
            }
            if (desc.isEmpty()) {
                base = first - 11f;
            }
            base += 1f;
            for (String s : detail) {
                text(regular, 7.5f, MUTED, LEFT + 4f, base, s);
                base -= 9.5f;
            }
            y -= h;
            rule(RULE, 0.5f, LEFT, y, RIGHT);
        }

        private static float totalsHeight(View v) {
            return 12f + v.subtotals().size() * TOTALS_ROW + 8f + 18f
                    + (v.credits().isEmpty() ? 0f : (v.credits().size() + 1) * TOTALS_ROW + 13f);
        }

        private void totals(View v) throws IOException {
            float rowHeight = TOTALS_ROW;
            if (y - totalsHeight(v) < BOTTOM) {
                newPage();
                continuationHeader(v);
            }
            float labelLeft = RIGHT - 250f;
            float base = y - 12f - 9f;
            for (Fact f : v.subtotals()) {
                String value = clean(f.value());
                float valueWidth = width(regular, 9.5f, value);
                text(regular, 9.5f, MUTED, labelLeft, base, clip(regular, 9.5f, f.label(), RIGHT - labelLeft - valueWidth - GAP));
                textRight(regular, 9.5f, INK, RIGHT - 4f, base, value);
                base -= rowHeight;
            }
            rule(INK, 1f, labelLeft, base + rowHeight - 5f, RIGHT);
            base -= 5f;
            text(bold, 11f, INK, labelLeft, base, "Total");
            textRight(bold, 11f, INK, RIGHT - 4f, base, clean(v.total()));
            if (!v.credits().isEmpty()) {
                base -= rowHeight + 4f;
                for (Fact f : v.credits()) {
                    String value = clean(f.value());
                    float valueWidth = width(regular, 9.5f, value);
                    text(regular, 9.5f, MUTED, labelLeft, base, clip(regular, 9.5f, f.label(),
                            RIGHT - labelLeft - valueWidth - GAP));
                    textRight(regular, 9.5f, INK, RIGHT - 4f, base, value);
                    base -= rowHeight;
                }
                rule(INK, 1f, labelLeft, base + rowHeight - 5f, RIGHT);
                base -= 5f;
                text(bold, 11f, INK, labelLeft, base, "Amount due");
                textRight(bold, 11f, INK, RIGHT - 4f, base, clean(v.amountDue()));
            }
            y = base - 10f;
        }

        private void footers(View v) throws IOException {
            int n = pages.size();
            for (int i = 0; i < n; i++) {
                try (PDPageContentStream s = new PDPageContentStream(doc, pages.get(i),
                        PDPageContentStream.AppendMode.APPEND, true, true)) {
                    out = s;
                    rule(RULE, 0.5f, LEFT, 48f, RIGHT);
                    String page = "Page " + (i + 1) + " of " + n;
                    float pageWidth = width(regular, 7.5f, page);
                    List<String> hint = wrap(regular, 7.5f, v.eventsHint(), RIGHT - LEFT - pageWidth - GAP, 2);
                    float base = 38f;
                    for (String h : hint) {
                        text(regular, 7.5f, MUTED, LEFT, base, h);
                        base -= 9f;
                    }
                    textRight(regular, 7.5f, MUTED, RIGHT, 38f, page);
                } finally {
                    out = null;
                }
            }
        }

        // -- drawing primitives; every string reaching them has been through clean()

        private void text(PDType1Font font, float size, float[] color, float x, float baseline, String s)
                throws IOException {
            if (s.isEmpty()) {
                return;
            }
            out.beginText();
            out.setFont(font, size);
            out.setNonStrokingColor(color[0], color[1], color[2]);
            out.newLineAtOffset(x, baseline);
            out.showText(s);
            out.endText();
        }

        private void textRight(PDType1Font font, float size, float[] color, float right, float baseline, String s)
                throws IOException {
            text(font, size, color, right - width(font, size, s), baseline, s);
        }

        private void fill(float[] color, float x, float yy, float w, float h) throws IOException {
            out.setNonStrokingColor(color[0], color[1], color[2]);
            out.addRect(x, yy, w, h);
            out.fill();
        }

        private void rule(float[] color, float thickness, float x1, float yy, float x2) throws IOException {
            out.setStrokingColor(color[0], color[1], color[2]);
            out.setLineWidth(thickness);
            out.moveTo(x1, yy);
            out.lineTo(x2, yy);
            out.stroke();
        }

        // -- text that fits

        private float width(PDType1Font font, float size, String s) {
            try {
                return font.getStringWidth(s) / 1000f * size;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private boolean encodable(int codePoint) {
            return encodable.computeIfAbsent(codePoint, cp -> {
                String s = new String(Character.toChars(cp));
                try {
                    regular.encode(s);
                    bold.encode(s);
                    return true;
                } catch (IllegalArgumentException | IOException cannot) {
                    return false;
                }
            });
        }

        /**
         * The text as the standard fonts can draw it: line breaks and tabs become spaces, invisible format
         * characters go, a character the fonts lack becomes its compatibility decomposition when that is
         * drawable ("ﬁ" to "fi", "ő" to "o") and '?' otherwise.
         */
        String clean(String s) {
            if (s == null || s.isEmpty()) {
                return "";
            }
            String nfc = Normalizer.normalize(s, Normalizer.Form.NFC);
            StringBuilder b = new StringBuilder(nfc.length());
            nfc.codePoints().forEach(cp -> {
                int type = Character.getType(cp);
                if (Character.isWhitespace(cp) || Character.isISOControl(cp)) {
                    b.append(' ');
                } else if (type == Character.FORMAT || type == Character.NON_SPACING_MARK
                        || type == Character.ENCLOSING_MARK) {
                    return;
                } else if (encodable(cp)) {
                    b.appendCodePoint(cp);
                } else {
                    b.append(decomposed(cp));
                }
            });
            return b.toString();
        }

        private String decomposed(int cp) {
            String d = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKD);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < d.length(); ) {
                int c = d.codePointAt(i);
                i += Character.charCount(c);
                int type = Character.getType(c);
                if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
                    continue;
                }
                if (!encodable(c)) {
                    return "?";
                }
                b.appendCodePoint(c);
            }
            return b.isEmpty() ? "?" : b.toString();
        }

        private String clip(PDType1Font font, float size, String s, float maxWidth) {
            List<String> lines = wrap(font, size, s, maxWidth, 1);
            return lines.isEmpty() ? "" : lines.get(0);
        }

        /** Greedy word wrap to {@code maxLines}; a word wider than a line is broken; an overflow ends in "…". */
        private List<String> wrap(PDType1Font font, float size, String text, float maxWidth, int maxLines) {
            String s = clean(text).strip();
            List<String> lines = new ArrayList<>();
            if (s.isEmpty()) {
                return lines;
            }
            boolean more = false;
            StringBuilder line = new StringBuilder();
            for (String word : s.split(" +")) {
                if (lines.size() >= maxLines) {
                    more = true;
                    break;
                }
                String candidate = line.isEmpty() ? word : line + " " + word;
                if (width(font, size, candidate) <= maxWidth) {
                    line.setLength(0);
                    line.append(candidate);
                    continue;
                }
                if (!line.isEmpty()) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                String rest = word;
                while (width(font, size, rest) > maxWidth && lines.size() < maxLines) {
                    int cut = fittingPrefix(font, size, rest, maxWidth);
                    lines.add(rest.substring(0, cut));
                    rest = rest.substring(cut);
                }
                if (lines.size() >= maxLines) {
                    more = true;
                    break;
                }
                line.append(rest);
            }
            if (!line.isEmpty()) {
                if (lines.size() < maxLines) {
                    lines.add(line.toString());
                } else {
                    more = true;
                }
            }
            if (more) {
                String last = lines.get(lines.size() - 1);
                while (!last.isEmpty() && width(font, size, last + ELLIPSIS) > maxWidth) {
                    last = last.substring(0, last.offsetByCodePoints(last.length(), -1));
                }
                lines.set(lines.size() - 1, last.stripTrailing() + ELLIPSIS);
            }
            return lines;
        }

        /** Length of the longest prefix of {@code s} that fits, at least one character. */
        private int fittingPrefix(PDType1Font font, float size, String s, float maxWidth) {
            int end = s.offsetByCodePoints(0, 1);
            while (end < s.length()) {
                int next = s.offsetByCodePoints(end, 1);
                if (width(font, size, s.substring(0, next)) > maxWidth) {
                    break;
                }
                end = next;
            }
            return end;
        }
    }
}

package dev.tally.server.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;

class InvoiceDocumentsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TENANT = "Tally Demo Ltd";
    static final JsonNode SELLER = InvoiceDocuments.sellerNamed(TENANT);

    static final String CUSTOMER = """
            {"external_id":"acme","name":"Acme Corp","timezone":"America/Los_Angeles","currency":"USD",
             "email":"billing@acme.test",
             "billing_address":{"line1":"1 Main St","city":"Springfield","postal_code":"12345","country":"US"},
             "tax_rates":[{"name":"VAT","percent":"20"}]}
            """;

    static final String USD_INVOICE = """
            {"id":"inv_1a2b","number":"INV-000001","status":"finalized","customer":"acme","subscription":"sub_9",
             "currency":"USD","period_start":"2026-11-01T07:00:00Z","period_end":"2026-12-01T08:00:00Z",
             "issued_for":"2026-12-01T08:00:00Z",
             "lines":[
              {"id":"L1","kind":"usage","charge":"tokens","description":"Tier 1 (up to 1000)","quantity":"1000",
               "unit_price":"0.01","amount":"10.00","period_start":"2026-11-01T07:00:00Z",
               "period_end":"2026-12-01T08:00:00Z","meter":"tokens","meter_version":1,"plan":"pro","plan_version":1,
               "price":null,"events":1234,"adjusts_period":null},
              {"id":"L2","kind":"flat_fee","charge":"base","description":"Platform fee","quantity":"1",
               "unit_price":"49.00","amount":"49.00","period_start":"2026-11-01T07:00:00Z",
               "period_end":"2026-12-01T08:00:00Z","meter":null,"meter_version":null,"plan":"pro","plan_version":1,
               "price":null,"events":0,"adjusts_period":null},
              {"id":"L3","kind":"proration_credit","charge":"base","description":"Unused time on Starter",
               "quantity":"0.25","unit_price":"-49.00","amount":"-12.25","period_start":"2026-11-23T08:00:00Z",
               "period_end":"2026-12-01T08:00:00Z","meter":null,"meter_version":null,"plan":"starter",
               "plan_version":1,"price":null,"events":0,"adjusts_period":null},
              {"id":"L4","kind":"adjustment","charge":"tokens","description":"Late usage for tokens in October",
               "quantity":"310","unit_price":"0.01","amount":"3.10","period_start":"2026-11-01T07:00:00Z",
               "period_end":"2026-12-01T08:00:00Z","meter":"tokens","meter_version":1,"plan":"pro","plan_version":1,
               "price":null,"events":17,
               "adjusts_period":{"start":"2026-10-01T07:00:00Z","end":"2026-11-01T07:00:00Z"}}],
             "subtotal":"49.85","taxes":[{"name":"VAT","percent":"20","amount":"9.97"}],"tax":"9.97","total":"59.82",
             "created_at":"2026-12-01T08:00:00Z","updated_at":"2026-12-01T09:00:00Z",
             "finalize_after":"2026-12-01T09:00:00Z","finalized_at":"2026-12-01T09:00:00Z",
             "paid_at":null,"voided_at":null,"due_date":"2026-12-31"}
            """;

    // -- PDF

    @Test
    void pdfOfAUsdInvoiceShowsNumberCustomerEveryLineAndTotalsInDollars() {
        String text = pdfText(InvoiceDocuments.pdf(json(USD_INVOICE), json(CUSTOMER), SELLER));

        assertThat(text).contains("INV-000001", TENANT, "Acme Corp", "Customer ID: acme", "billing@acme.test",
                "1 Main St", "Springfield 12345", "United States", "Finalized");
        assertThat(text).contains("Tier 1 (up to 1000)", "Platform fee", "Unused time on Starter",
                "Late usage for tokens in October");
        assertThat(text).contains("Subtotal", "$49.85", "VAT (20%)", "$9.97", "Total", "$59.82");
        assertThat(text).contains("$10.00", "$49.00", "-$12.25", "$3.10", "1,000", "0.25");
        assertThat(text).doesNotContain("/v1/", "{line}");
        assertThat(text).contains("Page 1 of 1");
    }

    @Test
    void pdfShowsDatesInTheCustomersTimeZoneWithTheExclusivePeriodEnd() {
        String text = pdfText(InvoiceDocuments.pdf(json(USD_INVOICE), json(CUSTOMER), SELLER));

        // 2026-11-01T07:00Z is midnight in Los Angeles; the end (Dec 1, midnight there) is exclusive
        assertThat(text).contains("Nov 1 – Nov 30, 2026", "Dec 1, 2026", "America/Los_Angeles");
        assertThat(text).doesNotContain("Nov 1 – Dec 1, 2026");
    }

    @Test
    void pdfNamesTheChargeAndTheAdjustedPeriodUnderEachLine() {
        String text = pdfText(InvoiceDocuments.pdf(json(USD_INVOICE), json(CUSTOMER), SELLER));

        assertThat(text).contains("charge tokens", "charge base", "1,234 events", "line L1");
        assertThat(text).contains("adjusts Oct 1 – Oct 31, 2026");
    }

    @Test
    void pdfDocumentInfoHasTheInvoiceNumberAsTitleAndTheTenantAsAuthor() throws IOException {
        byte[] pdf = InvoiceDocuments.pdf(json(USD_INVOICE), json(CUSTOMER), SELLER);

        assertThat(new String(pdf, 0, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            assertThat(doc.getDocumentInformation().getTitle()).isEqualTo("INV-000001");
            assertThat(doc.getDocumentInformation().getAuthor()).isEqualTo(TENANT);
            assertThat(doc.getPage(0).getMediaBox().getWidth()).isBetween(595f, 596f);
            assertThat(doc.getPage(0).getMediaBox().getHeight()).isBetween(841f, 842f);
        }
    }

    @Test
    void yenHasNoDecimals() {
        ObjectNode inv = json(USD_INVOICE);
        inv.put("currency", "JPY");
        ArrayNode lines = inv.putArray("lines");
        lines.add(line("L1", "API calls", "1234", "1", "1234"));
        inv.put("subtotal", "1234").put("tax", "0").put("total", "1234");
        inv.putArray("taxes");
        ObjectNode cust = json(CUSTOMER).put("currency", "JPY").put("timezone", "Asia/Tokyo");

        String pdf = pdfText(InvoiceDocuments.pdf(inv, cust, SELLER));
        String html = InvoiceDocuments.html(inv, cust, SELLER);

        assertThat(pdf).contains("¥1,234", "¥1", "¥0").doesNotContain("¥1,234.00");
        assertThat(html).contains("¥1,234").doesNotContain("¥1,234.00");
    }

    @Test
    void bahrainiDinarHasThreeDecimalsAndItsCode() {
        ObjectNode inv = json(USD_INVOICE);
        inv.put("currency", "BHD");
        inv.putArray("lines").add(line("L1", "Storage", "1", "1.235", "1.235"));
        inv.put("subtotal", "1.235").put("total", "1.235").put("tax", "0.000");
        inv.putArray("taxes");

        String pdf = pdfText(InvoiceDocuments.pdf(inv, json(CUSTOMER), SELLER));
        String html = InvoiceDocuments.html(inv, json(CUSTOMER), SELLER);

        assertThat(pdf).contains("BHD 1.235", "BHD 0.000");
        assertThat(html).contains("BHD 1.235");
    }

    @Test
    void currencyWhoseSymbolTheFontLacksIsWrittenWithItsCodeInThePdfButItsSymbolInHtml() {
        ObjectNode inv = json(USD_INVOICE).put("currency", "INR");

        String pdf = pdfText(InvoiceDocuments.pdf(inv, json(CUSTOMER), SELLER));
        String html = InvoiceDocuments.html(inv, json(CUSTOMER), SELLER);

        assertThat(pdf).contains("INR 59.82", "-INR 12.25").doesNotContain("?59.82");
        assertThat(html).contains("₹59.82");
    }

    @Test
    void euroAndPoundSymbolsAreDrawnInThePdf() {
        assertThat(pdfText(InvoiceDocuments.pdf(json(USD_INVOICE).put("currency", "EUR"), json(CUSTOMER), SELLER)))
                .contains("€59.82");
        assertThat(pdfText(InvoiceDocuments.pdf(json(USD_INVOICE).put("currency", "GBP"), json(CUSTOMER), SELLER)))
                .contains("£59.82");
    }

    @Test
    void amountsAreShownExactlyEvenBeyondWhatADoubleHolds() {
        ObjectNode inv = json(USD_INVOICE);
        inv.put("total", "12345678901234567.89");
        // a unit price of a tenth of a cent keeps its digits instead of rounding to $0.00
        ((ObjectNode) inv.path("lines").get(0)).put("unit_price", "0.0015");

        String pdf = pdfText(InvoiceDocuments.pdf(inv, json(CUSTOMER), SELLER));
        String html = InvoiceDocuments.html(inv, json(CUSTOMER), SELLER);

        assertThat(pdf).contains("$12,345,678,901,234,567.89", "$0.0015");
        assertThat(html).contains("$12,345,678,901,234,567.89", "$0.0015");
    }

    @Test
    void draftShowsDraftInsteadOfANumber() throws IOException {
        ObjectNode inv = json(USD_INVOICE);
        inv.putNull("number").put("status", "draft").putNull("finalized_at");

        byte[] pdf = InvoiceDocuments.pdf(inv, json(CUSTOMER), SELLER);
        String html = InvoiceDocuments.html(inv, json(CUSTOMER), SELLER);

        assertThat(pdfText(pdf)).contains("DRAFT", "Draft", "$59.82").doesNotContain("null");
        assertThat(html).contains("<h1>DRAFT</h1>").doesNotContain("null");
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            assertThat(doc.getDocumentInformation().getTitle()).isEqualTo("DRAFT inv_1a2b");
        }
    }

    @Test
    void voidInvoiceSaysVoid() {
        ObjectNode inv = json(USD_INVOICE).put("status", "void").put("voided_at", "2026-12-03T18:00:00Z");

        String pdf = pdfText(InvoiceDocuments.pdf(inv, json(CUSTOMER), SELLER));
        String html = InvoiceDocuments.html(inv, json(CUSTOMER), SELLER);

        assertThat(pdf).contains("VOID", "INV-000001", "Voided", "Dec 3, 2026");
        assertThat(html).contains(">VOID<", "Invoice INV-000001");
    }

    @Test
    void manyLinesSpanSeveralPagesEachWithTheTableHeader() throws IOException {
        ObjectNode inv = json(USD_INVOICE);
        ArrayNode lines = inv.putArray("lines");
        for (int i = 1; i <= 120; i++) {
            lines.add(line("L" + i, "Usage line number " + i, "10", "1.00", "10.00"));
        }
        inv.put("subtotal", "1200.00").put("total", "1440.00");
        inv.putArray("taxes").addObject().put("name", "VAT").put("percent", "20").put("amount", "240.00");

        byte[] pdf = InvoiceDocuments.pdf(inv, json(CUSTOMER), SELLER);
        String text = pdfText(pdf);

        int pages;
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            pages = doc.getNumberOfPages();
        }
        assertThat(pages).isGreaterThan(1);
        for (int p = 1; p <= pages; p++) {
            String page = pageText(pdf, p);
            if (page.contains("Usage line number")) {
                assertThat(count(page, "Unit price")).as("table header on page %d", p).isEqualTo(1);
            }
        }
        assertThat(text).contains("Page 1 of " + pages, "Page " + pages + " of " + pages, "INV-000001, continued");
        for (int i = 1; i <= 120; i++) {
            assertThat(text).contains("Usage line number " + i + " 10 $1.00 $10.00");
        }
        assertThat(text).contains("$1,440.00", "$1,200.00", "$240.00");
    }

    @Test
    void longDescriptionsAreWrappedAndCutWithAnEllipsis() {
        ObjectNode inv = json(USD_INVOICE);
        String words = "Enterprise support retainer covering incident response, architecture reviews and quarterly planning. ";
        String longText = words.repeat(20);
        String oneLongWord = "x".repeat(2000);
        ((ObjectNode) inv.path("lines").get(0)).put("description", longText);
        ((ObjectNode) inv.path("lines").get(1)).put("description", oneLongWord);

        String text = pdfText(InvoiceDocuments.pdf(inv, json(CUSTOMER), SELLER));

        assertThat(text).contains("Enterprise support retainer", "\u2026");
        assertThat(count(text, "\u2026")).isGreaterThanOrEqualTo(2);
        assertThat(text.length()).isLessThan(longText.length() + oneLongWord.length());
        assertThat(text).contains("$59.82");
    }

    @Test
    void charactersTheFontCannotDrawBecomeQuestionMarksAndThePdfStillRenders() {
        ObjectNode inv = json(USD_INVOICE);
        ((ObjectNode) inv.path("lines").get(0)).put("description", "Tokens 🚀 – 東京");
        ((ObjectNode) inv.path("lines").get(1)).put("description", "Café fee ﬁnal Łódź");
        ObjectNode cust = json(CUSTOMER).put("name", "株式会社 Acme");

        String text = pdfText(InvoiceDocuments.pdf(inv, cust, InvoiceDocuments.sellerNamed("Tenant ✓")));

        // the embedded font has Latin Extended-A (Łódź) but no emoji, CJK or check mark
        assertThat(text).contains("Tokens ? – ??", "Café fee final Łódź", "???? Acme", "Tenant ?");
        assertThat(InvoiceDocuments.html(inv, cust, InvoiceDocuments.sellerNamed("Tenant ✓"))).contains("Tokens 🚀 – 東京", "株式会社 Acme");
    }

    @Test
    void customerWithoutEmailOrAddressAndNoCustomerAtAllStillRender() {
        ObjectNode bare = JSON.createObjectNode().put("external_id", "acme").put("name", "Acme Corp")
                .put("timezone", "America/Los_Angeles");
        bare.putObject("billing_address");

        assertThat(pdfText(InvoiceDocuments.pdf(json(USD_INVOICE), bare, SELLER)))
                .contains("Acme Corp", "$59.82", "Nov 1 – Nov 30, 2026");
        // without a customer: the id from the invoice, dates in UTC (the period then ends Dec 1)
        assertThat(pdfText(InvoiceDocuments.pdf(json(USD_INVOICE), null, SELLER)))
                .contains("Customer ID: acme", "$59.82", "Nov 1 – Dec 1, 2026", "UTC");
        assertThat(InvoiceDocuments.html(json(USD_INVOICE), null, SELLER)).contains("acme", "$59.82");
    }

    @Test
    void anAmountThatIsNotADecimalIsRejectedNamingTheField() {
        ObjectNode inv = json(USD_INVOICE);
        ((ObjectNode) inv.path("lines").get(2)).put("amount", "twelve");

        assertThatThrownBy(() -> InvoiceDocuments.pdf(inv, json(CUSTOMER), SELLER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lines[2].amount");
        assertThatThrownBy(() -> InvoiceDocuments.html(inv, json(CUSTOMER), SELLER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lines[2].amount");
    }

    // -- HTML

    @Test
    void htmlEscapesEveryTextAndContainsNoScript() {
        ObjectNode inv = json(USD_INVOICE);
        ((ObjectNode) inv.path("lines").get(0)).put("description", "<script>alert(1)</script>");
        ((ObjectNode) inv.path("lines").get(1)).put("charge", "\"><img src=x onerror=alert(2)>");
        ObjectNode cust = json(CUSTOMER).put("name", "O'Brien & <Sons>");

        String html = InvoiceDocuments.html(inv, cust, InvoiceDocuments.sellerNamed("<b>Tenant</b>"));

        assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;", "O&#39;Brien &amp; &lt;Sons&gt;",
                "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;", "&lt;b&gt;Tenant&lt;/b&gt;");
        assertThat(html.toLowerCase(java.util.Locale.ROOT)).doesNotContain("<script", "<img", "<b>");
        assertThat(html).contains("$59.82");
    }

    @Test
    void htmlIsOneSelfContainedSemanticPageReadableOnAPhone() {
        String html = InvoiceDocuments.html(json(USD_INVOICE), json(CUSTOMER), SELLER);

        assertThat(html).startsWith("<!DOCTYPE html>");
        assertThat(html).contains("<meta name=\"viewport\"", "<main>", "<h1>Invoice INV-000001</h1>", "<h2",
                "<table", "<thead>", "<th scope=\"col\">Description</th>", "<th scope=\"row\"", "class=\"totals\"",
                "max-width", "overflow-x:auto", "<style>");
        assertThat(html.toLowerCase(java.util.Locale.ROOT))
                .doesNotContain("<script", "<link", "src=", "@import", "url(", "http://", "https://");
        assertThat(html).contains(TENANT, "Acme Corp", "billing@acme.test", "1 Main St", "Springfield 12345",
                "Tier 1 (up to 1000)", "Platform fee", "Unused time on Starter", "Late usage for tokens in October",
                "charge tokens", "adjusts Oct 1 – Oct 31, 2026", "Nov 1 – Nov 30, 2026", "Dec 1, 2026",
                "$49.85", "VAT (20%)", "$9.97", "-$12.25", "$59.82", "Due date", "Dec 31, 2026");
        assertThat(html).doesNotContain("/v1/");
    }

    // -- helpers

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode line(String id, String description, String quantity, String unitPrice, String amount) {
        ObjectNode l = JSON.createObjectNode();
        l.put("id", id).put("kind", "usage").put("charge", "calls").put("description", description)
                .put("quantity", quantity).put("unit_price", unitPrice).put("amount", amount)
                .put("period_start", "2026-11-01T07:00:00Z").put("period_end", "2026-12-01T08:00:00Z")
                .put("meter", "calls").put("meter_version", 1).put("plan", "pro").put("plan_version", 1)
                .putNull("price").put("events", 3).putNull("adjusts_period");
        return l;
    }

    static String pdfText(byte[] pdf) {
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            PDFTextStripper stripper = new PDFTextStripper();
            stripper.setSortByPosition(true);
            return stripper.getText(doc).replace('\u00a0', ' ');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String pageText(byte[] pdf, int page) {
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            PDFTextStripper stripper = new PDFTextStripper();
            stripper.setSortByPosition(true);
            stripper.setStartPage(page);
            stripper.setEndPage(page);
            return stripper.getText(doc).replace('\u00a0', ' ');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}

package dev.tally.server.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
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


    // -- the seller, due date, display precision, line periods, languages

    static final String FULL_SELLER = """
            {"id":"default","name":"default","legal_name":"Tally Demo GmbH",
             "address":{"line1":"Hauptstraße 5","line2":"3. OG","postal_code":"10115","city":"Berlin","country":"DE"},
             "tax_id":"DE123456789","email":"billing@tally-demo.test","logo":null,
             "invoice_footer":"Tally Demo GmbH · Amtsgericht Berlin HRB 12345\\nManaging director: A. Example",
             "payment_instructions":"IBAN DE89 3704 0044 0532 0130 00\\nBIC COBADEFFXXX","net_terms_days":30,
             "invoice_number_prefix":"INV-","language":"en","portal_url":null}
            """;

    @Test
    void pdfAndHtmlShowTheSellersIdentityFooterPaymentInstructionsAndTheDueDate() {
        String pdf = pdfText(InvoiceDocuments.pdf(json(USD_INVOICE), json(CUSTOMER), json(FULL_SELLER)));
        String html = InvoiceDocuments.html(json(USD_INVOICE), json(CUSTOMER), json(FULL_SELLER));

        for (String text : new String[] {pdf, html}) {
            assertThat(text).contains("Tally Demo GmbH", "Hauptstraße 5", "3. OG", "10115 Berlin", "Germany",
                    "Tax ID DE123456789", "billing@tally-demo.test", "Amtsgericht Berlin HRB 12345",
                    "Managing director: A. Example", "IBAN DE89 3704 0044 0532 0130 00", "BIC COBADEFFXXX",
                    "Due date", "Dec 31, 2026", "Please pay $59.82 by Dec 31, 2026.");
            assertThat(text).doesNotContain(">default<", "/v1/");
        }
        // the tenant's id ("default") is not the seller's name
        assertThat(pdf).contains("PAYMENT").doesNotContain("default", "Berlin 10115");
    }

    @Test
    void aDraftHasNoDueDateYet() {
        ObjectNode inv = json(USD_INVOICE);
        inv.putNull("number").put("status", "draft").putNull("finalized_at").putNull("due_date");

        String pdf = pdfText(InvoiceDocuments.pdf(inv, json(CUSTOMER), json(FULL_SELLER)));

        assertThat(pdf).contains("DRAFT", "To be issued").doesNotContain("Due date", "Please pay");
    }

    @Test
    void quantitiesAndUnitPricesAreRoundedForDisplayWhileAmountsStayAtTheMinorUnit() {
        ObjectNode inv = json(USD_INVOICE);
        ArrayNode lines = inv.putArray("lines");
        lines.add(line("L1", "Tokens", "333.33333333333333333333", "0.03", "10.00"));
        lines.add(line("L2", "Platform fee", "1", "47.4193548387096774193548", "47.42"));
        lines.add(line("L3", "Storage", "12.5000", "0.0015", "0.02"));

        String pdf = pdfText(InvoiceDocuments.pdf(inv, json(CUSTOMER), SELLER));
        String html = InvoiceDocuments.html(inv, json(CUSTOMER), SELLER);

        for (String text : new String[] {pdf, html}) {
            assertThat(text).contains("333.3333", "$47.419355", "$47.42", "12.5", "$0.0015", "$0.02");
            assertThat(text).doesNotContain("333.33333", "47.4193548", "12.5000");
        }
        assertThat(pdf).contains("Tokens 333.3333 $0.03 $10.00", "Platform fee 1 $47.419355 $47.42");
    }

    @Test
    void aLineForAnotherPeriodThanTheInvoicesShowsItsOwnPeriod() {
        ObjectNode inv = json(USD_INVOICE);
        ArrayNode lines = inv.putArray("lines");
        lines.add(line("L1", "Tokens", "1000", "0.01", "10.00"));
        // the next month's fee, billed in advance on the invoice closing November
        lines.add(line("L2", "Platform fee", "1", "49.00", "49.00").put("kind", "flat_fee")
                .put("period_start", "2026-12-01T08:00:00Z").put("period_end", "2027-01-01T08:00:00Z"));

        String pdf = pdfText(InvoiceDocuments.pdf(inv, json(CUSTOMER), SELLER));
        String html = InvoiceDocuments.html(inv, json(CUSTOMER), SELLER);

        for (String text : new String[] {pdf, html}) {
            assertThat(text).contains("for Dec 1 – Dec 31, 2026", "Nov 1 – Nov 30, 2026");
            assertThat(count(text, "for Nov 1")).isZero();
        }
    }

    @Test
    void aGermanCustomerGetsGermanLabelsDatesNumbersAndCountryNames() {
        ObjectNode cust = json(CUSTOMER).put("language", "de");
        cust.putObject("billing_address").put("line1", "Rue de Rivoli 1").put("postal_code", "75001")
                .put("city", "Paris").put("country", "FR");
        ObjectNode inv = json(USD_INVOICE).put("currency", "EUR");
        ((ObjectNode) inv.path("lines").get(0)).put("quantity", "1234.5");

        String pdf = pdfText(InvoiceDocuments.pdf(inv, cust, json(FULL_SELLER)));
        String html = InvoiceDocuments.html(inv, cust, json(FULL_SELLER)).replace('\u00a0', ' ');

        for (String text : new String[] {pdf, html}) {
            assertThat(text.toLowerCase(Locale.GERMANY)).contains("rechnungsempfänger", "zahlung");
            assertThat(text).contains("Rechnung INV-000001", "Rechnungsdatum", "01.12.2026",
                    "Fällig am", "31.12.2026", "Leistungszeitraum", "01.11.2026 – 30.11.2026", "Beschreibung",
                    "Menge", "Einzelpreis", "Betrag", "Zwischensumme", "Gesamtbetrag", "59,82 €", "-12,25 €",
                    "1.234,5", "Kundennummer: acme", "Ausgestellt", "75001 Paris", "Frankreich", "Deutschland",
                    "USt-IdNr. DE123456789", "Bitte zahlen Sie 59,82 € bis zum 31.12.2026.");
            assertThat(text).doesNotContain("Invoice INV", "Due date", "Subtotal");
        }
        assertThat(pdf).contains("Seite 1 von 1");
        assertThat(html).contains("<html lang=\"de\">");
    }

    @Test
    void theTenantsDefaultLanguageAppliesToCustomersWithoutOneAndFrenchIsThereToo() {
        ObjectNode seller = json(FULL_SELLER).put("language", "fr");

        String pdf = pdfText(InvoiceDocuments.pdf(json(USD_INVOICE), json(CUSTOMER), seller));

        assertThat(pdf).contains("Facture INV-000001", "Date d’échéance", "31 déc. 2026", "Total", "59,82 $",
                "Allemagne", "États-Unis", "Page 1 sur 1");
    }

    @Test
    void thePortalIsLinkedWhenTheSellerHasAPortalUrlAndNoApiPathIsEverShown() {
        ObjectNode seller = json(FULL_SELLER).put("portal_url", "https://billing.tally-demo.test");

        String pdf = pdfText(InvoiceDocuments.pdf(json(USD_INVOICE), json(CUSTOMER), seller));
        String html = InvoiceDocuments.html(json(USD_INVOICE), json(CUSTOMER), seller);

        assertThat(pdf).contains("https://billing.tally-demo.test/portal").doesNotContain("/v1/");
        assertThat(html).contains("https://billing.tally-demo.test/portal").doesNotContain("/v1/");
    }

    @Test
    void aPngOrSvgLogoIsDrawnInThePdfAndEmbeddedInTheHtml() throws IOException {
        ObjectNode png = json(FULL_SELLER).put("logo", "data:image/png;base64," + Base64.getEncoder().encodeToString(png()));
        byte[] pdf = InvoiceDocuments.pdf(json(USD_INVOICE), json(CUSTOMER), png);
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            boolean image = false;
            for (COSName name : doc.getPage(0).getResources().getXObjectNames()) {
                image |= doc.getPage(0).getResources().getXObject(name) instanceof PDImageXObject;
            }
            assertThat(image).as("the PNG logo is an image on page 1").isTrue();
        }
        assertThat(InvoiceDocuments.html(json(USD_INVOICE), json(CUSTOMER), png)).contains("<img class=\"logo\" src=\"data:image/png;base64,");

        String svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"20\"><rect width=\"40\" height=\"20\" fill=\"#c00\"/></svg>";
        ObjectNode svgSeller = json(FULL_SELLER).put("logo", "data:image/svg+xml;base64,"
                + Base64.getEncoder().encodeToString(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        byte[] withSvg = InvoiceDocuments.pdf(json(USD_INVOICE), json(CUSTOMER), svgSeller);
        assertThat(pdfText(withSvg)).contains("Tally Demo GmbH", "$59.82");
        assertThat(withSvg.length).isGreaterThan(InvoiceDocuments.pdf(json(USD_INVOICE), json(CUSTOMER), json(FULL_SELLER)).length);
    }

    @Test
    void theFontIsEmbeddedSoTheEuroSignAndCentralEuropeanNamesNeedNoViewerFont() throws IOException {
        byte[] pdf = InvoiceDocuments.pdf(json(USD_INVOICE).put("currency", "EUR"), json(CUSTOMER), SELLER);
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            for (COSName name : doc.getPage(0).getResources().getFontNames()) {
                assertThat(doc.getPage(0).getResources().getFont(name).isEmbedded()).isTrue();
            }
        }
    }

    static byte[] png() throws IOException {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 4, java.awt.image.BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 1, 0xcc0000);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        return out.toByteArray();
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

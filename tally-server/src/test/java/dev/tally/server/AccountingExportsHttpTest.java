package dev.tally.server;

import static dev.tally.server.BillingFixtures.created;
import static dev.tally.server.BillingFixtures.ok;
import static dev.tally.server.BillingFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The accounting exports over HTTP: the golden header lines (the columns are stable), rows per line, per credited
 * line and per payment fact, only the period asked for, RFC 4180 quoting read back by an independent CSV parser,
 * and amounts in exact decimals and whole minor units (USD and JPY).
 */
class AccountingExportsHttpTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final String PERIOD = "from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z";
    static final String INVOICES_HEADER = "invoice_id,invoice_number,invoice_status,customer,currency,issued_at,"
            + "due_date,period_start,period_end,line_id,line_kind,charge_key,description,quantity,unit_price,line_amount,"
            + "line_amount_minor,invoice_subtotal,invoice_tax,invoice_total,credits_applied,amount_due,amount_due_minor";
    static final String CREDIT_NOTES_HEADER = "credit_note_id,credit_note_number,invoice_id,invoice_number,customer,"
            + "currency,created_at,reason,refund,line_id,line_amount,line_amount_minor,note_subtotal,note_tax,note_total,"
            + "note_total_minor";
    static final String PAYMENTS_HEADER = "payment_id,invoice_id,invoice_number,customer,outcome,amount,amount_minor,"
            + "currency,provider,reference,reason,occurred_at,recorded_at";

    MutableClock clock;
    TestServer t;
    String acme;
    String tokyo;

    @BeforeEach
    void start() throws Exception {
        clock = new MutableClock(NOV_1);
        t = new TestServer(clock);
        ok(t.put("/v1/billing/settings", "{\"grace_period_seconds\":0}"));
        created(t.post("/v1/plans", "{\"key\":\"usd\",\"currency\":\"USD\",\"interval\":\"monthly\","
                + "\"tax_rates\":[{\"name\":\"Tax\",\"percent\":\"10\"}],\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base, \\\"premium\\\" fee\",\"amount\":\"100.00\",\"timing\":\"in_advance\"},"
                + "{\"key\":\"seat\",\"type\":\"flat\",\"name\":\"Seat\",\"amount\":\"12.34\",\"timing\":\"in_advance\"}]}"));
        created(t.post("/v1/plans", "{\"key\":\"jpy\",\"currency\":\"JPY\",\"interval\":\"monthly\",\"charges\":["
                + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"1500\",\"timing\":\"in_advance\"}]}"));
        created(t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
        created(t.post("/v1/customers", "{\"external_id\":\"tokyo\",\"timezone\":\"Asia/Tokyo\",\"currency\":\"JPY\"}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"usd\",\"start\":\"" + NOV_1 + "\"}"));
        created(t.post("/v1/subscriptions", "{\"customer\":\"tokyo\",\"plan\":\"jpy\",\"start\":\"" + NOV_1 + "\"}"));
        assertThat(run(t).get("finalized").asInt()).isEqualTo(2);
        acme = ok(t.get("/v1/invoices?customer=acme")).get("invoices").get(0).get("id").asText();
        tokyo = ok(t.get("/v1/invoices?customer=tokyo")).get("invoices").get(0).get("id").asText();
    }

    @AfterEach
    void stop() {
        t.close();
    }

    /** The export's body, checked to be CSV with CRLF line ends; returns its records (header first). */
    List<List<String>> csv(String path) throws Exception {
        TestServer.Reply r = t.get(path);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(r.body()).endsWith("\r\n");
        CsvMapper mapper = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY);
        try (MappingIterator<List<String>> it = mapper.readerForListOf(String.class).readValues(r.body())) {
            return it.readAll();
        }
    }

    static Map<String, String> row(List<List<String>> records, int i) {
        List<String> header = records.get(0);
        java.util.LinkedHashMap<String, String> out = new java.util.LinkedHashMap<>();
        for (int c = 0; c < header.size(); c++) {
            out.put(header.get(c), records.get(i).get(c));
        }
        return out;
    }

    @Test
    void theHeadersAreTheDocumentedColumns() {
        assertThat(t.get("/v1/exports/invoices.csv?" + PERIOD).body()).startsWith(INVOICES_HEADER + "\r\n");
        assertThat(t.get("/v1/exports/credit-notes.csv?" + PERIOD).body()).isEqualTo(CREDIT_NOTES_HEADER + "\r\n");
        assertThat(t.get("/v1/exports/payments.csv?" + PERIOD).body()).isEqualTo(PAYMENTS_HEADER + "\r\n");
    }

    @Test
    void invoicesExportARowPerLineWithExactAmountsAndRoundTripThroughACsvParser() throws Exception {
        List<List<String>> records = csv("/v1/exports/invoices.csv?" + PERIOD);
        assertThat(records).hasSize(4);
        assertThat(records.stream().skip(1).map(List::size)).containsOnly(23);
        Map<String, String> base = records.stream().skip(1).map(r -> row(records, records.indexOf(r)))
                .filter(r -> r.get("charge_key").equals("base") && r.get("currency").equals("USD")).findFirst().orElseThrow();
        assertThat(base.get("invoice_id")).isEqualTo(acme);
        assertThat(base.get("description")).as("a comma and quotes survive").isEqualTo("Base, \"premium\" fee");
        assertThat(base.get("line_amount")).isEqualTo("100.00");
        assertThat(base.get("line_kind")).as("the API's spelling").isEqualTo("flat_fee");
        assertThat(base.get("line_amount_minor")).isEqualTo("10000");
        assertThat(base.get("invoice_total")).isEqualTo("123.57");
        assertThat(base.get("amount_due_minor")).isEqualTo("12357");
        Map<String, String> yen = records.stream().skip(1).map(r -> row(records, records.indexOf(r)))
                .filter(r -> r.get("currency").equals("JPY")).findFirst().orElseThrow();
        assertThat(yen.get("line_amount")).isEqualTo("1500");
        assertThat(yen.get("line_amount_minor")).isEqualTo("1500");
        for (int i = 1; i < records.size(); i++) {
            Map<String, String> r = row(records, i);
            assertThat(new BigDecimal(r.get("line_amount")).movePointRight(r.get("currency").equals("JPY") ? 0 : 2))
                    .isEqualByComparingTo(r.get("line_amount_minor"));
        }
        assertThat(csv("/v1/exports/invoices.csv?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z"))
                .as("another period").hasSize(1);
    }

    @Test
    void paymentsAndCreditNotesExportARowPerFactAndPerCreditedLine() throws Exception {
        created(t.post("/v1/invoices/" + acme + "/payments", "{\"outcome\":\"failed\",\"amount\":\"123.57\","
                + "\"reference\":\"card,1\",\"reason\":\"declined: \\\"insufficient funds\\\"\\nretry later\"}"));
        clock.advance(java.time.Duration.ofMinutes(1));
        created(t.post("/v1/invoices/" + acme + "/payments", "{\"outcome\":\"succeeded\",\"amount\":\"23.57\","
                + "\"reference\":\"wire-1\"}"));
        created(t.post("/v1/invoices/" + tokyo + "/payments", "{\"outcome\":\"succeeded\",\"amount\":\"1500\","
                + "\"reference\":\"furikomi-1\"}"));
        created(t.post("/v1/credit-notes", "{\"invoice\":\"" + acme + "\",\"reason\":\"goodwill, sorry\"}"));

        List<List<String>> payments = csv("/v1/exports/payments.csv?" + PERIOD);
        assertThat(payments).hasSize(4);
        Map<String, String> failed = row(payments, 1);
        assertThat(failed.get("reference")).isEqualTo("card,1");
        assertThat(failed.get("reason")).isEqualTo("declined: \"insufficient funds\"\nretry later");
        assertThat(failed.get("outcome")).isEqualTo("failed");
        assertThat(failed.get("amount_minor")).isEqualTo("12357");
        assertThat(row(payments, 3).get("amount")).isEqualTo("1500");
        assertThat(row(payments, 3).get("currency")).isEqualTo("JPY");

        List<List<String>> notes = csv("/v1/exports/credit-notes.csv?" + PERIOD);
        assertThat(notes).as("the header and one row per credited line").hasSize(3);
        assertThat(row(notes, 1).get("reason")).isEqualTo("goodwill, sorry");
        assertThat(row(notes, 1).get("invoice_id")).isEqualTo(acme);
        BigDecimal lines = new BigDecimal(row(notes, 1).get("line_amount")).add(new BigDecimal(row(notes, 2).get("line_amount")));
        assertThat(lines).isEqualByComparingTo(row(notes, 1).get("note_subtotal"));
        assertThat(new BigDecimal(row(notes, 1).get("note_subtotal")).add(new BigDecimal(row(notes, 1).get("note_tax"))))
                .isEqualByComparingTo(row(notes, 1).get("note_total"));
    }

    @Test
    void rowsWithinOneSecondAreInTimeOrderAndTheExportIsSentWithItsLength() throws Exception {
        clock.advance(java.time.Duration.ofHours(1));
        created(t.post("/v1/invoices/" + acme + "/payments", "{\"outcome\":\"failed\",\"amount\":\"1.00\","
                + "\"reference\":\"at-the-second\"}"));
        clock.advance(java.time.Duration.ofMillis(500));
        // stored as 01:00:00.500Z, which sorts before 01:00:00Z as text
        created(t.post("/v1/invoices/" + acme + "/payments", "{\"outcome\":\"failed\",\"amount\":\"2.00\","
                + "\"reference\":\"half-a-second-later\"}"));
        List<List<String>> all = csv("/v1/exports/payments.csv?" + PERIOD);
        assertThat(List.of(row(all, 1).get("reference"), row(all, 2).get("reference")))
                .containsExactly("at-the-second", "half-a-second-later");
        List<List<String>> later = csv("/v1/exports/payments.csv?from=2026-11-01T01:00:00.500Z&to=2026-12-01T00:00:00Z");
        assertThat(later).hasSize(2);
        assertThat(row(later, 1).get("reference")).isEqualTo("half-a-second-later");

        TestServer.Reply r = t.get("/v1/exports/invoices.csv?" + PERIOD);
        assertThat(r.headers().firstValue("Content-Length")).as("sent whole, with its length")
                .contains(String.valueOf(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
    }

    @Test
    void aPeriodIsRequiredAndOrdered() {
        assertThat(t.get("/v1/exports/invoices.csv").status()).isEqualTo(400);
        assertThat(t.get("/v1/exports/payments.csv?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z").status())
                .isEqualTo(400);
    }
}

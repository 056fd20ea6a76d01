package dev.tally.engine.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineKind;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.engine.usage.Window;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A meter version's aggregate rounding and tiers over blocks, end to end: the period total is rounded once (never
 * per event, never per window of a usage query), the live estimate and the closing invoice price the same rounded
 * quantity, and the version in force decides the rounding.
 */
class AggregateRoundingBillingTest {
    static final String T = Engine.DEFAULT_TENANT;
    final ObjectMapper json = new ObjectMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-01T00:00:00Z"));

    @TempDir
    Path dir;

    @Test
    void thePeriodTotalIsRoundedOnceAndBlocksAreCountedOnThePeriodQuantity() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            Billing b = e.billing();
            b.setGracePeriod(T, Duration.ZERO);
            e.createMeter(T, json.readTree("{\"key\":\"gb\",\"event_type\":\"gb\",\"aggregation\":\"sum\","
                    + "\"value_path\":\"n\",\"rounding\":{\"mode\":\"ceil\",\"precision\":0}}"));
            e.createMeter(T, json.readTree("{\"key\":\"req\",\"event_type\":\"req\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
            b.createPlan(T, json.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                    + "{\"key\":\"gb\",\"type\":\"usage\",\"name\":\"Storage\",\"meter\":\"gb\","
                    + "\"price\":{\"model\":\"unit\",\"unit_price\":\"1\"}},"
                    + "{\"key\":\"req\",\"type\":\"usage\",\"name\":\"Requests\",\"meter\":\"req\",\"price\":{\"model\":\"graduated\","
                    + "\"block_size\":\"1000\",\"tiers\":[{\"up_to\":\"10\",\"unit_price\":\"2\"},{\"up_to\":null,\"unit_price\":\"1\"}]}}]}"));
            b.createCustomer(T, json.readTree("{\"external_id\":\"c\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
            b.subscribe(T, json.readTree("{\"customer\":\"c\",\"plan\":\"p\"}"));
            b.run(T);
            clock.set(Instant.parse("2026-11-10T00:00:00Z"));
            ingest(e, "n1", "gb", "2026-11-02", "0.4");
            ingest(e, "n2", "gb", "2026-11-03", "0.4");
            ingest(e, "n3", "gb", "2026-11-04", "0.4");
            ingest(e, "r1", "req", "2026-11-02", "600");
            ingest(e, "r2", "req", "2026-11-03", "600");
            ingest(e, "r3", "req", "2026-11-04", "600");

            List<UsageRow> days = e.usage(T, new UsageRequest("gb", Optional.of("c"), Instant.parse("2026-11-01T00:00:00Z"),
                    Instant.parse("2026-12-01T00:00:00Z"), Window.DAY, ZoneOffset.UTC, List.of(), Map.of()));
            assertThat(days).as("the usage query shows raw totals per window")
                    .extracting(r -> r.value().stripTrailingZeros().toPlainString()).containsExactly("0.4", "0.4", "0.4");

            UsageEstimate est = b.currentUsage(T, "c").get(0);
            ChargeEstimate gb = LiveEstimateTest.charge(est, "gb");
            assertThat(gb.quantity()).as("the measured total, raw").isEqualByComparingTo("1.2");
            assertThat(gb.billable()).as("ceil(1.2), not 3 x ceil(0.4)").isEqualByComparingTo("2");
            assertThat(gb.amount()).isEqualByComparingTo("2");
            ChargeEstimate req = LiveEstimateTest.charge(est, "req");
            assertThat(req.billable()).isEqualByComparingTo("1800");
            assertThat(req.amount()).as("ceil(1800/1000) = 2 blocks at 2, not 3").isEqualByComparingTo("4");

            // version 2 of the meter rounds differently from December: the version in force decides
            e.putMeter(T, "gb", json.readTree("{\"event_type\":\"gb\",\"aggregation\":\"sum\",\"value_path\":\"n\","
                    + "\"rounding\":{\"mode\":\"round\",\"precision\":0},\"effective_from\":\"2026-12-01T00:00:00Z\"}"));
            clock.set(Instant.parse("2026-12-01T00:00:00Z"));
            b.run(T);
            Invoice november = b.invoices(T, Optional.of("c"), Optional.empty(), 10).stream()
                    .filter(i -> i.period().end().equals(Instant.parse("2026-12-01T00:00:00Z"))).findFirst().orElseThrow();
            assertThat(usage(november, "gb")).as("the invoice prices what the estimate showed").containsExactly("2 x 1 = 2.00");
            assertThat(november.lines().stream().filter(l -> l.chargeKey().equals("req") && l.kind() == LineKind.USAGE)
                    .map(l -> l.amount().amount()).reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo("4");

            clock.set(Instant.parse("2026-12-10T00:00:00Z"));
            ingest(e, "d1", "gb", "2026-12-02", "0.4");
            ingest(e, "d2", "gb", "2026-12-03", "0.4");
            ingest(e, "d3", "gb", "2026-12-04", "0.4");
            ChargeEstimate december = LiveEstimateTest.charge(b.currentUsage(T, "c").get(0), "gb");
            assertThat(december.quantity()).isEqualByComparingTo("1.2");
            assertThat(december.billable()).as("round(1.2) under version 2").isEqualByComparingTo("1");
            assertThat(december.amount()).isEqualByComparingTo("1");
        }
    }

    @Test
    void aChargePricedByDimensionRoundsEachValuesTotalOnce() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            Billing b = e.billing();
            b.setGracePeriod(T, Duration.ZERO);
            e.createMeter(T, json.readTree(("{'key':'gb','event_type':'gb','aggregation':'sum','value_path':'n',"
                    + "'group_by':['region'],'rounding':{'mode':'ceil','precision':0}}").replace('\'', '"')));
            b.createPlan(T, json.readTree(("{'key':'p','name':'P','currency':'USD','interval':'monthly','charges':["
                    + "{'key':'gb','type':'usage','name':'Storage','meter':'gb','dimension':'region',"
                    + "'price':{'model':'unit','unit_price':'1'},"
                    + "'prices_by_dimension':{'eu':{'model':'unit','unit_price':'10'}}}]}").replace('\'', '"')));
            b.createCustomer(T, json.readTree("{\"external_id\":\"c\",\"timezone\":\"UTC\",\"currency\":\"USD\"}"));
            b.subscribe(T, json.readTree("{\"customer\":\"c\",\"plan\":\"p\"}"));
            b.run(T);
            clock.set(Instant.parse("2026-11-10T00:00:00Z"));
            ingest(e, "a", "gb", "2026-11-02", "0.3", "eu");
            ingest(e, "b", "gb", "2026-11-03", "0.3", "eu");
            ingest(e, "c", "gb", "2026-11-04", "1.1", "us");
            ChargeEstimate gb = LiveEstimateTest.charge(b.currentUsage(T, "c").get(0), "gb");
            // eu: ceil(0.6) = 1 at 10; us: ceil(1.1) = 2 at 1; rounding the sum (1.7 -> 2) would not even price
            assertThat(gb.quantity()).isEqualByComparingTo("1.7");
            assertThat(gb.billable()).isEqualByComparingTo("3");
            assertThat(gb.amount()).isEqualByComparingTo("12");
        }
    }

    private static List<String> usage(Invoice i, String charge) {
        return i.lines().stream().filter(l -> l.chargeKey().equals(charge) && l.kind() == LineKind.USAGE)
                .map(l -> l.quantity().toPlainString() + " x " + l.unitPrice().toPlainString() + " = "
                        + l.amount().plainString()).toList();
    }

    private static void ingest(Engine e, String id, String type, String day, String n) {
        ingest(e, id, type, day, n, "eu");
    }

    private static void ingest(Engine e, String id, String type, String day, String n, String region) {
        String body = "[{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"s\",\"type\":\"" + type
                + "\",\"subject\":\"c\",\"time\":\"" + day + "T12:00:00Z\",\"data\":{\"n\":" + n
                + ",\"region\":\"" + region + "\"}}]";
        e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8), CloudEventReader.BodyShape.BATCH));
    }
}

package dev.tally.engine.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineKind;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.time.ManualClock;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live estimate is the invoice computed early: a subscription that starts inside the period gets the prorated
 * allowance the closing invoice subtracts, its figures multiply out, its lines are the closing invoice's, and its
 * in-advance fee names the opening invoice it is already on.
 */
class LiveEstimateTest {
    static final String T = Engine.DEFAULT_TENANT;
    final ObjectMapper json = new ObjectMapper();
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-10T08:00:00Z")); // Nov 10, midnight in LA

    @TempDir
    Path dir;

    static ChargeEstimate charge(UsageEstimate e, String key) {
        return e.charges().stream().filter(c -> c.charge().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void aPartialPeriodsEstimateUsesTheProratedAllowanceAndIsTheClosingInvoice() throws Exception {
        try (Engine e = Engine.open(EngineConfig.of(dir), clock)) {
            Billing b = e.billing();
            b.setGracePeriod(T, Duration.ZERO);
            e.createMeter(T, json.readTree("{\"key\":\"tok\",\"event_type\":\"tok\",\"aggregation\":\"sum\",\"value_path\":\"n\"}"));
            b.createPlan(T, json.readTree("{\"key\":\"p\",\"name\":\"P\",\"currency\":\"USD\",\"interval\":\"monthly\",\"charges\":["
                    + "{\"key\":\"base\",\"type\":\"flat\",\"name\":\"Base\",\"amount\":\"30\",\"timing\":\"in_advance\"},"
                    + "{\"key\":\"tok\",\"type\":\"usage\",\"name\":\"Tokens\",\"meter\":\"tok\",\"included_quantity\":\"1000\","
                    + "\"price\":{\"model\":\"unit\",\"unit_price\":\"0.002\"}}]}"));
            b.createCustomer(T, json.readTree("{\"external_id\":\"c\",\"timezone\":\"America/Los_Angeles\",\"currency\":\"USD\"}"));
            b.subscribe(T, json.readTree("{\"customer\":\"c\",\"plan\":\"p\"}"));
            b.run(T);
            clock.set(Instant.parse("2026-11-20T00:00:00Z"));
            String body = "[{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"s\",\"type\":\"tok\",\"subject\":\"c\","
                    + "\"time\":\"2026-11-15T00:00:00Z\",\"data\":{\"n\":5000}}]";
            e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8), CloudEventReader.BodyShape.BATCH));

            UsageEstimate est = b.currentUsage(T, "c").get(0);
            ChargeEstimate tok = charge(est, "tok");
            assertThat(tok.includedFull()).isEqualByComparingTo("1000");
            assertThat(tok.included()).as("21 of 30 days").isEqualByComparingTo("700");
            assertThat(tok.billable()).isEqualByComparingTo("4300");
            assertThat(tok.unitPrice()).contains(new BigDecimal("0.002"));
            assertThat(tok.amount()).isEqualByComparingTo("8.60");
            for (InvoiceLine l : tok.lines()) {
                assertThat(l.amount().amount()).isEqualByComparingTo(l.quantity().multiply(l.unitPrice())
                        .setScale(2, java.math.RoundingMode.HALF_UP));
            }
            ChargeEstimate base = charge(est, "base");
            Invoice opening = b.invoices(T, Optional.of("c"), Optional.empty(), 10).get(0);
            assertThat(base.invoiced()).map(ChargeEstimate.Invoiced::invoice).contains(opening.id());
            assertThat(est.alreadyInvoiced()).isEqualByComparingTo(base.amount());
            assertThat(tok.invoiced()).isEmpty();

            clock.set(Instant.parse("2026-12-01T08:00:00Z"));
            b.run(T);
            Invoice closing = b.invoices(T, Optional.of("c"), Optional.empty(), 10).stream()
                    .filter(i -> i.period().end().equals(Instant.parse("2026-12-01T08:00:00Z")) && !i.id().equals(opening.id()))
                    .findFirst().orElseThrow();
            List<String> invoiced = closing.lines().stream().filter(l -> l.chargeKey().equals("tok") && l.kind() == LineKind.USAGE)
                    .map(l -> l.quantity().toPlainString() + " x " + l.unitPrice().toPlainString() + " = " + l.amount().plainString()).toList();
            List<String> estimated = tok.lines().stream()
                    .map(l -> l.quantity().toPlainString() + " x " + l.unitPrice().toPlainString() + " = " + l.amount().plainString()).toList();
            assertThat(estimated).isEqualTo(invoiced);
        }
    }
}

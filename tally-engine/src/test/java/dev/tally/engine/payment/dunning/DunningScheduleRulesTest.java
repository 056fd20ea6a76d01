package dev.tally.engine.payment.dunning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.billing.Period;
import dev.tally.core.money.InvoiceTotals;
import dev.tally.core.money.Money;
import dev.tally.engine.billing.AppliedCredits;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.payment.FactKind;
import dev.tally.engine.payment.PaymentFact;
import dev.tally.engine.payment.PaymentLedger;
import dev.tally.engine.payment.PaymentSummary;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The pure schedule rules: the anchor is the first failure or the day after the due date in the customer's zone,
 * a run never does more than one retry, never a step already done, and nothing once the invoice is paid.
 */
class DunningScheduleRulesTest {
    static final Currency EUR = Currency.getInstance("EUR");
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final Instant FINALIZED = Instant.parse("2026-11-01T00:00:00Z");
    static final DunningPolicy POLICY = new DunningPolicy(true, List.of(1, 3, 5, 7), List.of(3, 1), true,
            Optional.of(14), DunningPolicy.Suspend.HARD, Optional.empty());

    static Invoice invoice(InvoiceStatus status) {
        Currency c = EUR;
        InvoiceTotals totals = InvoiceTotals.of(c, List.of(new Money(new BigDecimal("100.00"), c)), List.of());
        return new Invoice("inv_1", "t", Optional.of("INV-1"), "c1", "sub_1", FINALIZED,
                new Period(FINALIZED, Instant.parse("2026-12-01T00:00:00Z")), status, List.of(), totals, FINALIZED,
                FINALIZED, FINALIZED, Optional.of(FINALIZED), Optional.empty(), Optional.empty(),
                Optional.of(LocalDate.parse("2026-11-11")), new AppliedCredits(true, List.of(), Money.zero(c), totals.total()));
    }

    static PaymentFact fact(String id, FactKind kind, String amount, Instant at) {
        return new PaymentFact(id, "t", "inv_1", kind, new BigDecimal(amount), EUR, "manual", id, "r", at, at);
    }

    @Property
    void aRunDoesAtMostOneRetryAndNeverAStepAlreadyDone(@ForAll @IntRange(min = 0, max = 40) int days,
            @ForAll @IntRange(min = 0, max = 30) int failureDay, @ForAll boolean failed) {
        Invoice inv = invoice(InvoiceStatus.FINALIZED);
        List<PaymentFact> facts = new ArrayList<>();
        if (failed) {
            facts.add(fact("f1", FactKind.FAILED, "100.00", FINALIZED.plusSeconds(86_400L * failureDay)));
        }
        Instant now = FINALIZED.plusSeconds(86_400L * days + 3600);
        facts.removeIf(f -> f.occurredAt().isAfter(now));
        PaymentSummary s = PaymentLedger.summarize(EUR, new BigDecimal("100.00"), facts);
        Set<String> done = new HashSet<>();
        List<DunningSchedule.Planned> first = DunningSchedule.due(POLICY, inv, s, facts, BERLIN, done, now);
        assertThat(first.stream().filter(p -> p.kind() == DunningStep.Kind.RETRY)).hasSizeLessThanOrEqualTo(1);
        assertThat(first).allSatisfy(p -> assertThat(p.dueAt()).isBeforeOrEqualTo(now));
        first.forEach(p -> done.add(p.step()));
        assertThat(DunningSchedule.due(POLICY, inv, s, facts, BERLIN, done, now)).as("a second run at once").isEmpty();

        List<PaymentFact> paid = new ArrayList<>(facts);
        paid.add(fact("p1", FactKind.SUCCEEDED, "100.00", now));
        PaymentSummary settled = PaymentLedger.summarize(EUR, new BigDecimal("100.00"), paid);
        assertThat(DunningSchedule.due(POLICY, inv, settled, paid, BERLIN, Set.of(), now.plusSeconds(86_400L * 60)))
                .as("a paid invoice").isEmpty();
    }

    @Property
    void withoutAFailureDunningStartsTheDayAfterTheDueDateInTheCustomersZone(@ForAll boolean failedEarly) {
        Invoice inv = invoice(InvoiceStatus.FINALIZED);
        Instant failure = Instant.parse("2026-11-05T10:00:00Z");
        List<PaymentFact> facts = failedEarly ? List.of(fact("f1", FactKind.FAILED, "100.00", failure)) : List.of();
        Instant expected = failedEarly ? failure : Instant.parse("2026-11-11T23:00:00Z"); // Nov 12 00:00 in Berlin
        assertThat(DunningSchedule.anchor(inv, facts, BERLIN)).contains(expected);
    }

    @Property
    void aDraftOrVoidOrProcessingInvoiceIsNotDunned(@ForAll @IntRange(min = 0, max = 60) int days) {
        Instant now = FINALIZED.plusSeconds(86_400L * days);
        for (InvoiceStatus st : List.of(InvoiceStatus.VOID, InvoiceStatus.PAID)) {
            Invoice inv = invoice(st);
            PaymentSummary s = PaymentLedger.summarize(EUR, new BigDecimal("100.00"), List.of());
            assertThat(DunningSchedule.due(POLICY, inv, s, List.of(), BERLIN, Set.of(), now)).isEmpty();
        }
        List<PaymentFact> processing = List.of(fact("p", FactKind.PROCESSING, "100.00", FINALIZED));
        PaymentSummary s = PaymentLedger.summarize(EUR, new BigDecimal("100.00"), processing);
        assertThat(DunningSchedule.due(POLICY, invoice(InvoiceStatus.FINALIZED), s, processing, BERLIN, Set.of(), now))
                .isEmpty();
    }
}

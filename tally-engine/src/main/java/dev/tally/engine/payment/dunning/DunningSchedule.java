package dev.tally.engine.payment.dunning;

import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.payment.FactKind;
import dev.tally.engine.payment.PaymentFact;
import dev.tally.engine.payment.PaymentStatus;
import dev.tally.engine.payment.PaymentSummary;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The pure rules of a dunning schedule (no I/O). An invoice is in dunning while it is finalized with something to
 * collect and unpaid and its payment status is {@code pending} or {@code failed} (an attempt under way, a dispute or
 * a refund stop dunning). Its anchor is its first failed attempt or the start of the day after its due date (in the
 * customer's time zone), whichever is first; retries and the end are days after the anchor (calendar days in the
 * customer's zone). {@link #due} gives the steps to do now: reminders whose time came (a reminder before the due
 * date only until the due day ends, and not for a day before the invoice was finalized), a reminder per failed
 * attempt, the latest retry whose day came (earlier ones not done yet are skipped, never done late), and the end.
 */
final class DunningSchedule {
    private DunningSchedule() {
    }

    /** One step of an invoice's schedule. {@code attempt} counts retries from 1 (0 for other steps). */
    record Planned(String step, DunningStep.Kind kind, Instant dueAt, int attempt, Optional<PaymentFact> fact,
            int daysBeforeDue) {
    }

    static boolean inDunning(Invoice invoice, PaymentSummary s) {
        return invoice.status() == InvoiceStatus.FINALIZED && s.total().signum() > 0 && s.amountRemaining().signum() > 0
                && (s.status() == PaymentStatus.PENDING || s.status() == PaymentStatus.FAILED);
    }

    static Optional<Instant> anchor(Invoice invoice, List<PaymentFact> facts, ZoneId zone) {
        Optional<Instant> firstFailure = facts.stream().filter(f -> f.kind() == FactKind.FAILED)
                .map(PaymentFact::occurredAt).min(Comparator.naturalOrder());
        Optional<Instant> overdue = invoice.dueDate().map(d -> d.plusDays(1).atStartOfDay(zone).toInstant());
        if (firstFailure.isEmpty()) {
            return overdue;
        }
        if (overdue.isEmpty()) {
            return firstFailure;
        }
        return Optional.of(firstFailure.get().isBefore(overdue.get()) ? firstFailure.get() : overdue.get());
    }

    /** Every step of the schedule as it stands (done or not), in time order: what the dashboard shows. */
    static List<Planned> plan(DunningPolicy p, Invoice invoice, List<PaymentFact> facts, ZoneId zone) {
        List<Planned> out = new ArrayList<>();
        if (invoice.dueDate().isPresent()) {
            LocalDate due = invoice.dueDate().get();
            Instant finalized = invoice.finalizedAt().orElse(Instant.MIN);
            for (int d : p.reminderDaysBeforeDue()) {
                Instant at = due.minusDays(d).atStartOfDay(zone).toInstant();
                if (!at.isBefore(finalized.atZone(zone).toLocalDate().atStartOfDay(zone).toInstant())) {
                    out.add(new Planned("reminder_before_due:" + d, DunningStep.Kind.REMINDER_BEFORE_DUE, at, 0,
                            Optional.empty(), d));
                }
            }
        }
        if (p.remindAfterFailure()) {
            for (PaymentFact f : facts) {
                if (f.kind() == FactKind.FAILED) {
                    out.add(new Planned("failure_reminder:" + f.id(), DunningStep.Kind.FAILURE_REMINDER, f.occurredAt(),
                            0, Optional.of(f), 0));
                }
            }
        }
        Optional<Instant> anchor = anchor(invoice, facts, zone);
        if (anchor.isPresent()) {
            for (int i = 0; i < p.retryDays().size(); i++) {
                out.add(new Planned("retry:" + (i + 1), DunningStep.Kind.RETRY, plusDays(anchor.get(), p.retryDays().get(i),
                        zone), i + 1, Optional.empty(), 0));
            }
            p.uncollectibleAfterDays().ifPresent(d -> out.add(new Planned("uncollectible", DunningStep.Kind.UNCOLLECTIBLE,
                    plusDays(anchor.get(), d, zone), 0, Optional.empty(), 0)));
        }
        out.sort(Comparator.comparing(Planned::dueAt).thenComparing(Planned::step));
        return out;
    }

    /** The steps to do at {@code now}, given the keys of those already done; empty when not in dunning. */
    static List<Planned> due(DunningPolicy p, Invoice invoice, PaymentSummary s, List<PaymentFact> facts, ZoneId zone,
            Set<String> done, Instant now) {
        if (!p.enabled() || !inDunning(invoice, s) || done.contains("uncollectible")) {
            return List.of();
        }
        List<Planned> out = new ArrayList<>();
        List<Planned> retries = new ArrayList<>();
        Optional<Planned> end = Optional.empty();
        Instant overdueFrom = invoice.dueDate().map(d -> d.plusDays(1).atStartOfDay(zone).toInstant()).orElse(Instant.MAX);
        for (Planned step : plan(p, invoice, facts, zone)) {
            if (done.contains(step.step()) || step.dueAt().isAfter(now)) {
                continue;
            }
            switch (step.kind()) {
                case REMINDER_BEFORE_DUE -> {
                    if (now.isBefore(overdueFrom)) {
                        out.add(step);
                    }
                }
                case RETRY -> retries.add(step);
                case UNCOLLECTIBLE -> end = Optional.of(step);
                default -> out.add(step);
            }
        }
        for (int i = 0; i < retries.size(); i++) {
            Planned r = retries.get(i);
            boolean last = i == retries.size() - 1 && end.isEmpty();
            out.add(last ? r : new Planned(r.step(), DunningStep.Kind.RETRY_SKIPPED, r.dueAt(), r.attempt(),
                    Optional.empty(), 0));
        }
        end.ifPresent(out::add);
        return out;
    }

    static Instant plusDays(Instant t, int days, ZoneId zone) {
        return t.atZone(zone).plusDays(days).toInstant();
    }
}

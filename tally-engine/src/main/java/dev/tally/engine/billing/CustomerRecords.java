package dev.tally.engine.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.Customer;
import dev.tally.core.billing.CustomerJson;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Corrections to customers: updates, archiving and their history. Rules:
 * <ul>
 *   <li>An update names only the fields it changes ({@code name}, {@code email}, {@code billing_address},
 *       {@code tax_rates}, {@code timezone}, {@code currency}, and any other field of the customer's JSON form);
 *       {@code null} clears an optional field; {@code external_id} cannot change (it is what events carry). An
 *       update that changes nothing stores nothing.</li>
 *   <li>{@code currency} can change only before the customer's first invoice (of any status), and only to the
 *       currency of the plans of its subscriptions.</li>
 *   <li>{@code timezone} takes effect from the customer's next billing period: at once when it has no open
 *       subscription (one that has not ended), else at the end of the latest current period of its open
 *       subscriptions (pending until then). A subscription's periods are computed in the zone in force at its
 *       start, so a running subscription's periods never shift.</li>
 *   <li>Archiving needs no open subscription; an archived customer stays readable (with its invoices) but cannot be
 *       changed or subscribed, and its external id is not reused. Nothing is ever deleted.</li>
 *   <li>Every change is a new version (1 at creation), written with the change in one transaction, and only if the
 *       customer is still at the version it was read at (else a conflict).</li>
 * </ul>
 */
public final class CustomerRecords {
    private final BillingStore store;
    private final Clock clock;
    private final BiFunction<String, Phase, Plan> plans;
    private final Supplier<BillingObserver> observer;

    CustomerRecords(BillingStore store, Clock clock, BiFunction<String, Phase, Plan> plans,
            Supplier<BillingObserver> observer) {
        this.store = store;
        this.clock = clock;
        this.plans = plans;
        this.observer = observer;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    /** A customer with its bookkeeping, archived or not. */
    public CustomerRecord record(String tenant, String externalId) {
        return store.customers.record(tenant, externalId)
                .orElseThrow(() -> new BillingNotFoundException("no customer '" + externalId + "'"));
    }

    /** A tenant's customers by external id, archived ones included. */
    public List<CustomerRecord> records(String tenant) {
        return store.customers.records(tenant);
    }

    /** Every version of a customer, oldest first. */
    public List<CustomerVersion> versions(String tenant, String externalId) {
        record(tenant, externalId);
        return store.customers.versions(tenant, externalId);
    }

    /** The zone a subscription of the customer started at {@code start} is billed in (the one in force then). */
    ZoneId zoneAt(String tenant, Customer customer, Instant start) {
        NavigableMap<Instant, ZoneId> zones = store.customers.zones(tenant, customer.externalId());
        Map.Entry<Instant, ZoneId> e = zones.floorEntry(start);
        return e != null ? e.getValue() : zones.isEmpty() ? customer.timezone() : zones.firstEntry().getValue();
    }

    /**
     * Applies a partial update (see the type's rules) and returns the new record.
     *
     * @throws ValidationException listing every invalid field
     * @throws BillingConflictException if the customer is archived, a currency or zone rule forbids the change, or
     *     another change came first
     */
    public CustomerRecord update(String tenant, String externalId, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw new ValidationException("body", "must be a JSON object of the fields to change");
        }
        CustomerRecord rec = record(tenant, externalId);
        if (rec.archived()) {
            throw new BillingConflictException("customer-archived", "customer '" + externalId
                    + "' is archived and cannot be changed");
        }
        Instant now = now();
        Customer before = rec.inForce(now);
        ObjectNode merged = CustomerJson.write(before);
        List<FieldViolation> errors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = e.getKey();
            JsonNode value = e.getValue();
            if (field.equals("external_id")) {
                if (!value.isTextual() || !value.textValue().equals(externalId)) {
                    errors.add(new FieldViolation("external_id", "cannot be changed: it is the subject events carry"));
                }
                continue;
            }
            if (value.isNull()) {
                if (!merged.has(field)) {
                    merged.putNull(field); // an unknown field: the reader names it
                } else if (field.equals("name") || field.equals("timezone") || field.equals("currency")) {
                    errors.add(new FieldViolation(field, "cannot be removed, only changed"));
                } else {
                    merged.remove(field);
                }
                continue;
            }
            merged.set(field, value);
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        Customer wanted = CustomerJson.read(merged);
        List<String> changed = new ArrayList<>();
        ObjectNode was = CustomerJson.write(before);
        ObjectNode now2 = CustomerJson.write(wanted);
        now2.fieldNames().forEachRemaining(f -> {
            if (!now2.get(f).equals(was.get(f))) {
                changed.add(f);
            }
        });
        Optional<CustomerRecord.PendingZone> pending = rec.pendingAt(now);
        boolean zoneAsked = patch.has("timezone");
        if (changed.isEmpty() && !(zoneAsked && pending.isPresent())) {
            return rec;
        }
        List<Subscription> open = store.subscriptionsOf(tenant, externalId).stream()
                .filter(s -> s.end().isEmpty() || s.end().get().isAfter(now)).toList();
        if (changed.contains("currency")) {
            if (store.customers.hasInvoices(tenant, externalId)) {
                throw new BillingConflictException("customer-currency-locked", "the currency of customer '"
                        + externalId + "' cannot change: it has been invoiced in " + before.currency().getCurrencyCode());
            }
            for (Subscription s : open) {
                Plan p = plans.apply(tenant, s.currentPhase());
                if (!p.currency().equals(wanted.currency())) {
                    throw new BillingConflictException("customer-currency-locked", "the currency of customer '"
                            + externalId + "' cannot change to " + wanted.currency().getCurrencyCode() + ": subscription "
                            + s.id() + " is on plan " + p.key() + " priced in " + p.currency().getCurrencyCode());
                }
            }
        }
        Customer stored = wanted;
        Optional<CustomerRecord.PendingZone> zoneFrom = Optional.empty();
        if (zoneAsked) {
            ZoneId zone = wanted.timezone();
            stored = wanted.withTimezone(before.timezone());
            if (zone.equals(before.timezone())) {
                // asking for the zone in force cancels a pending change
                zoneFrom = pending.map(p -> new CustomerRecord.PendingZone(zone, p.effectiveAt()));
                pending = Optional.empty();
                if (zoneFrom.isPresent()) {
                    changed.add("timezone");
                }
            } else {
                Optional<Instant> next = nextPeriodStart(tenant, before, open, now);
                if (next.isEmpty()) {
                    stored = wanted;
                    pending = Optional.empty();
                    zoneFrom = Optional.of(new CustomerRecord.PendingZone(zone, now));
                } else {
                    pending = Optional.of(new CustomerRecord.PendingZone(zone, next.get()));
                    zoneFrom = pending;
                }
            }
        }
        if (!store.customers.update(tenant, stored, rec.version(), "updated", changed, pending, Optional.empty(),
                zoneFrom, now)) {
            throw new BillingConflictException("customer '" + externalId + "' was changed at the same time; read it again");
        }
        CustomerRecord after = record(tenant, externalId);
        observed(tenant, after);
        return after;
    }

    /**
     * Archives a customer that has no open subscription.
     *
     * @throws BillingConflictException if a subscription is still open or the customer is archived already
     */
    public CustomerRecord archive(String tenant, String externalId) {
        CustomerRecord rec = record(tenant, externalId);
        if (rec.archived()) {
            throw new BillingConflictException("customer-archived", "customer '" + externalId + "' is archived already");
        }
        Instant now = now();
        for (Subscription s : store.subscriptionsOf(tenant, externalId)) {
            if (s.end().isEmpty() || s.end().get().isAfter(now)) {
                throw new BillingConflictException("customer-has-open-subscription", "customer '" + externalId
                        + "' has the open subscription " + s.id() + "; cancel it (it ends "
                        + s.end().map(Instant::toString).orElse("never") + ") before archiving");
            }
        }
        if (!store.customers.update(tenant, rec.inForce(now), rec.version(), "archived", List.of("archived_at"),
                Optional.empty(), Optional.of(now), rec.pendingAt(now).isPresent()
                        ? Optional.of(new CustomerRecord.PendingZone(rec.customer().timezone(), rec.pendingZone().get().effectiveAt()))
                        : Optional.empty(), now)) {
            throw new BillingConflictException("customer '" + externalId + "' was changed at the same time; read it again");
        }
        CustomerRecord after = record(tenant, externalId);
        observed(tenant, after);
        return after;
    }

    /** The start of the customer's next billing period: the latest end of its open subscriptions' current periods. */
    private Optional<Instant> nextPeriodStart(String tenant, Customer c, List<Subscription> open, Instant now) {
        Optional<Instant> latest = Optional.empty();
        for (Subscription s : open) {
            Plan first = plans.apply(tenant, s.phases().get(0));
            Instant at = now.isBefore(s.start()) ? s.start() : now;
            ZoneId zone = zoneAt(tenant, c, s.start());
            Period p = InvoiceComposer.periodAt(s, first, at, zone);
            Instant end = s.end().filter(e -> e.isBefore(p.end())).orElse(p.end());
            if (latest.isEmpty() || end.isAfter(latest.get())) {
                latest = Optional.of(end);
            }
        }
        return latest;
    }

    private void observed(String tenant, CustomerRecord rec) {
        store.db().inTransaction(c -> {
            observer.get().changing(c, tenant, rec.customer().externalId());
            return null;
        });
        observer.get().customerChanged(tenant, rec.inForce(now()));
    }
}

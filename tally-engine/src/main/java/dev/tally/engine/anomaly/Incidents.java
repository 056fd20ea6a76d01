package dev.tally.engine.anomaly;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.notify.Outbox;
import dev.tally.engine.notify.WebhookEventTypes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a detector family's findings into incidents: a finding with no active incident of its identity opens one
 * (the record, its {@code usage.anomaly_detected} message and, by the policy, its hold, in one transaction); a
 * finding of an active incident refreshes it; an active incident of the family not found for {@link #quiet} closes
 * (its window ends where it was last seen). So an incident is raised once however many evaluations it lasts.
 */
final class Incidents {
    private final AtomicLong sequence = new AtomicLong();
    private final AnomalyStore store;
    private final EntitlementCut cuts;

    Incidents(AnomalyStore store, EntitlementCut cuts) {
        this.store = store;
        this.cuts = cuts;
    }

    /** How long an incident of the kind may go unseen before it closes. */
    static Duration quiet(AnomalyKind kind) {
        return switch (kind) {
            case USAGE_SPIKE -> Duration.ofHours(1);
            case USAGE_STOPPED, NEW_SOURCE -> Duration.ZERO;
            default -> Duration.ofMinutes(5);
        };
    }

    /** The keys of the tenant's active incidents of one kind. */
    Set<String> activeKeys(List<Anomaly> active, AnomalyKind kind) {
        Set<String> out = new java.util.HashSet<>();
        for (Anomaly a : active) {
            if (a.kind() == kind) {
                out.add(Signal.key(a.kind(), a.customer(), a.meter(), a.subject()));
            }
        }
        return out;
    }

    /** Applies one family's findings at {@code now}; returns the incidents opened. */
    List<Anomaly> apply(String tenant, AnomalyPolicy policy, Set<AnomalyKind> family, List<Signal> found,
            List<Anomaly> active, Instant now) {
        Map<String, Anomaly> byKey = new HashMap<>();
        for (Anomaly a : active) {
            if (family.contains(a.kind())) {
                byKey.put(Signal.key(a.kind(), a.customer(), a.meter(), a.subject()), a);
            }
        }
        List<Anomaly> opened = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Signal s : found) {
            if (!seen.add(s.incidentKey())) {
                continue;
            }
            Anomaly existing = byKey.get(s.incidentKey());
            if (existing != null) {
                Instant until = s.seenUntil().isAfter(existing.lastSeenAt()) ? s.seenUntil() : existing.lastSeenAt();
                Optional<BigDecimal[]> worse = s.score() > existing.score().doubleValue()
                        ? Optional.of(new BigDecimal[] {figure(s.observed()), figure(s.expected()), figure(s.score())})
                        : Optional.empty();
                store.refresh(tenant, existing.id(), until, worse);
            } else {
                open(tenant, policy, s, now).ifPresent(opened::add);
            }
        }
        for (Map.Entry<String, Anomaly> e : byKey.entrySet()) {
            Anomaly a = e.getValue();
            if (!seen.contains(e.getKey()) && !now.isBefore(a.lastSeenAt().plus(quiet(a.kind())))) {
                store.close(tenant, a.id(), a.lastSeenAt());
            }
        }
        return opened;
    }

    private Optional<Anomaly> open(String tenant, AnomalyPolicy policy, Signal s, Instant now) {
        HoldAction hold = s.kind().perCustomer() ? policy.hold() : HoldAction.NONE;
        Anomaly a = new Anomaly(newId(now), tenant, s.kind(), s.customer(), s.meter(), s.subject(), s.windowStart(),
                Optional.empty(), figure(s.observed()), figure(s.expected()), figure(s.score()), s.method(), hold,
                AnomalyStatus.OPEN, now, s.seenUntil(), Optional.empty(), Optional.empty());
        boolean inserted = store.db().inTransaction(c -> {
            if (!store.insert(c, a)) {
                return false;
            }
            Outbox.record(c, tenant, WebhookEventTypes.USAGE_ANOMALY_DETECTED, payload(a), now);
            if (hold == HoldAction.ENTITLEMENT_CUT) {
                cuts.cut(c, tenant, a.customer().orElseThrow(), cause(a.id()), now);
            }
            return true;
        });
        if (!inserted) {
            return Optional.empty();
        }
        if (hold == HoldAction.ENTITLEMENT_CUT) {
            cuts.changed(tenant, a.customer().orElseThrow());
        }
        return Optional.of(a);
    }

    /** The suspension cause of an anomaly's entitlement cut. */
    static String cause(String anomalyId) {
        return "anomaly:" + anomalyId;
    }

    static ObjectNode payload(Anomaly a) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", a.id());
        o.put("kind", a.kind().wireName());
        a.customer().ifPresentOrElse(v -> o.put("customer", v), () -> o.putNull("customer"));
        a.meter().ifPresentOrElse(v -> o.put("meter", v), () -> o.putNull("meter"));
        a.subject().ifPresentOrElse(v -> o.put("subject", v), () -> o.putNull("subject"));
        o.put("window_start", a.windowStart().toString());
        o.put("observed", a.observed().toPlainString());
        o.put("expected", a.expected().toPlainString());
        o.put("score", a.score().toPlainString());
        o.put("method", a.method());
        o.put("hold", a.hold().wireName());
        o.put("detected_at", a.detectedAt().toString());
        return o;
    }

    /** A statistic as stored: four decimal places, half-up. */
    static BigDecimal figure(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return BigDecimal.ZERO;
        }
        return BigDecimal.valueOf(v).setScale(4, RoundingMode.HALF_UP);
    }

    private String newId(Instant now) {
        return String.format("ano_%013x%04x%06x", now.toEpochMilli(), sequence.incrementAndGet() & 0xffff,
                ThreadLocalRandom.current().nextInt(1 << 24));
    }
}

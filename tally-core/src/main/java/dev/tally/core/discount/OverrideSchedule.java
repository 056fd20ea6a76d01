package dev.tally.core.discount;

import dev.tally.core.billing.Charge;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Every price-override version of one subscription, and which one prices a charge at an instant. The rule: among the
 * charge's versions whose {@code effectiveFrom} is at or before the instant, the highest version number wins (a new
 * version replaces everything of the earlier ones from its own start on); it is in force when its own range covers
 * the instant, else nothing overrides the charge then (an ended override stays ended).
 *
 * <p>{@link #parts} cuts a billing segment where an override changes: a charge whose override does not change inside
 * the segment is rated over the whole segment (so its tiers and allowance are not split), one that changes is rated
 * separately over each stretch under one version, its allowance, minimum and maximum prorated by day as for a plan
 * change. Guarantees: the parts cover each charge of the plan over the whole segment exactly once.
 */
public final class OverrideSchedule {
    private final Map<String, List<OverrideVersion>> byCharge = new LinkedHashMap<>();

    /** The schedule of these versions (any order; one subscription's). */
    public OverrideSchedule(List<OverrideVersion> versions) {
        for (OverrideVersion v : versions) {
            byCharge.computeIfAbsent(v.chargeKey(), k -> new ArrayList<>()).add(v);
        }
        byCharge.values().forEach(l -> l.sort(Comparator.comparingInt(OverrideVersion::version)));
    }

    /** A schedule with no overrides. */
    public static OverrideSchedule none() {
        return new OverrideSchedule(List.of());
    }

    public boolean isEmpty() {
        return byCharge.isEmpty();
    }

    /** The version that prices {@code chargeKey} at {@code t}, if any (see the type's rule). */
    public Optional<OverrideVersion> inForce(String chargeKey, Instant t) {
        OverrideVersion winner = null;
        for (OverrideVersion v : byCharge.getOrDefault(chargeKey, List.of())) {
            if (!v.effectiveFrom().isAfter(t) && (winner == null || v.version() > winner.version())) {
                winner = v;
            }
        }
        return winner != null && winner.covers(t) ? Optional.of(winner) : Optional.empty();
    }

    /** The plan as priced at {@code t}: each charge under the version in force then (terms that do not fit it are ignored). */
    public PricedPart at(Plan plan, Period period, Instant t) {
        Map<String, OverrideVersion> applied = new LinkedHashMap<>();
        for (Charge ch : plan.charges()) {
            inForce(ch.key(), t).filter(v -> v.terms().apply(ch).isPresent()).ifPresent(v -> applied.put(ch.key(), v));
        }
        return PricedPart.of(plan, plan.charges(), period, applied);
    }

    /** The priced parts of a segment of {@code plan} over {@code segment} (see the type). */
    public List<PricedPart> parts(Plan plan, Period segment) {
        if (byCharge.isEmpty()) {
            return List.of(PricedPart.of(plan, plan.charges(), segment, Map.of()));
        }
        List<Charge> stable = new ArrayList<>();
        List<PricedPart> changing = new ArrayList<>();
        for (Charge ch : plan.charges()) {
            List<Instant> cuts = cuts(ch.key(), segment);
            if (cuts.size() == 2) {
                stable.add(ch);
                continue;
            }
            for (int i = 0; i + 1 < cuts.size(); i++) {
                Period stretch = new Period(cuts.get(i), cuts.get(i + 1));
                changing.add(at(plan, stretch, stretch.start()).only(ch.key()));
            }
        }
        List<PricedPart> out = new ArrayList<>();
        if (!stable.isEmpty()) {
            PricedPart whole = at(plan, segment, segment.start());
            out.add(stable.size() == plan.charges().size() ? whole
                    : PricedPart.of(plan, stable, segment, whole.applied()));
        }
        out.addAll(changing);
        return out;
    }

    /** The segment's start, each instant inside it where the charge's override changes, and its end. */
    private List<Instant> cuts(String chargeKey, Period segment) {
        TreeSet<Instant> candidates = new TreeSet<>();
        for (OverrideVersion v : byCharge.getOrDefault(chargeKey, List.of())) {
            candidates.add(v.effectiveFrom());
            v.effectiveTo().ifPresent(candidates::add);
        }
        List<Instant> out = new ArrayList<>();
        out.add(segment.start());
        Optional<OverrideVersion> current = inForce(chargeKey, segment.start());
        for (Instant t : candidates) {
            if (!t.isAfter(segment.start()) || !t.isBefore(segment.end())) {
                continue;
            }
            Optional<OverrideVersion> next = inForce(chargeKey, t);
            if (!Objects.equals(next.map(OverrideSchedule::identity), current.map(OverrideSchedule::identity))) {
                out.add(t);
                current = next;
            }
        }
        out.add(segment.end());
        return out;
    }

    private static String identity(OverrideVersion v) {
        return v.overrideId() + "\u0000" + v.version();
    }
}

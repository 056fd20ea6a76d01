package dev.tally.core.billing;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * One customer's change to a feature of its plan: each present field replaces the plan's (a sales deal, a support
 * exception, a customer on probation). Applied by {@link #applyTo}:
 * <ul>
 *   <li>on a metered plan feature, {@code limit}, {@code mode}, {@code grace_percent}, {@code meter} and
 *       {@code enabled} replace the plan's; switching to a soft limit drops the grace;</li>
 *   <li>on a boolean plan feature, {@code enabled} replaces the plan's; with {@code meter} and {@code limit} the
 *       override turns it into a metered feature;</li>
 *   <li>on a feature the plan lacks, an override grants it: a metered one with {@code meter} and {@code limit},
 *       else a boolean one with {@code enabled}.</li>
 * </ul>
 * Guarantees at least one field, a meter key matching {@link Plan#KEY}, a non-negative limit, a grace of 0 to
 * {@value MeteredLimit#MAX_GRACE_PERCENT} percent and no grace with a soft mode. {@link FeatureJson} reads and writes it.
 */
public record FeatureOverride(Optional<Boolean> enabled, Optional<String> meter, Optional<BigDecimal> limit,
        Optional<LimitMode> mode, Optional<BigDecimal> gracePercent) {

    /** Validates (see the type's guarantees). */
    public FeatureOverride {
        Objects.requireNonNull(enabled, "enabled");
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(gracePercent, "gracePercent");
        if (enabled.isEmpty() && meter.isEmpty() && limit.isEmpty() && mode.isEmpty() && gracePercent.isEmpty()) {
            throw new InvalidBillingException("", "an override changes at least one of enabled, meter, limit, mode, "
                    + "grace_percent");
        }
        meter.ifPresent(m -> {
            if (!Plan.KEY.matcher(m).matches()) {
                throw new InvalidBillingException("meter", "must be a meter key: " + Plan.KEY_RULE + ", got \"" + m + "\"");
            }
        });
        limit.ifPresent(l -> {
            if (l.signum() < 0) {
                throw new InvalidBillingException("limit", "must not be negative, got " + l.toPlainString());
            }
        });
        gracePercent.ifPresent(g -> {
            if (g.signum() < 0 || g.compareTo(BigDecimal.valueOf(MeteredLimit.MAX_GRACE_PERCENT)) > 0) {
                throw new InvalidBillingException("grace_percent", "must be between 0 and "
                        + MeteredLimit.MAX_GRACE_PERCENT + ", got " + g.toPlainString());
            }
        });
        if (mode.equals(Optional.of(LimitMode.SOFT)) && gracePercent.filter(g -> g.signum() != 0).isPresent()) {
            throw new InvalidBillingException("grace_percent", "applies only to hard limits (a soft limit never blocks)");
        }
    }

    /** Whether the override touches the quota (limit, mode, grace or meter), not only the switch. */
    public boolean changesQuota() {
        return meter.isPresent() || limit.isPresent() || mode.isPresent() || gracePercent.isPresent();
    }

    /**
     * The feature as this override makes it, given the plan's feature {@code base} (empty when the plan lacks it);
     * empty when the customer still does not have the feature. Lenient: quota fields that cannot apply (a limit
     * without a meter on a boolean feature, a grace on a soft limit) are ignored; {@link #checkAgainst} refuses them
     * when the override is written.
     */
    public Optional<Feature> applyTo(String key, Optional<Feature> base) {
        boolean on = enabled.orElse(base.map(Feature::enabled).orElse(true));
        Optional<MeteredLimit> baseLimit = base.flatMap(Feature::metered);
        if (baseLimit.isPresent()) {
            MeteredLimit b = baseLimit.get();
            LimitMode m = mode.orElse(b.mode());
            BigDecimal grace = m == LimitMode.SOFT ? BigDecimal.ZERO : gracePercent.orElse(b.gracePercent());
            return Optional.of(new Feature(key, on, Optional.of(new MeteredLimit(meter.orElse(b.meter()),
                    limit.orElse(b.limit()), m, grace))));
        }
        if (meter.isPresent() && limit.isPresent()) {
            LimitMode m = mode.orElse(LimitMode.HARD);
            BigDecimal grace = m == LimitMode.SOFT ? BigDecimal.ZERO : gracePercent.orElse(BigDecimal.ZERO);
            return Optional.of(new Feature(key, on, Optional.of(new MeteredLimit(meter.get(), limit.get(), m, grace))));
        }
        if (base.isPresent() || enabled.isPresent()) {
            return Optional.of(new Feature(key, on, Optional.empty()));
        }
        return Optional.empty();
    }

    /**
     * Refuses an override whose quota fields would be ignored on {@code base} (the feature of the customer's plan
     * now): a limit, mode or grace for a feature that is not metered unless it gives both {@code meter} and
     * {@code limit}, or a grace on what ends up a soft limit.
     *
     * @throws InvalidBillingException naming the field
     */
    public void checkAgainst(Optional<Feature> base) {
        boolean baseMetered = base.flatMap(Feature::metered).isPresent();
        if (changesQuota() && !baseMetered && (meter.isEmpty() || limit.isEmpty())) {
            String what = base.isPresent() ? "the plan's feature '" + base.get().key() + "' is boolean"
                    : "the customer's plan does not have this feature";
            throw new InvalidBillingException(limit.isEmpty() ? "limit" : "meter",
                    "is required to make a metered feature: " + what);
        }
        LimitMode effective = mode.orElse(base.flatMap(Feature::metered).map(MeteredLimit::mode).orElse(LimitMode.HARD));
        if (effective == LimitMode.SOFT && gracePercent.filter(g -> g.signum() != 0).isPresent()) {
            throw new InvalidBillingException("grace_percent", "applies only to hard limits (a soft limit never blocks)");
        }
    }
}

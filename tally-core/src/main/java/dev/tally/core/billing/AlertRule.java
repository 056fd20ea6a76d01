package dev.tally.core.billing;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A usage or spend alert: whom it watches ({@link Scope#CUSTOMER one customer}, or every subscription of a
 * {@link Scope#PLAN plan}), what it measures ({@link Metric#USAGE a meter's usage} in the current billing period, or
 * {@link Metric#SPEND the estimated amount} of the current period), and the thresholds that fire it: absolute
 * values, or percentages of a base ({@link PercentOf#INCLUDED the plan's included quantity} of the meter, or a
 * {@link PercentOf#BUDGET budget}). Each threshold fires once per customer and billing period, when the value
 * reaches it ({@link #states}). Guarantees: a scope id that is a valid customer external id or plan key, a meter
 * exactly for usage alerts, 1 to {@value #MAX_THRESHOLDS} distinct positive thresholds kept in ascending order and
 * without trailing zeros (so {@code "80.0"} and {@code "80"} are one threshold), percentages of at most
 * {@value #MAX_PERCENT}, a base exactly for percentage thresholds, "included" only for usage, and a positive
 * budget exactly with "budget". {@link AlertRuleJson} is its JSON form.
 */
public record AlertRule(Optional<String> name, Scope scope, String scopeId, Metric metric, Optional<String> meter,
        List<BigDecimal> thresholds, Optional<PercentOf> percentOf, Optional<BigDecimal> budget) {

    /** The most thresholds one alert has. */
    public static final int MAX_THRESHOLDS = 20;
    /** The largest percentage threshold. */
    public static final int MAX_PERCENT = 1000;
    /** The percentages a user expects when they name a base and no thresholds. */
    public static final List<BigDecimal> DEFAULT_PERCENTS = List.of(new BigDecimal("80"), new BigDecimal("95"),
            new BigDecimal("100"));
    private static final MathContext EXACT = MathContext.UNLIMITED;

    /** Whom an alert watches. */
    public enum Scope {
        CUSTOMER("customer"), PLAN("plan");

        private final String wireName;

        Scope(String wireName) {
            this.wireName = wireName;
        }

        /** The API spelling. */
        public String wireName() {
            return wireName;
        }
    }

    /** What an alert measures. */
    public enum Metric {
        USAGE("usage"), SPEND("spend");

        private final String wireName;

        Metric(String wireName) {
            this.wireName = wireName;
        }

        /** The API spelling. */
        public String wireName() {
            return wireName;
        }

        /** The metric with this API spelling, or empty. */
        public static Optional<Metric> fromWireName(String name) {
            return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
        }
    }

    /** What percentage thresholds are a percentage of. */
    public enum PercentOf {
        INCLUDED("included"), BUDGET("budget");

        private final String wireName;

        PercentOf(String wireName) {
            this.wireName = wireName;
        }

        /** The API spelling. */
        public String wireName() {
            return wireName;
        }

        /** The base with this API spelling, or empty. */
        public static Optional<PercentOf> fromWireName(String name) {
            return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
        }
    }

    /**
     * One threshold of an alert for one value: the threshold as configured ({@code 80} for 80 %), the value it
     * stands for (the percentage of the base; empty when the base is unknown or zero, e.g. a plan without an
     * included quantity) and whether the value reached it.
     */
    public record ThresholdState(BigDecimal threshold, Optional<BigDecimal> amount, boolean crossed) {
        /** Checks the fields are present. */
        public ThresholdState {
            Objects.requireNonNull(threshold, "threshold");
            Objects.requireNonNull(amount, "amount");
        }
    }

    /** Validates (see the type's guarantees); thresholds are normalized, sorted and copied. */
    public AlertRule {
        Objects.requireNonNull(name, "name");
        name.ifPresent(n -> {
            if (n.isBlank() || n.length() > Customer.MAX_TEXT_LENGTH) {
                throw new InvalidBillingException("name", "must be 1 to " + Customer.MAX_TEXT_LENGTH
                        + " characters, not blank");
            }
        });
        if (scope == null) {
            throw new InvalidBillingException("", "an alert needs \"customer\" or \"plan\"");
        }
        if (scopeId == null) {
            throw new InvalidBillingException(scope.wireName(), "is required");
        }
        if (scope == Scope.CUSTOMER) {
            Customer.externalIdProblem(scopeId).ifPresent(p -> {
                throw new InvalidBillingException("customer", p);
            });
        } else if (!Plan.KEY.matcher(scopeId).matches()) {
            throw new InvalidBillingException("plan", Plan.KEY_RULE + ", got \"" + scopeId + "\"");
        }
        if (metric == null) {
            throw new InvalidBillingException("metric", "is required: \"usage\" or \"spend\"");
        }
        Objects.requireNonNull(meter, "meter");
        if (metric == Metric.USAGE && meter.isEmpty()) {
            throw new InvalidBillingException("meter", "is required for a usage alert");
        }
        if (metric == Metric.SPEND && meter.isPresent()) {
            throw new InvalidBillingException("meter", "applies only to usage alerts (spend is the estimated amount)");
        }
        meter.ifPresent(m -> {
            if (!Plan.KEY.matcher(m).matches()) {
                throw new InvalidBillingException("meter", "must be a meter key: " + Plan.KEY_RULE + ", got \"" + m + "\"");
            }
        });
        Objects.requireNonNull(percentOf, "percentOf");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(thresholds, "thresholds");
        String field = percentOf.isPresent() ? "percent_thresholds" : "thresholds";
        if (thresholds.isEmpty()) {
            throw new InvalidBillingException(field, "must list at least one threshold");
        }
        if (thresholds.size() > MAX_THRESHOLDS) {
            throw new InvalidBillingException(field, "must list at most " + MAX_THRESHOLDS + " thresholds");
        }
        TreeSet<BigDecimal> sorted = new TreeSet<>();
        for (BigDecimal t : thresholds) {
            if (t == null || t.signum() <= 0) {
                throw new InvalidBillingException(field, "must be positive, got " + (t == null ? "null" : t.toPlainString()));
            }
            if (percentOf.isPresent() && t.compareTo(BigDecimal.valueOf(MAX_PERCENT)) > 0) {
                throw new InvalidBillingException(field, "must be at most " + MAX_PERCENT + " percent, got "
                        + t.toPlainString());
            }
            if (!sorted.add(normalize(t))) {
                throw new InvalidBillingException(field, "lists " + t.toPlainString() + " twice");
            }
        }
        thresholds = List.copyOf(sorted);
        if (percentOf.equals(Optional.of(PercentOf.INCLUDED)) && metric != Metric.USAGE) {
            throw new InvalidBillingException("of", "\"included\" applies only to usage alerts; use \"budget\"");
        }
        if (percentOf.equals(Optional.of(PercentOf.BUDGET)) != budget.isPresent()) {
            throw new InvalidBillingException("budget", budget.isPresent() ? "applies only with \"of\": \"budget\""
                    : "is required with \"of\": \"budget\"");
        }
        budget.ifPresent(b -> {
            if (b.signum() <= 0) {
                throw new InvalidBillingException("budget", "must be positive, got " + b.toPlainString());
            }
        });
    }

    /** A threshold as stored and compared: no trailing zeros, never in exponent form when written. */
    public static BigDecimal normalize(BigDecimal t) {
        BigDecimal n = t.stripTrailingZeros();
        return n.scale() < 0 ? n.setScale(0) : n;
    }

    /** Whether the thresholds are percentages of a base. */
    public boolean percent() {
        return percentOf.isPresent();
    }

    /**
     * The base percentage thresholds apply to, given the included quantity of the meter in the customer's plan
     * (for {@link PercentOf#INCLUDED}); empty for absolute thresholds, or when the base is zero or unknown.
     */
    public Optional<BigDecimal> base(Optional<BigDecimal> included) {
        if (percentOf.isEmpty()) {
            return Optional.empty();
        }
        Optional<BigDecimal> base = percentOf.get() == PercentOf.BUDGET ? budget : included;
        return base.filter(b -> b.signum() > 0);
    }

    /**
     * Each threshold for a current {@code value}: the value it stands for and whether {@code value} reached it
     * ({@code value >= amount}). A percentage threshold whose base is unknown or zero is never crossed.
     */
    public List<ThresholdState> states(BigDecimal value, Optional<BigDecimal> included) {
        Objects.requireNonNull(value, "value");
        Optional<BigDecimal> base = base(included);
        List<ThresholdState> out = new ArrayList<>(thresholds.size());
        for (BigDecimal t : thresholds) {
            Optional<BigDecimal> amount = percent()
                    ? base.map(b -> normalize(b.multiply(t, EXACT).movePointLeft(2)))
                    : Optional.of(t);
            out.add(new ThresholdState(t, amount, amount.filter(a -> value.compareTo(a) >= 0).isPresent()));
        }
        return out;
    }

    /** Whether the alert watches a customer whose subscription is on {@code planKey} now. */
    public boolean appliesTo(String customer, String planKey) {
        return scope == Scope.CUSTOMER ? scopeId.equals(customer) : scopeId.equals(planKey);
    }
}

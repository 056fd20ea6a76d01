package dev.tally.core.billing;

import dev.tally.core.money.InvalidMoneyException;
import dev.tally.core.money.RoundingRule;
import dev.tally.core.money.TaxRate;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One version of a plan: a currency, a billing interval, the charges billed every period (at least one, keys
 * unique), the tax rates that apply by default, and a free trial of {@code trialDays} days (0 to 365). Versions are
 * immutable: a change publishes a new version, and every invoice line names the plan version it was computed from.
 * Guarantees: a URL-safe key matching {@link #KEY}, a version of at least 1, a non-blank name, a currency with a
 * minor unit, and valid charges (non-negative fees, validated prices). A plan also declares the {@link Feature}s it
 * grants (boolean switches and metered quotas per billing period, keys unique; none by default).
 * A plan may also carry {@link CreditGrantRule}s: credits granted at the start of every period of its
 * subscriptions (none by default; amounts in the plan's currency, {@code applies_to} naming its charges).
 * {@link PlanJson} is its JSON form.
 */
public record Plan(String key, int version, String name, Currency currency, BillingInterval interval,
        List<Charge> charges, List<TaxRate> taxRates, int trialDays, List<Feature> features,
        List<CreditGrantRule> creditGrants) {

    /** Keys of plans, charges and meters: 1 to 64 of lower-case letters, digits, {@code _ . -}, not starting with a symbol. */
    public static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    /** The longest free trial, in days. */
    public static final int MAX_TRIAL_DAYS = 365;

    static final String KEY_RULE = "must be 1 to 64 lower-case letters, digits, '_', '.' or '-', starting with a letter or digit";

    /** A plan that grants no features. */
    public Plan(String key, int version, String name, Currency currency, BillingInterval interval,
            List<Charge> charges, List<TaxRate> taxRates, int trialDays) {
        this(key, version, name, currency, interval, charges, taxRates, trialDays, List.of());
    }

    /** A plan that grants no recurring credits. */
    public Plan(String key, int version, String name, Currency currency, BillingInterval interval,
            List<Charge> charges, List<TaxRate> taxRates, int trialDays, List<Feature> features) {
        this(key, version, name, currency, interval, charges, taxRates, trialDays, features, List.of());
    }

    /** Validates (see the type's guarantees); the lists are copied and unmodifiable. */
    public Plan {
        if (key == null) {
            throw new InvalidBillingException("key", "is required");
        }
        if (!KEY.matcher(key).matches()) {
            throw new InvalidBillingException("key", KEY_RULE + ", got \"" + key + "\"");
        }
        if (version < 1) {
            throw new InvalidBillingException("version", "must be at least 1, got " + version);
        }
        if (name == null || name.isBlank()) {
            throw new InvalidBillingException("name", "must not be blank");
        }
        if (currency == null) {
            throw new InvalidBillingException("currency", "is required");
        }
        try {
            RoundingRule.minorUnitDigits(currency);
        } catch (InvalidMoneyException e) {
            throw new InvalidBillingException("currency", "has no minor unit and cannot be billed: " + currency);
        }
        if (interval == null) {
            throw new InvalidBillingException("interval", "is required");
        }
        Objects.requireNonNull(charges, "charges");
        Objects.requireNonNull(taxRates, "taxRates");
        charges = List.copyOf(charges);
        taxRates = List.copyOf(taxRates);
        if (charges.isEmpty()) {
            throw new InvalidBillingException("charges", "must contain at least one charge");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < charges.size(); i++) {
            Integer first = seen.putIfAbsent(charges.get(i).key(), i);
            if (first != null) {
                throw new InvalidBillingException("charges[" + i + "].key",
                        "duplicates charges[" + first + "].key \"" + charges.get(i).key() + "\"");
            }
        }
        if (trialDays < 0 || trialDays > MAX_TRIAL_DAYS) {
            throw new InvalidBillingException("trial_days", "must be between 0 and " + MAX_TRIAL_DAYS + ", got " + trialDays);
        }
        Objects.requireNonNull(features, "features");
        features = List.copyOf(features);
        Map<String, Integer> featureKeys = new HashMap<>();
        for (int i = 0; i < features.size(); i++) {
            Integer first = featureKeys.putIfAbsent(features.get(i).key(), i);
            if (first != null) {
                throw new InvalidBillingException("features[" + i + "].key",
                        "duplicates features[" + first + "].key \"" + features.get(i).key() + "\"");
            }
        }
        Objects.requireNonNull(creditGrants, "creditGrants");
        creditGrants = List.copyOf(creditGrants);
        for (int i = 0; i < creditGrants.size(); i++) {
            CreditGrantRule r = creditGrants.get(i);
            if (!r.amount().currency().equals(currency)) {
                throw new InvalidBillingException("credit_grants[" + i + "].amount", "must be in the plan's currency");
            }
            for (String k : r.appliesTo()) {
                if (!seen.containsKey(k)) {
                    throw new InvalidBillingException("credit_grants[" + i + "].applies_to", "no charge '" + k + "'");
                }
            }
        }
    }

    /** The feature with this key, or empty when the plan does not grant it. */
    public Optional<Feature> feature(String featureKey) {
        return features.stream().filter(f -> f.key().equals(featureKey)).findFirst();
    }

    /** The charge with this key, or empty. */
    public Optional<Charge> charge(String chargeKey) {
        return charges.stream().filter(c -> c.key().equals(chargeKey)).findFirst();
    }

    /** The flat charges, in plan order. */
    public List<FlatCharge> flatCharges() {
        return charges.stream().filter(FlatCharge.class::isInstance).map(FlatCharge.class::cast).toList();
    }

    /** The usage charges, in plan order. */
    public List<UsageCharge> usageCharges() {
        return charges.stream().filter(UsageCharge.class::isInstance).map(UsageCharge.class::cast).toList();
    }
}

package dev.tally.core.billing;

import java.util.Objects;
import java.util.Optional;

/**
 * A feature a plan grants: a boolean switch (SSO, audit log) or, when {@code metered} is present, a quota on a
 * meter's usage per billing period ({@link MeteredLimit}). {@code enabled} false turns the feature off whatever its
 * quota. Guarantees a key matching {@link Plan#KEY}. {@link FeatureJson} is its JSON form; {@link EntitlementDecision}
 * decides whether a customer may use it.
 */
public record Feature(String key, boolean enabled, Optional<MeteredLimit> metered) {

    /** The wire name of a feature without a quota. */
    public static final String BOOLEAN = "boolean";
    /** The wire name of a feature with a quota. */
    public static final String METERED = "metered";

    /** Validates (see the type's guarantees). */
    public Feature {
        if (key == null) {
            throw new InvalidBillingException("key", "is required");
        }
        if (!Plan.KEY.matcher(key).matches()) {
            throw new InvalidBillingException("key", Plan.KEY_RULE + ", got \"" + key + "\"");
        }
        Objects.requireNonNull(metered, "metered");
    }

    /** A boolean feature. */
    public static Feature toggle(String key, boolean enabled) {
        return new Feature(key, enabled, Optional.empty());
    }

    /** An enabled metered feature. */
    public static Feature metered(String key, MeteredLimit limit) {
        return new Feature(key, true, Optional.of(limit));
    }

    /** {@value #BOOLEAN} or {@value #METERED}. */
    public String type() {
        return metered.isPresent() ? METERED : BOOLEAN;
    }
}

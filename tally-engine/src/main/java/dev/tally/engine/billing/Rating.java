package dev.tally.engine.billing;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a draft was last rated from: the marks of its inputs when it was composed (the tenant-wide and the customer's
 * billing-input versions, kept by the store's triggers, and the customer's usage mark), and the instant from which
 * the clock alone can change its composition (an earlier invoice leaving the look-back, a pending time zone taking
 * effect). A billing run composes a draft again iff its rating is not {@link #current} any more.
 *
 * @param inputs     the marks of the inputs, compared as they are
 * @param validUntil when the clock can change the composition; empty when it cannot
 */
record Rating(String inputs, Optional<Instant> validUntil) {
    Rating {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(validUntil, "validUntil");
    }

    /** The marks of a draft's inputs now: compared with {@link #inputs} of the rating it was composed with. */
    static String inputs(long tenantVersion, long customerVersion, String usageMark) {
        return "r1 t" + tenantVersion + " c" + customerVersion + " u" + usageMark;
    }

    /** Whether a draft rated so composes the same now, when its inputs' marks are {@code inputsNow}. */
    boolean current(String inputsNow, Instant now) {
        return inputs.equals(inputsNow) && validUntil.map(now::isBefore).orElse(true);
    }
}

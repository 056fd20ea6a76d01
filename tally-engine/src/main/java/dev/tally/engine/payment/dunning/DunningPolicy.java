package dev.tally.engine.payment.dunning;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A tenant's dunning policy. When {@code enabled}: a reminder on each of {@code reminderDaysBeforeDue} days before
 * the due date; a reminder after each failed attempt when {@code remindAfterFailure}; a retry on each of
 * {@code retryDays} days after the invoice went into dunning (its first failed attempt, or the day after its due date,
 * whichever comes first); and {@code uncollectibleAfterDays} days after that, if still unpaid, the invoice is marked
 * uncollectible and the customer's entitlements are suspended as {@code suspension} says (with
 * {@code suspensionGraceDays} of grace for {@code grace}) until the invoice is paid. Retry days are strictly
 * increasing, between 1 and 365, at most 10; reminder days distinct, 1 to 60, at most 5; the end comes after the last
 * retry; a suspension needs an end.
 */
public record DunningPolicy(boolean enabled, List<Integer> retryDays, List<Integer> reminderDaysBeforeDue,
        boolean remindAfterFailure, Optional<Integer> uncollectibleAfterDays, Suspend suspension,
        Optional<Integer> suspensionGraceDays) {

    /** What the end of the schedule does to the customer's entitlements. */
    public enum Suspend {
        NONE("none"), SOFT("soft"), GRACE("grace"), HARD("hard");

        private final String wireName;

        Suspend(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Optional<Suspend> fromWireName(String s) {
            return java.util.Arrays.stream(values()).filter(v -> v.wireName.equals(s)).findFirst();
        }
    }

    /** The policy of a tenant that has not set one: off, with the defaults it would use once enabled. */
    public static final DunningPolicy DEFAULT = new DunningPolicy(false, List.of(1, 3, 5, 7), List.of(3), true,
            Optional.of(14), Suspend.NONE, Optional.empty());

    public DunningPolicy {
        retryDays = List.copyOf(retryDays);
        reminderDaysBeforeDue = List.copyOf(reminderDaysBeforeDue);
        Objects.requireNonNull(uncollectibleAfterDays);
        Objects.requireNonNull(suspension);
        Objects.requireNonNull(suspensionGraceDays);
        if (retryDays.size() > 10) {
            throw new InvalidDunningPolicyException("retry_days", "has at most 10 days");
        }
        for (int i = 0; i < retryDays.size(); i++) {
            int d = retryDays.get(i);
            if (d < 1 || d > 365) {
                throw new InvalidDunningPolicyException("retry_days", "are days from 1 to 365");
            }
            if (i > 0 && d <= retryDays.get(i - 1)) {
                throw new InvalidDunningPolicyException("retry_days", "must be strictly increasing");
            }
        }
        if (reminderDaysBeforeDue.size() > 5) {
            throw new InvalidDunningPolicyException("reminder_days_before_due", "has at most 5 days");
        }
        if (reminderDaysBeforeDue.stream().anyMatch(d -> d < 1 || d > 60)
                || reminderDaysBeforeDue.stream().distinct().count() != reminderDaysBeforeDue.size()) {
            throw new InvalidDunningPolicyException("reminder_days_before_due", "are distinct days from 1 to 60");
        }
        if (uncollectibleAfterDays.isPresent()) {
            int end = uncollectibleAfterDays.get();
            if (end < 1 || end > 730) {
                throw new InvalidDunningPolicyException("uncollectible_after_days", "must be from 1 to 730");
            }
            if (!retryDays.isEmpty() && end <= retryDays.get(retryDays.size() - 1)) {
                throw new InvalidDunningPolicyException("uncollectible_after_days", "must come after the last retry day");
            }
        } else if (suspension != Suspend.NONE) {
            throw new InvalidDunningPolicyException("suspension", "needs uncollectible_after_days (the end of dunning)");
        }
        if (suspension == Suspend.GRACE) {
            if (suspensionGraceDays.isEmpty() || suspensionGraceDays.get() < 1 || suspensionGraceDays.get() > 90) {
                throw new InvalidDunningPolicyException("suspension_grace_days", "must be from 1 to 90 for a grace suspension");
            }
        } else if (suspensionGraceDays.isPresent()) {
            throw new InvalidDunningPolicyException("suspension_grace_days", "applies only to a grace suspension");
        }
    }
}

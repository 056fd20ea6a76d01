package dev.tally.engine.payment.dunning;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A dunning step that was done, never changed: which invoice, its key ({@code step}, unique per invoice, e.g.
 * {@code retry:2}), its kind, when it was due and when it was done, and what it did ({@code detail}).
 */
public record DunningStep(String id, String tenant, String invoice, String customer, String step, Kind kind,
        Instant dueAt, Instant doneAt, ObjectNode detail) {
    /** A step's kind; {@link #wireName()} is the API spelling. */
    public enum Kind {
        REMINDER_BEFORE_DUE("reminder_before_due"), FAILURE_REMINDER("failure_reminder"), RETRY("retry"),
        RETRY_SKIPPED("retry_skipped"), MANUAL_RETRY("manual_retry"), UNCOLLECTIBLE("uncollectible"),
        SUSPENSION_LIFTED("suspension_lifted");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Optional<Kind> fromWireName(String s) {
            return Arrays.stream(values()).filter(k -> k.wireName.equals(s)).findFirst();
        }
    }

    public DunningStep {
        Objects.requireNonNull(id);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(invoice);
        Objects.requireNonNull(customer);
        Objects.requireNonNull(step);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(dueAt);
        Objects.requireNonNull(doneAt);
        Objects.requireNonNull(detail);
    }
}

package dev.tally.engine.payment;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code manual} provider: an operator records what happened outside Tally (a bank transfer received, a card
 * declined, money returned) with their own reference, e.g. the bank's transaction id. The body is
 * {@code {"outcome": "succeeded|failed|processing|refunded|disputed", "amount": "10.00", "reference": "...",
 * "reason": "...", "currency": "USD", "occurred_at": "RFC 3339"}}; reason, currency and occurred_at are optional.
 * It collects nothing itself (a person pays), so a retry of a manual invoice is {@link RetryOutcome.Kind#NOT_COLLECTED}
 * and dunning sends a reminder instead.
 */
public final class ManualProvider implements PaymentProvider {
    public static final String NAME = "manual";
    private static final Set<String> FIELDS = Set.of("outcome", "amount", "reference", "reason", "currency", "occurred_at");
    private static final int MAX_TEXT = 200;

    @Override
    public String name() {
        return NAME;
    }

    /** Reads and validates a record request; throws {@link InvalidPaymentException} naming the first bad field. */
    public NewFact read(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidPaymentException("body", "must be a JSON object");
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw new InvalidPaymentException(f, "is not a field of a payment record");
            }
        });
        FactKind kind = FactKind.fromWireName(text(body, "outcome").orElseThrow(() -> missing("outcome")))
                .orElseThrow(() -> new InvalidPaymentException("outcome",
                        "must be succeeded, failed, processing, refunded or disputed"));
        String rawAmount = text(body, "amount").orElseThrow(() -> missing("amount"));
        BigDecimal amount;
        try {
            amount = new BigDecimal(rawAmount);
        } catch (NumberFormatException e) {
            throw new InvalidPaymentException("amount", "must be a decimal string such as \"10.00\"");
        }
        if (amount.signum() <= 0) {
            throw new InvalidPaymentException("amount", "must be positive");
        }
        String reference = text(body, "reference").orElseThrow(() -> missing("reference"));
        if (reference.isBlank() || reference.length() > MAX_TEXT) {
            throw new InvalidPaymentException("reference", "must be 1 to " + MAX_TEXT + " characters");
        }
        String reason = text(body, "reason").orElse("recorded manually");
        if (reason.length() > MAX_TEXT) {
            throw new InvalidPaymentException("reason", "must be at most " + MAX_TEXT + " characters");
        }
        Optional<Instant> occurred = text(body, "occurred_at").map(t -> {
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e) {
                throw new InvalidPaymentException("occurred_at", "must be an RFC 3339 timestamp");
            }
        });
        return new NewFact(kind, amount, text(body, "currency"), reference, reason, occurred);
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw new InvalidPaymentException(field, "must be a string");
        }
        return Optional.of(v.asText());
    }

    private static InvalidPaymentException missing(String field) {
        return new InvalidPaymentException(field, "is required");
    }
}

package dev.tally.engine.notify;

import java.util.Set;

/**
 * The message types an endpoint can subscribe to (its {@code event_types} filter). A producer that records a
 * new type with {@link Outbox#record} adds it here so endpoints can ask for it by name.
 */
public final class WebhookEventTypes {
    public static final String USAGE_THRESHOLD_CROSSED = "usage.threshold_crossed";
    public static final String ENTITLEMENT_EXHAUSTED = "entitlement.exhausted";
    public static final String INVOICE_CREATED = "invoice.created";
    public static final String INVOICE_FINALIZED = "invoice.finalized";
    public static final String INVOICE_PAID = "invoice.paid";
    public static final String INVOICE_VOIDED = "invoice.voided";
    public static final String INVOICE_PAYMENT_SUCCEEDED = "invoice.payment_succeeded";
    public static final String INVOICE_PAYMENT_FAILED = "invoice.payment_failed";
    /** Dunning: a reminder to pay (before the due date, after a failed attempt, or a retry that can only remind). */
    public static final String INVOICE_PAYMENT_REMINDER = "invoice.payment_reminder";
    /** Dunning: a step of the schedule was taken (a retry, marked uncollectible, a suspension lifted). */
    public static final String INVOICE_DUNNING_STEP = "invoice.dunning_step";
    public static final String CREDIT_NOTE_CREATED = "credit_note.created";
    public static final String EVENTS_REJECTED_SUMMARY = "events.rejected_summary";
    public static final String ENDPOINT_DISABLED = "webhook_endpoint.disabled";
    /** Events arrived for a subject that matches no customer (announced once per subject). */
    public static final String EVENTS_UNKNOWN_SUBJECT = "events.unknown_subject";

    /** A wallet's live balance fell below a threshold of a balance alert (once per crossing). */
    public static final String WALLET_BALANCE_LOW = "wallet.balance_low";
    /** A wallet's live balance reached zero (once per crossing). */
    public static final String WALLET_DEPLETED = "wallet.depleted";

    /** Anomaly detection raised an incident (once per incident; docs/ANOMALIES.md). */
    public static final String USAGE_ANOMALY_DETECTED = "usage.anomaly_detected";

    /** Every known type. */
    public static final Set<String> ALL = Set.of(USAGE_THRESHOLD_CROSSED, ENTITLEMENT_EXHAUSTED, INVOICE_CREATED,
            INVOICE_FINALIZED, INVOICE_PAID, INVOICE_VOIDED, INVOICE_PAYMENT_SUCCEEDED, INVOICE_PAYMENT_FAILED,
            CREDIT_NOTE_CREATED, EVENTS_REJECTED_SUMMARY, ENDPOINT_DISABLED, EVENTS_UNKNOWN_SUBJECT,
            INVOICE_PAYMENT_REMINDER, INVOICE_DUNNING_STEP,
            WALLET_BALANCE_LOW, WALLET_DEPLETED, USAGE_ANOMALY_DETECTED);

    private WebhookEventTypes() {
    }
}

package dev.tally.core.event;

/**
 * Why one event was rejected. {@link #code()} is the stable machine-readable
 * value clients see in the ingest response and in metrics; it never changes
 * once published.
 */
public enum RejectionReason {
    NOT_AN_OBJECT("not_an_object", "the event is not a JSON object"),
    MISSING_ID("missing_id", "the event has no 'id'"),
    MISSING_SOURCE("missing_source", "the event has no 'source'"),
    MISSING_TYPE("missing_type", "the event has no 'type'"),
    MISSING_SUBJECT("missing_subject", "the event has no 'subject' (the customer's external id)"),
    BAD_SPECVERSION("bad_specversion", "'specversion' must be \"1.0\""),
    INVALID_ATTRIBUTE("invalid_attribute", "a CloudEvents attribute has the wrong JSON type"),
    BAD_TIME("bad_time", "'time' is not an RFC 3339 timestamp"),
    TIME_IN_FUTURE("time_in_future", "'time' is more than 5 minutes in the future"),
    TOO_OLD("too_old", "'time' is older than the backdating window"),
    DATA_NOT_OBJECT("data_not_object", "'data' must be a JSON object"),
    EVENT_TOO_LARGE("event_too_large", "the event is larger than 64 KiB"),
    VALUE_MISSING("value_missing", "a meter for this event type needs a value the event does not carry"),
    VALUE_NOT_NUMERIC("value_not_numeric", "a meter for this event type needs a number and the value is not one"),
    OPERATION_INVALID("operation_invalid", "a persistent count's operation must be \"add\" or \"remove\""),
    EXPRESSION_ERROR("expression_error", "a meter's expression could not be evaluated for this event"),
    SCHEMA_VIOLATION("schema_violation", "the event's data does not match the JSON Schema in force for its type");

    private final String code;
    private final String description;

    RejectionReason(String code, String description) {
        this.code = code;
        this.description = description;
    }

    /** The stable machine-readable code, e.g. {@code time_in_future}. */
    public String code() {
        return code;
    }

    /** A sentence safe to show to a client. */
    public String description() {
        return description;
    }
}

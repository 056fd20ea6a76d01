package dev.tally.engine.ingest;

import dev.tally.core.event.RejectionReason;
import java.util.Objects;
import java.util.Optional;

/** The outcome of one event of a request, in request order. */
public record EventStatus(Optional<String> id, Optional<String> source, Kind kind, Optional<RejectionReason> reason,
        Optional<String> detail) {

    /** accepted, duplicate or rejected. */
    public enum Kind {
        ACCEPTED("accepted"), DUPLICATE("duplicate"), REJECTED("rejected");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    public EventStatus {
        Objects.requireNonNull(id);
        Objects.requireNonNull(source);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(reason);
        Objects.requireNonNull(detail);
    }

    static EventStatus of(String id, String source, Kind kind) {
        return new EventStatus(Optional.of(id), Optional.of(source), kind, Optional.empty(), Optional.empty());
    }

    static EventStatus rejected(Optional<String> id, Optional<String> source, RejectionReason reason, String detail) {
        return new EventStatus(id, source, Kind.REJECTED, Optional.of(reason), Optional.of(detail));
    }
}

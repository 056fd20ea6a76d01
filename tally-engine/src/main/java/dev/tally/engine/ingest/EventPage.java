package dev.tally.engine.ingest;

import java.util.List;
import java.util.Optional;

/** One page of stored events and the cursor of the next page, if there is one. */
public record EventPage(List<StoredEvent> events, Optional<String> nextCursor) {
    public EventPage {
        events = List.copyOf(events);
    }
}

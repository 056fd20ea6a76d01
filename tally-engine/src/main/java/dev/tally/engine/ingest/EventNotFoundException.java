package dev.tally.engine.ingest;

/** No stored event of this tenant has this source and id (within the dedup window). */
public final class EventNotFoundException extends RuntimeException {
    public EventNotFoundException(String source, String id) {
        super("no event with source '" + source + "' and id '" + id + "'");
    }
}

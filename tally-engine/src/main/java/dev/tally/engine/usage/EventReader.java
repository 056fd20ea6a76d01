package dev.tally.engine.usage;

import dev.tally.core.event.UsageEvent;

/** Reads back the event stored at a log position (every position the usage store holds is an event's). */
public interface EventReader {
    UsageEvent read(long position);
}

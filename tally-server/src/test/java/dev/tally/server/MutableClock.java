package dev.tally.server;

import dev.tally.core.time.ManualClock;
import java.time.Instant;

/** The server tests' clock: the core's {@link ManualClock} under a shorter name. */
final class MutableClock extends ManualClock {
    MutableClock(Instant start) {
        super(start);
    }
}

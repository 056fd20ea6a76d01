package dev.tally.core.event;

import dev.tally.core.input.InstantInput;
import dev.tally.core.input.InvalidInputException;
import java.time.DateTimeException;
import java.time.Instant;

/** RFC 3339 timestamps of events, read by {@link InstantInput} (so bounded to the years 1970 to 9999). */
final class Rfc3339 {
    private Rfc3339() {
    }

    /** The instant; a DateTimeException if the text is not RFC 3339 or is outside {@link InstantInput}'s range. */
    static Instant parse(String s) {
        try {
            return InstantInput.parse(s);
        } catch (InvalidInputException e) {
            throw new DateTimeException(e.getMessage());
        }
    }
}

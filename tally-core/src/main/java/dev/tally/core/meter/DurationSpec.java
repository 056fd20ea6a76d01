package dev.tally.core.meter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.duration.MarkKind;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a duration meter version reads its events: the data path of the session key that matches start, heartbeat and
 * stop events, the data path of the kind and the three kind values, and the timeout that closes an interval whose
 * stop never came. Guarantees: three different, non-blank kind values and a timeout of whole seconds between
 * {@link #MIN_TIMEOUT} and {@link #MAX_TIMEOUT} (a usage question reads the marks of one timeout around each window,
 * so the bound keeps that read small). The timeout is the longest silence of a live session: a little more than the
 * heartbeat interval, or, for start/stop pairs without heartbeats, the longest session expected.
 */
public record DurationSpec(DataPath key, DataPath kindPath, String start, String stop, String heartbeat,
        Duration timeout) {
    public static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration MAX_TIMEOUT = Duration.ofDays(31);

    public DurationSpec {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kindPath, "kind_path");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(stop, "stop");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(timeout, "timeout");
        if (start.isBlank() || stop.isBlank() || heartbeat.isBlank()) {
            throw new IllegalArgumentException("duration.start, stop and heartbeat must not be blank");
        }
        if (start.equals(stop) || start.equals(heartbeat) || stop.equals(heartbeat)) {
            throw new IllegalArgumentException("duration.start, stop and heartbeat must be three different values");
        }
        if (timeout.getNano() != 0 || timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("duration.timeout must be whole seconds from PT1S to P31D");
        }
    }

    /** The kind text an event carries at {@link #kindPath()}, if any. */
    Optional<String> kindText(JsonNode data) {
        return kindPath.find(data).map(DataPath::text);
    }

    /** The kind a kind text stands for; empty for any other text (such an event is not measured by the meter). */
    Optional<MarkKind> kind(String text) {
        if (text.equals(start)) {
            return Optional.of(MarkKind.START);
        }
        if (text.equals(heartbeat)) {
            return Optional.of(MarkKind.HEARTBEAT);
        }
        return text.equals(stop) ? Optional.of(MarkKind.STOP) : Optional.empty();
    }

    /** The session key an event carries at {@link #key()}, if any. */
    Optional<String> keyText(JsonNode data) {
        return key.find(data).map(DataPath::text);
    }
}

package dev.tally.engine.usage;

import dev.tally.core.aggregate.AggregateState;
import dev.tally.core.aggregate.DurationState;
import dev.tally.core.duration.DurationCoverage;
import dev.tally.core.duration.Mark;
import dev.tally.core.meter.DurationSpec;
import dev.tally.core.meter.Meter;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A duration meter's answer for one series (customer, meter version, group) over a question's windows. The marks of
 * every hour from the first window's start minus the timeout to the last window's end plus the timeout are read in
 * time order (hour buckets are disjoint and each is sorted, so their concatenation is sorted), turned into covered
 * intervals once, and each window takes its exact part: intervals are cut at the version's end (the next version's
 * {@code effective_from}, which measures the time after it) and at "now" (an open interval counts up to now, never
 * beyond). Cost: the marks of the range plus two timeouts, once per series and question.
 */
final class DurationWindows {
    private DurationWindows() {
    }

    /** One window's value (in the meter's time unit) and its number of marks. */
    record Part(int window, BigDecimal value, long events) {
    }

    static List<Part> answer(Meter version, Instant versionEnd, TreeMap<Long, AggregateState> hours,
            List<Instant[]> windows, Instant now) {
        List<Part> out = new ArrayList<>();
        if (windows.isEmpty() || hours.isEmpty()) {
            return out;
        }
        DurationSpec spec = version.duration().orElseThrow(() -> new IllegalStateException(
                "meter '" + version.key() + "' v" + version.version() + " is not a duration meter"));
        Duration timeout = spec.timeout();
        Instant first = windows.get(0)[0].minus(timeout);
        Instant last = windows.get(windows.size() - 1)[1].plus(timeout);
        List<Mark> marks = new ArrayList<>();
        for (AggregateState st : hours.subMap(Hours.of(first), true, Hours.ceil(last), false).values()) {
            marks.addAll(((DurationState) st).marks());
        }
        Instant until = versionEnd.isBefore(now) ? versionEnd : now;
        DurationCoverage coverage = DurationCoverage.of(marks, timeout, until);
        for (int wi = 0; wi < windows.size(); wi++) {
            Instant ws = windows.get(wi)[0];
            Instant we = windows.get(wi)[1];
            BigDecimal seconds = coverage.seconds(ws, we);
            long events = coverage.marks(ws, we);
            if (seconds.signum() != 0 || events != 0) {
                BigDecimal v = seconds.divide(version.timeUnit().seconds(), AggregateState.DIVISION);
                out.add(new Part(wi, v.signum() == 0 ? BigDecimal.ZERO : v.stripTrailingZeros(), events));
            }
        }
        return out;
    }
}

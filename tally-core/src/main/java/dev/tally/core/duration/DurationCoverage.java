package dev.tally.core.duration;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The time covered by the marks of one series of a duration meter, measurable over any window exactly.
 *
 * <p>The rule, for each session key: a start or heartbeat at {@code t} covers {@code [t, min(next, t + timeout,
 * until))}, where {@code next} is the time of the key's next mark of any kind (in {@link Mark} order); a stop covers
 * nothing. So a stop ends the interval, a heartbeat extends it, a missing stop closes it at the last start or
 * heartbeat plus the timeout, a heartbeat or start after a stop or after a timeout opens a new interval at its own
 * time, a duplicate start is a heartbeat, a stop without a start counts nothing, and a late stop (one that arrives
 * after others but has an earlier event time) is simply a mark in its place. The covered pieces are disjoint per key
 * (each lies between two consecutive marks), so a window's total is the sum of each piece's intersection with it,
 * and the totals of windows that split a range add up to the range's total exactly (in seconds).
 *
 * <p>Exactness needs every mark within {@code timeout} of the window: callers pass the marks from
 * {@code from - timeout} to {@code to + timeout} at least. Immutable once built.
 */
public final class DurationCoverage {
    private static final BigDecimal NANOS = BigDecimal.valueOf(1_000_000_000L);

    private final Duration timeout;
    /** The covered pieces [starts[i], ends[i]), sorted by start; and every mark time, sorted. */
    private final Instant[] starts;
    private final Instant[] ends;
    private final Instant[] markTimes;

    private DurationCoverage(Duration timeout, Instant[] starts, Instant[] ends, Instant[] markTimes) {
        this.timeout = timeout;
        this.starts = starts;
        this.ends = ends;
        this.markTimes = markTimes;
    }

    /**
     * The coverage of {@code marks} (in ascending {@link Mark} order; any order is sorted first), each piece at most
     * {@code timeout} long and cut at {@code until} (the meter version's end or "now", whichever is earlier).
     */
    public static DurationCoverage of(Iterable<Mark> marks, Duration timeout, Instant until) {
        Objects.requireNonNull(timeout);
        Objects.requireNonNull(until);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        List<Mark> sorted = new ArrayList<>();
        marks.forEach(sorted::add);
        boolean ordered = true;
        for (int i = 1; i < sorted.size() && ordered; i++) {
            ordered = sorted.get(i - 1).compareTo(sorted.get(i)) <= 0;
        }
        if (!ordered) {
            sorted.sort(null);
        }
        Map<String, Mark> open = new HashMap<>();
        List<Instant[]> pieces = new ArrayList<>();
        Instant[] times = new Instant[sorted.size()];
        for (int i = 0; i < times.length; i++) {
            Mark m = sorted.get(i);
            times[i] = m.time();
            Mark before = m.kind().opens() ? open.put(m.key(), m) : open.remove(m.key());
            if (before != null) {
                close(before, m.time(), timeout, until, pieces);
            }
        }
        for (Mark m : open.values()) {
            close(m, null, timeout, until, pieces);
        }
        pieces.sort((a, b) -> a[0].compareTo(b[0]));
        Instant[] s = new Instant[pieces.size()];
        Instant[] e = new Instant[pieces.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = pieces.get(i)[0];
            e[i] = pieces.get(i)[1];
        }
        return new DurationCoverage(timeout, s, e, times);
    }

    private static void close(Mark from, Instant next, Duration timeout, Instant until, List<Instant[]> pieces) {
        Instant end = from.time().plus(timeout);
        if (next != null && next.isBefore(end)) {
            end = next;
        }
        if (until.isBefore(end)) {
            end = until;
        }
        if (end.isAfter(from.time())) {
            pieces.add(new Instant[] {from.time(), end});
        }
    }

    /** The covered time inside [from, to), in seconds (exact, to the nanosecond). */
    public BigDecimal seconds(Instant from, Instant to) {
        if (!from.isBefore(to)) {
            return BigDecimal.ZERO;
        }
        long nanos = 0;
        long secs = 0;
        // a piece is at most `timeout` long, so none that starts before from - timeout reaches from
        for (int i = firstAtOrAfter(starts, from.minus(timeout)); i < starts.length && starts[i].isBefore(to); i++) {
            Instant a = starts[i].isBefore(from) ? from : starts[i];
            Instant b = ends[i].isAfter(to) ? to : ends[i];
            if (b.isAfter(a)) {
                secs += b.getEpochSecond() - a.getEpochSecond();
                nanos += b.getNano() - a.getNano();
            }
        }
        BigDecimal total = BigDecimal.valueOf(secs).add(BigDecimal.valueOf(nanos).divide(NANOS));
        return total.signum() == 0 ? BigDecimal.ZERO : total.stripTrailingZeros();
    }

    /** How many marks have an event time in [from, to). */
    public long marks(Instant from, Instant to) {
        return Math.max(0, firstAtOrAfter(markTimes, to) - firstAtOrAfter(markTimes, from));
    }

    /** The covered intervals, as [start, end) pairs in start order (for tests and explanations). */
    public List<Instant[]> intervals() {
        List<Instant[]> out = new ArrayList<>(starts.length);
        for (int i = 0; i < starts.length; i++) {
            out.add(new Instant[] {starts[i], ends[i]});
        }
        return out;
    }

    private static int firstAtOrAfter(Instant[] sorted, Instant t) {
        int i = Arrays.binarySearch(sorted, t);
        if (i < 0) {
            return -i - 1;
        }
        while (i > 0 && sorted[i - 1].equals(t)) {
            i--;
        }
        return i;
    }
}

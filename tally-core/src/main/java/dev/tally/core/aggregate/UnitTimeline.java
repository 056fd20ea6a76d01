package dev.tally.core.aggregate;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The add and remove operations of persistent units (seats, users, devices), in event-time order, and what they
 * mean for any window. Guarantees:
 * <ul>
 *   <li>the order of operations is (event time, the event's tie-break key), never arrival, so the result of any
 *       set of operations is independent of the order they were added or merged in;</li>
 *   <li>a unit is active from an add until the next remove: an add of an active unit and a remove of an inactive
 *       one change nothing; intervals are half-open, so a remove at the instant of its add leaves nothing;</li>
 *   <li>{@link #value} reads the whole history before the window, so units added in earlier periods count without
 *       being sent again;</li>
 *   <li>the one division ({@link PersistentMeasure#PRORATED_BY_DAY}) uses {@link AggregateState#DIVISION}; the
 *       unit-days it divides are a whole number, counted exactly.</li>
 * </ul>
 * Adding an operation is O(log n). Mutable and not thread-safe: the owner synchronizes.
 */
public final class UnitTimeline {

    /** One operation: at an instant (ordered by the event's tie-break within it), a unit is added or removed. */
    public record Operation(Instant time, String tieBreak, String unit, boolean add) {
        static final Comparator<Operation> ORDER = Comparator.comparing(Operation::time)
                .thenComparing(Operation::tieBreak).thenComparing(Operation::unit)
                .thenComparing(Operation::add);

        public Operation {
            Objects.requireNonNull(time);
            Objects.requireNonNull(tieBreak);
            Objects.requireNonNull(unit);
        }
    }

    /** One active interval of a unit: {@code [from, until)}, {@code until} empty while still active. */
    public record Interval(String unit, Instant from, Optional<Instant> until) {
        public Interval {
            Objects.requireNonNull(unit);
            Objects.requireNonNull(from);
            Objects.requireNonNull(until);
        }
    }

    private final TreeSet<Operation> operations = new TreeSet<>(Operation.ORDER);

    /** Records one operation (a repeated identical operation is kept once). */
    public void add(Operation op) {
        operations.add(op);
    }

    /** Records every operation of {@code other}; {@code other} is unchanged. */
    public void addAll(UnitTimeline other) {
        operations.addAll(other.operations);
    }

    /** The operations, in order (a read-only view). */
    public NavigableSet<Operation> operations() {
        return java.util.Collections.unmodifiableNavigableSet(operations);
    }

    public int size() {
        return operations.size();
    }

    /** How many operations happened in {@code [from, to)}. */
    public long operationsIn(Instant from, Instant to) {
        return operations.stream().filter(o -> !o.time().isBefore(from) && o.time().isBefore(to)).count();
    }

    /** Every unit's active intervals that start before {@code to}, by unit, each unit's in time order. */
    public Map<String, List<Interval>> intervalsBefore(Instant to) {
        Map<String, List<Interval>> out = new HashMap<>();
        Map<String, Instant> since = new HashMap<>();
        for (Operation op : operations) {
            if (!op.time().isBefore(to)) {
                break;
            }
            Instant activeSince = since.get(op.unit());
            if (op.add() && activeSince == null) {
                since.put(op.unit(), op.time());
            } else if (!op.add() && activeSince != null) {
                since.remove(op.unit());
                if (activeSince.isBefore(op.time())) {
                    out.computeIfAbsent(op.unit(), u -> new ArrayList<>())
                            .add(new Interval(op.unit(), activeSince, Optional.of(op.time())));
                }
            }
        }
        since.forEach((unit, from) -> out.computeIfAbsent(unit, u -> new ArrayList<>())
                .add(new Interval(unit, from, Optional.empty())));
        return out;
    }

    /** The units active at an instant (after every operation at or before it). */
    public List<String> activeAt(Instant at) {
        List<String> out = new ArrayList<>();
        intervalsBefore(at.plusNanos(1)).forEach((unit, intervals) -> {
            Interval last = intervals.get(intervals.size() - 1);
            if (last.until().isEmpty() || last.until().get().isAfter(at)) {
                out.add(unit);
            }
        });
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** The number of calendar days (in {@code zone}) that {@code [from, to)} touches. */
    public static long daysIn(Instant from, Instant to, ZoneId zone) {
        requireWindow(from, to);
        return ChronoUnit.DAYS.between(day(from, zone), day(to.minusNanos(1), zone)) + 1;
    }

    /**
     * The unit-days of {@code [from, to)}: Σ over units of the calendar days (in {@code zone}) on which the unit
     * was active at some instant inside the window. A day on which a unit was added, removed and added again
     * counts once.
     */
    public long unitDays(Instant from, Instant to, ZoneId zone) {
        requireWindow(from, to);
        long total = 0;
        for (List<Interval> intervals : intervalsBefore(to).values()) {
            LocalDate counted = null;
            for (Interval i : intervals) {
                Instant a = i.from().isBefore(from) ? from : i.from();
                Instant r = i.until().filter(u -> u.isBefore(to)).orElse(to);
                if (!a.isBefore(r)) {
                    continue;
                }
                LocalDate first = day(a, zone);
                LocalDate last = day(r.minusNanos(1), zone);
                if (counted != null && !first.isAfter(counted)) {
                    first = counted.plusDays(1);
                }
                if (!first.isAfter(last)) {
                    total += ChronoUnit.DAYS.between(first, last) + 1;
                    counted = last;
                }
            }
        }
        return total;
    }

    /** What the operations mean for the window {@code [from, to)} with days in {@code zone}. */
    public BigDecimal value(Instant from, Instant to, ZoneId zone, PersistentMeasure measure) {
        requireWindow(from, to);
        return switch (measure) {
            case PRORATED_BY_DAY -> AggregateState.plain(BigDecimal.valueOf(unitDays(from, to, zone))
                    .divide(BigDecimal.valueOf(daysIn(from, to, zone)), AggregateState.DIVISION));
            case ACTIVE_IN_WINDOW -> BigDecimal.valueOf(intervalsBefore(to).values().stream()
                    .filter(list -> list.stream().anyMatch(i -> i.until().map(u -> u.isAfter(from)).orElse(true)))
                    .count());
            case ACTIVE_AT_END -> BigDecimal.valueOf(intervalsBefore(to).values().stream()
                    .filter(list -> list.get(list.size() - 1).until().map(u -> !u.isBefore(to)).orElse(true))
                    .count());
        };
    }

    private static LocalDate day(Instant t, ZoneId zone) {
        return LocalDate.ofInstant(t, zone);
    }

    private static void requireWindow(Instant from, Instant to) {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("a window needs from before to");
        }
    }
}

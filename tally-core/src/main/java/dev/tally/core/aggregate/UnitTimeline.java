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
 * Adding an operation is O(log n); a window's value is O(units · log n + the window's operations), whatever the
 * length of the history before it. Mutable and not thread-safe: the owner synchronizes.
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

    /** One active interval of a unit: {@code [from, until)}, {@code until} empty while still active (at the window's end). */
    public record Interval(String unit, Instant from, Optional<Instant> until) {
        public Interval {
            Objects.requireNonNull(unit);
            Objects.requireNonNull(from);
            Objects.requireNonNull(until);
        }
    }

    /** Each unit's operations, in order. */
    private final Map<String, TreeSet<Operation>> byUnit = new HashMap<>();
    private int size;

    /** Records one operation (a repeated identical operation is kept once). */
    public void add(Operation op) {
        if (byUnit.computeIfAbsent(op.unit(), u -> new TreeSet<>(Operation.ORDER)).add(op)) {
            size++;
        }
    }

    /** Records every operation of {@code other}; {@code other} is unchanged. */
    public void addAll(UnitTimeline other) {
        other.byUnit.values().forEach(ops -> ops.forEach(this::add));
    }

    /** Every operation, in order (a copy). */
    public NavigableSet<Operation> operations() {
        TreeSet<Operation> all = new TreeSet<>(Operation.ORDER);
        byUnit.values().forEach(all::addAll);
        return java.util.Collections.unmodifiableNavigableSet(all);
    }

    public int size() {
        return size;
    }

    /** The first possible operation at an instant: {@code subSet(probe(a), probe(b))} is the operations in [a, b). */
    private static Operation probe(Instant t) {
        return new Operation(t, "", "", false);
    }

    /** How many operations happened in {@code [from, to)}. */
    public long operationsIn(Instant from, Instant to) {
        long n = 0;
        for (TreeSet<Operation> ops : byUnit.values()) {
            n += ops.subSet(probe(from), true, probe(to), false).size();
        }
        return n;
    }

    /**
     * Every unit's active intervals clipped to {@code [from, to)}, by unit, each unit's in time order; a unit active
     * at {@code to} has its last interval end at {@code to} with {@code until} empty. The state at {@code from} is
     * the last operation before it (an add of an active unit and a remove of an inactive one change nothing, so the
     * last operation decides), found in O(log n) per unit: O(units · log n + operations in the window) in all.
     */
    public Map<String, List<Interval>> intervalsWithin(Instant from, Instant to) {
        requireWindow(from, to);
        Map<String, List<Interval>> out = new HashMap<>();
        for (Map.Entry<String, TreeSet<Operation>> e : byUnit.entrySet()) {
            TreeSet<Operation> ops = e.getValue();
            Operation before = ops.lower(probe(from));
            Instant since = before != null && before.add() ? from : null;
            List<Interval> intervals = null;
            for (Operation op : ops.subSet(probe(from), true, probe(to), false)) {
                if (op.add() && since == null) {
                    since = op.time();
                } else if (!op.add() && since != null) {
                    if (since.isBefore(op.time())) {
                        if (intervals == null) {
                            intervals = new ArrayList<>(2);
                        }
                        intervals.add(new Interval(e.getKey(), since, Optional.of(op.time())));
                    }
                    since = null;
                }
            }
            if (since != null) {
                if (intervals == null) {
                    intervals = new ArrayList<>(1);
                }
                intervals.add(new Interval(e.getKey(), since, Optional.empty()));
            }
            if (intervals != null) {
                out.put(e.getKey(), intervals);
            }
        }
        return out;
    }

    /** The units active at an instant (after every operation at or before it), sorted. */
    public List<String> activeAt(Instant at) {
        List<String> out = new ArrayList<>();
        byUnit.forEach((unit, ops) -> {
            Operation last = ops.lower(probe(at.plusNanos(1)));
            if (last != null && last.add()) {
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
        for (List<Interval> intervals : intervalsWithin(from, to).values()) {
            LocalDate counted = null;
            for (Interval i : intervals) {
                Instant a = i.from();
                Instant r = i.until().orElse(to);
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
            case ACTIVE_IN_WINDOW -> BigDecimal.valueOf(intervalsWithin(from, to).size());
            case ACTIVE_AT_END -> BigDecimal.valueOf(intervalsWithin(from, to).values().stream()
                    .filter(list -> list.get(list.size() - 1).until().isEmpty()).count());
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

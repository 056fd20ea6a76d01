package dev.tally.core.aggregate;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The exact, mergeable summary of some events' contributions to one meter.
 * {@code merge} is associative and commutative, and adding events in any
 * order gives the same state, so a range's value is the merge of its buckets'
 * states. Divisions (average, time-weighted sum, a persistent count prorated by day) use {@link #DIVISION}
 * (34 significant digits, half-even) and happen only when a value is read.
 * Mutable and not thread-safe: the owner synchronizes.
 */
public abstract sealed class AggregateState
        permits AggregateState.Sum, AggregateState.Count, AggregateState.Extreme, AggregateState.Latest,
        AggregateState.Unique, AggregateState.TimeWeighted, AggregateState.Persistent, DurationState {

    /** The precision of the only divisions in aggregation: avg, time-weighted sum and a prorated persistent count. */
    public static final MathContext DIVISION = MathContext.DECIMAL128;

    long count;

    AggregateState() {
    }

    /** A new empty state for the aggregation. */
    public static AggregateState empty(Aggregation aggregation) {
        return switch (aggregation) {
            case SUM -> new Sum();
            case COUNT -> new Count();
            case AVG -> new Avg();
            case MIN -> new Extreme(false);
            case MAX -> new Extreme(true);
            case LATEST -> new Latest();
            case UNIQUE_COUNT -> new Unique();
            case TIME_WEIGHTED_SUM -> new TimeWeighted();
            case PERSISTENT_COUNT -> new Persistent();
            case DURATION -> new DurationState();
        };
    }

    /**
     * Adds one event's contribution. {@code value} is the event's number
     * (ignored by count and unique count), {@code distinct} its value's text
     * (used by unique count only).
     */
    public final void add(Instant time, String tieBreak, BigDecimal value, String distinct) {
        count++;
        addValue(time, tieBreak, value, distinct);
    }

    abstract void addValue(Instant time, String tieBreak, BigDecimal value, String distinct);

    /** Folds {@code other} (a state of the same aggregation) into this one; {@code other} is unchanged. */
    public final void merge(AggregateState other) {
        if (other.aggregation() != aggregation()) {
            throw new IllegalArgumentException("cannot merge " + other.getClass().getSimpleName() + " into "
                    + getClass().getSimpleName());
        }
        count += other.count;
        mergeValue(other);
    }

    abstract void mergeValue(AggregateState other);

    /** A deep copy. */
    public final AggregateState copy() {
        AggregateState c = empty(aggregation());
        c.merge(this);
        return c;
    }

    public abstract Aggregation aggregation();

    /** How many events contributed. */
    public final long eventCount() {
        return count;
    }

    public final boolean isEmpty() {
        return count == 0;
    }

    /** The aggregated value; an empty state is 0 except for a gauge carried in from before the window. */
    public abstract BigDecimal value(ValueWindow window);

    /** The latest reading, for gauges: the value a following window starts with. */
    public Optional<Reading> lastReading() {
        return Optional.empty();
    }

    public final void writeTo(DataOutput out) throws IOException {
        out.writeLong(count);
        writeValue(out);
    }

    abstract void writeValue(DataOutput out) throws IOException;

    abstract void readValue(DataInput in) throws IOException;

    public static AggregateState readFrom(Aggregation aggregation, DataInput in) throws IOException {
        AggregateState s = empty(aggregation);
        s.count = in.readLong();
        s.readValue(in);
        return s;
    }

    static void writeDecimal(DataOutput out, BigDecimal d) throws IOException {
        byte[] unscaled = d.unscaledValue().toByteArray();
        out.writeInt(d.scale());
        out.writeShort(unscaled.length);
        out.write(unscaled);
    }

    static BigDecimal readDecimal(DataInput in) throws IOException {
        int scale = in.readInt();
        byte[] unscaled = new byte[in.readUnsignedShort()];
        in.readFully(unscaled);
        return new BigDecimal(new BigInteger(unscaled), scale);
    }

    /** Strings of any length (DataOutput.writeUTF stops at 64 KiB of UTF-8). */
    static void writeString(DataOutput out, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    static String readString(DataInput in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    static void writeReading(DataOutput out, Reading r) throws IOException {
        out.writeLong(r.time().getEpochSecond());
        out.writeInt(r.time().getNano());
        writeString(out, r.tieBreak());
        writeDecimal(out, r.value());
    }

    static Reading readReading(DataInput in) throws IOException {
        Instant t = Instant.ofEpochSecond(in.readLong(), in.readInt());
        String tie = readString(in);
        return new Reading(t, tie, readDecimal(in));
    }

    static BigDecimal plain(BigDecimal d) {
        return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
    }

    /** Sum; also the base of the average, which keeps the same sum and divides when read. */
    static sealed class Sum extends AggregateState permits Avg {
        BigDecimal sum = BigDecimal.ZERO;

        @Override
        void addValue(Instant time, String tieBreak, BigDecimal value, String distinct) {
            sum = sum.add(value);
        }

        @Override
        void mergeValue(AggregateState other) {
            sum = sum.add(((Sum) other).sum);
        }

        @Override
        public Aggregation aggregation() {
            return Aggregation.SUM;
        }

        @Override
        public BigDecimal value(ValueWindow window) {
            return plain(sum);
        }

        @Override
        void writeValue(DataOutput out) throws IOException {
            writeDecimal(out, sum);
        }

        @Override
        void readValue(DataInput in) throws IOException {
            sum = readDecimal(in);
        }
    }

    static final class Count extends AggregateState {
        @Override
        void addValue(Instant time, String tieBreak, BigDecimal value, String distinct) {
        }

        @Override
        void mergeValue(AggregateState other) {
        }

        @Override
        public Aggregation aggregation() {
            return Aggregation.COUNT;
        }

        @Override
        public BigDecimal value(ValueWindow window) {
            return BigDecimal.valueOf(count);
        }

        @Override
        void writeValue(DataOutput out) {
        }

        @Override
        void readValue(DataInput in) {
        }
    }

    static final class Avg extends Sum {
        @Override
        public Aggregation aggregation() {
            return Aggregation.AVG;
        }

        @Override
        public BigDecimal value(ValueWindow window) {
            return count == 0 ? BigDecimal.ZERO : plain(sum.divide(BigDecimal.valueOf(count), DIVISION));
        }
    }

    static final class Extreme extends AggregateState {
        private final boolean max;
        BigDecimal best;

        Extreme(boolean max) {
            this.max = max;
        }

        @Override
        void addValue(Instant time, String tieBreak, BigDecimal value, String distinct) {
            if (best == null || (max ? value.compareTo(best) > 0 : value.compareTo(best) < 0)) {
                best = value;
            }
        }

        @Override
        void mergeValue(AggregateState other) {
            BigDecimal o = ((Extreme) other).best;
            if (o != null) {
                addValue(null, null, o, null);
            }
        }

        @Override
        public Aggregation aggregation() {
            return max ? Aggregation.MAX : Aggregation.MIN;
        }

        @Override
        public BigDecimal value(ValueWindow window) {
            return best == null ? BigDecimal.ZERO : plain(best);
        }

        @Override
        void writeValue(DataOutput out) throws IOException {
            out.writeBoolean(best != null);
            if (best != null) {
                writeDecimal(out, best);
            }
        }

        @Override
        void readValue(DataInput in) throws IOException {
            best = in.readBoolean() ? readDecimal(in) : null;
        }
    }

    static final class Latest extends AggregateState {
        Reading latest;

        @Override
        void addValue(Instant time, String tieBreak, BigDecimal value, String distinct) {
            offer(new Reading(time, tieBreak, value));
        }

        private void offer(Reading r) {
            if (latest == null || r.compareTo(latest) > 0) {
                latest = r;
            }
        }

        @Override
        void mergeValue(AggregateState other) {
            Reading o = ((Latest) other).latest;
            if (o != null) {
                offer(o);
            }
        }

        @Override
        public Aggregation aggregation() {
            return Aggregation.LATEST;
        }

        @Override
        public BigDecimal value(ValueWindow window) {
            return latest == null ? BigDecimal.ZERO : plain(latest.value());
        }

        @Override
        public Optional<Reading> lastReading() {
            return Optional.ofNullable(latest);
        }

        @Override
        void writeValue(DataOutput out) throws IOException {
            out.writeBoolean(latest != null);
            if (latest != null) {
                writeReading(out, latest);
            }
        }

        @Override
        void readValue(DataInput in) throws IOException {
            latest = in.readBoolean() ? readReading(in) : null;
        }
    }

    static final class Unique extends AggregateState {
        final Set<String> values = new HashSet<>();

        @Override
        void addValue(Instant time, String tieBreak, BigDecimal value, String distinct) {
            values.add(distinct);
        }

        @Override
        void mergeValue(AggregateState other) {
            values.addAll(((Unique) other).values);
        }

        @Override
        public Aggregation aggregation() {
            return Aggregation.UNIQUE_COUNT;
        }

        @Override
        public BigDecimal value(ValueWindow window) {
            return BigDecimal.valueOf(values.size());
        }

        @Override
        void writeValue(DataOutput out) throws IOException {
            out.writeInt(values.size());
            for (String v : values) {
                writeString(out, v);
            }
        }

        @Override
        void readValue(DataInput in) throws IOException {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                values.add(readString(in));
            }
        }
    }

    static final class TimeWeighted extends AggregateState {
        final TreeSet<Reading> readings = new TreeSet<>();

        @Override
        void addValue(Instant time, String tieBreak, BigDecimal value, String distinct) {
            readings.add(new Reading(time, tieBreak, value));
        }

        @Override
        void mergeValue(AggregateState other) {
            readings.addAll(((TimeWeighted) other).readings);
        }

        @Override
        public Aggregation aggregation() {
            return Aggregation.TIME_WEIGHTED_SUM;
        }

        @Override
        public Optional<Reading> lastReading() {
            return readings.isEmpty() ? Optional.empty() : Optional.of(readings.last());
        }

        @Override
        public BigDecimal value(ValueWindow w) {
            BigDecimal total = BigDecimal.ZERO;
            BigDecimal current = w.carryIn().map(Reading::value).orElse(null);
            Instant at = w.from();
            for (Reading r : readings) {
                if (r.time().isBefore(w.from())) {
                    current = r.value();
                    continue;
                }
                if (!r.time().isBefore(w.end())) {
                    break;
                }
                if (current != null) {
                    total = total.add(current.multiply(seconds(at, r.time())));
                }
                current = r.value();
                at = r.time();
            }
            if (current != null && at.isBefore(w.end())) {
                total = total.add(current.multiply(seconds(at, w.end())));
            }
            return plain(total.divide(w.unit().seconds(), DIVISION));
        }

        private static BigDecimal seconds(Instant a, Instant b) {
            long s = b.getEpochSecond() - a.getEpochSecond();
            long n = b.getNano() - a.getNano();
            return BigDecimal.valueOf(s).add(BigDecimal.valueOf(n, 9));
        }

        @Override
        void writeValue(DataOutput out) throws IOException {
            out.writeInt(readings.size());
            for (Reading r : readings) {
                writeReading(out, r);
            }
        }

        @Override
        void readValue(DataInput in) throws IOException {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                readings.add(readReading(in));
            }
        }
    }

    /**
     * A persistent count's operations in one bucket ({@code value} +1 adds, -1 removes the unit named by
     * {@code distinct}). Its own {@link #value} counts the units active at some instant of the window from these
     * operations alone; the value of a billing window needs the whole history, read through {@link #timeline()}.
     */
    public static final class Persistent extends AggregateState {
        final UnitTimeline timeline = new UnitTimeline();

        @Override
        void addValue(Instant time, String tieBreak, BigDecimal value, String distinct) {
            timeline.add(new UnitTimeline.Operation(time, tieBreak, distinct, value.signum() >= 0));
        }

        @Override
        void mergeValue(AggregateState other) {
            timeline.addAll(((Persistent) other).timeline);
        }

        @Override
        public Aggregation aggregation() {
            return Aggregation.PERSISTENT_COUNT;
        }

        /** Adds this bucket's operations to {@code into}. */
        public void addTo(UnitTimeline into) {
            into.addAll(timeline);
        }

        /** A copy of this bucket's operations. */
        public UnitTimeline timeline() {
            UnitTimeline t = new UnitTimeline();
            t.addAll(timeline);
            return t;
        }

        @Override
        public BigDecimal value(ValueWindow window) {
            return timeline.value(window.from(), window.end(), java.time.ZoneOffset.UTC,
                    PersistentMeasure.ACTIVE_IN_WINDOW);
        }

        @Override
        void writeValue(DataOutput out) throws IOException {
            out.writeInt(timeline.size());
            for (UnitTimeline.Operation op : timeline.operations()) {
                out.writeLong(op.time().getEpochSecond());
                out.writeInt(op.time().getNano());
                writeString(out, op.tieBreak());
                writeString(out, op.unit());
                out.writeBoolean(op.add());
            }
        }

        @Override
        void readValue(DataInput in) throws IOException {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                Instant t = Instant.ofEpochSecond(in.readLong(), in.readInt());
                String tie = readString(in);
                String unit = readString(in);
                timeline.add(new UnitTimeline.Operation(t, tie, unit, in.readBoolean()));
            }
        }
    }
}

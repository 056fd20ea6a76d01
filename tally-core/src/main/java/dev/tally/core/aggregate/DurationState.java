package dev.tally.core.aggregate;

import dev.tally.core.duration.DurationCoverage;
import dev.tally.core.duration.Mark;
import dev.tally.core.duration.MarkKind;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The state of a duration meter: the set of its events' {@link Mark}s (time, kind, tie-break, session key). A set
 * of facts, so adding in any order and merging in any grouping give the same state, and a cancel is a rebuild of
 * the hour without the cancelled mark. Intervals need the marks around a window, so a usage question merges the
 * states of the window's hours widened by the meter's timeout and measures them with {@link DurationCoverage}; on its
 * own, {@link #value} is the time the state's marks cover inside the window when nothing outside it is known (each
 * start or heartbeat until the next mark of its key or the window's end), in the window's unit. A contribution
 * carries the session key as its distinct text and the {@link MarkKind#code()} as its value.
 */
public final class DurationState extends AggregateState {
    final TreeSet<Mark> marks = new TreeSet<>();

    DurationState() {
    }

    @Override
    void addValue(Instant time, String tieBreak, BigDecimal value, String distinct) {
        marks.add(new Mark(time, MarkKind.ofCode(value), tieBreak, distinct));
    }

    @Override
    void mergeValue(AggregateState other) {
        marks.addAll(((DurationState) other).marks);
    }

    @Override
    public Aggregation aggregation() {
        return Aggregation.DURATION;
    }

    /** The marks, in {@link Mark} order (unmodifiable view; the owner's lock guards it). */
    public NavigableSet<Mark> marks() {
        return Collections.unmodifiableNavigableSet(marks);
    }

    @Override
    public BigDecimal value(ValueWindow w) {
        if (marks.isEmpty() || !w.from().isBefore(w.end())) {
            return BigDecimal.ZERO;
        }
        Duration all = Duration.between(w.from(), w.end());
        BigDecimal seconds = DurationCoverage.of(marks.subSet(new Mark(w.from(), MarkKind.START, "", ""), true,
                new Mark(w.end(), MarkKind.START, "", ""), false), all, w.end()).seconds(w.from(), w.end());
        return plain(seconds.divide(w.unit().seconds(), DIVISION));
    }

    @Override
    void writeValue(DataOutput out) throws IOException {
        out.writeInt(marks.size());
        for (Mark m : marks) {
            out.writeLong(m.time().getEpochSecond());
            out.writeInt(m.time().getNano());
            out.writeByte(m.kind().ordinal());
            writeString(out, m.tieBreak());
            writeString(out, m.key());
        }
    }

    @Override
    void readValue(DataInput in) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            Instant t = Instant.ofEpochSecond(in.readLong(), in.readInt());
            MarkKind kind = MarkKind.values()[in.readUnsignedByte() % MarkKind.values().length];
            String tie = readString(in);
            marks.add(new Mark(t, kind, tie, readString(in)));
        }
    }
}

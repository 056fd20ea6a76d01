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
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The state of a duration meter: the set of its events' {@link Mark}s (time, kind, tie-break, session key). A set
 * of facts, so adding in any order and merging in any grouping give the same state, and a cancel is a rebuild of
 * the hour without the cancelled mark. Intervals need the marks around a window, so a usage question merges the
 * states of the window's hours widened by the meter's timeout and measures them with {@link DurationCoverage}; on its
 * own, {@link #value} is the time the state's marks cover inside the window when nothing outside it is known (each
 * start or heartbeat until the next mark of its key or the window's end), in the window's unit. A contribution
 * carries the session key as its distinct text and the {@link MarkKind#code()} as its value.
 *
 * <p>Storage: an array of marks whose first {@code sorted} entries are in {@link Mark} order without repeats and the
 * rest appended in arrival order. Adding is an append (the ingest hot path: no ordered insert per event); the first
 * read sorts the tail, merges it into the prefix and drops repeats, so every read sees the same set, in order,
 * whatever order the marks came in. All methods hold the state's own monitor.
 */
public final class DurationState extends AggregateState {
    private static final Mark[] NONE = new Mark[0];
    private Mark[] marks = NONE;
    private int size;
    /** How many leading entries of {@link #marks} are in order and distinct. */
    private int sorted;

    DurationState() {
    }

    @Override
    synchronized void addValue(Instant time, String tieBreak, BigDecimal value, String distinct) {
        append(new Mark(time, kindOf(value), tieBreak, distinct));
    }

    /** {@link MarkKind#ofCode}, without its big-integer arithmetic for the codes Tally writes (0, 1, 2). */
    private static MarkKind kindOf(BigDecimal code) {
        if (code.scale() == 0 && code.signum() >= 0 && code.precision() == 1) {
            int c = code.intValue();
            if (c < 3) {
                return MarkKind.values()[c];
            }
        }
        return MarkKind.ofCode(code);
    }

    private void append(Mark m) {
        if (size == marks.length) {
            marks = Arrays.copyOf(marks, Math.max(8, size + (size >> 1)));
        }
        marks[size] = m;
        if (sorted == size && (size == 0 || marks[size - 1].compareTo(m) < 0)) {
            sorted++; // arrived in order: the prefix stays sorted
        }
        size++;
    }

    @Override
    void mergeValue(AggregateState other) {
        Mark[] theirs = ((DurationState) other).sortedCopy();
        synchronized (this) {
            for (Mark m : theirs) {
                append(m);
            }
        }
    }

    private synchronized Mark[] sortedCopy() {
        normalize();
        return Arrays.copyOf(marks, size);
    }

    /** Sorts the unsorted tail, merges it with the sorted prefix and removes repeats. */
    private void normalize() {
        if (sorted == size) {
            return;
        }
        Arrays.sort(marks, sorted, size);
        Mark[] out = new Mark[Math.max(8, size)];
        int i = 0;
        int j = sorted;
        int n = 0;
        while (i < sorted || j < size) {
            Mark next;
            if (j >= size || (i < sorted && marks[i].compareTo(marks[j]) <= 0)) {
                next = marks[i++];
            } else {
                next = marks[j++];
            }
            if (n == 0 || out[n - 1].compareTo(next) != 0) {
                out[n++] = next;
            }
        }
        marks = out;
        size = n;
        sorted = n;
    }

    @Override
    public Aggregation aggregation() {
        return Aggregation.DURATION;
    }

    /** The marks, in {@link Mark} order, each once (an unmodifiable snapshot). */
    public synchronized List<Mark> marks() {
        normalize();
        return Collections.unmodifiableList(Arrays.asList(Arrays.copyOf(marks, size)));
    }

    @Override
    public synchronized BigDecimal value(ValueWindow w) {
        normalize();
        if (size == 0 || !w.from().isBefore(w.end())) {
            return BigDecimal.ZERO;
        }
        Duration all = Duration.between(w.from(), w.end());
        List<Mark> inside = Arrays.asList(marks).subList(firstAtOrAfter(w.from()), firstAtOrAfter(w.end()));
        BigDecimal seconds = DurationCoverage.of(inside, all, w.end()).seconds(w.from(), w.end());
        return plain(seconds.divide(w.unit().seconds(), DIVISION));
    }

    /** The index of the first mark whose time is at or after {@code t} (the state is normalized). */
    private int firstAtOrAfter(Instant t) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (marks[mid].time().isBefore(t)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    synchronized void writeValue(DataOutput out) throws IOException {
        normalize();
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            Mark m = marks[i];
            out.writeLong(m.time().getEpochSecond());
            out.writeInt(m.time().getNano());
            out.writeByte(m.kind().ordinal());
            writeString(out, m.tieBreak());
            writeString(out, m.key());
        }
    }

    @Override
    synchronized void readValue(DataInput in) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            Instant t = Instant.ofEpochSecond(in.readLong(), in.readInt());
            MarkKind kind = MarkKind.values()[in.readUnsignedByte() % MarkKind.values().length];
            String tie = readString(in);
            append(new Mark(t, kind, tie, readString(in)));
        }
    }
}

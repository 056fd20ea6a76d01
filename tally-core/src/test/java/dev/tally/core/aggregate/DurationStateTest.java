package dev.tally.core.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tally.core.duration.Mark;
import dev.tally.core.duration.MarkKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DurationStateTest {
    private static final Instant T = Instant.parse("2026-12-04T10:00:00Z");

    private static List<Mark> randomMarks(Random r, int n) {
        List<Mark> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Mark(T.plusMillis(r.nextInt(5_000)), MarkKind.values()[r.nextInt(3)], "src/" + i,
                    "k" + r.nextInt(4)));
        }
        return out;
    }

    private static DurationState of(List<Mark> marks) {
        DurationState s = (DurationState) AggregateState.empty(Aggregation.DURATION);
        for (Mark m : marks) {
            s.add(m.time(), m.tieBreak(), m.kind().code(), m.key());
        }
        return s;
    }

    @Test
    void holdsTheSameOrderedMarksWhateverOrderTheyArrivedIn() {
        Random r = new Random(7);
        for (int round = 0; round < 50; round++) {
            List<Mark> marks = randomMarks(r, 1 + r.nextInt(300));
            List<Mark> expected = new ArrayList<>(new TreeSet<>(marks));
            List<Mark> shuffled = new ArrayList<>(marks);
            Collections.shuffle(shuffled, r);
            DurationState s = of(shuffled.subList(0, shuffled.size() / 2));
            s.marks(); // a read in the middle sorts the prefix; later marks land in the tail
            for (Mark m : shuffled.subList(shuffled.size() / 2, shuffled.size())) {
                s.add(m.time(), m.tieBreak(), m.kind().code(), m.key());
            }
            assertEquals(expected, s.marks());
            assertEquals(expected, of(expected).marks());
        }
    }

    @Test
    void mergingOverlappingStatesKeepsEachMarkOnce() {
        Random r = new Random(11);
        List<Mark> marks = randomMarks(r, 200);
        DurationState a = of(marks.subList(0, 150));
        DurationState b = of(marks.subList(50, 200));
        a.merge(b);
        assertEquals(new ArrayList<>(new TreeSet<>(marks)), a.marks());
        assertEquals(new ArrayList<>(new TreeSet<>(marks.subList(50, 200))), b.marks());
    }

    @Test
    void readsBackWhatItWrote() throws IOException {
        List<Mark> marks = randomMarks(new Random(3), 100);
        DurationState s = of(marks);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        s.writeTo(new DataOutputStream(bytes));
        AggregateState back = AggregateState.readFrom(Aggregation.DURATION,
                new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(s.marks(), ((DurationState) back).marks());
        assertEquals(100, back.eventCount());
    }

    @Test
    void aKindCodeOutsideZeroToTwoStillMapsToAKind() {
        DurationState s = (DurationState) AggregateState.empty(Aggregation.DURATION);
        s.add(T, "a", new BigDecimal("4"), "k");
        s.add(T, "b", new BigDecimal("2.0"), "k");
        assertEquals(List.of(MarkKind.HEARTBEAT, MarkKind.STOP), s.marks().stream().map(Mark::kind).toList());
    }
}

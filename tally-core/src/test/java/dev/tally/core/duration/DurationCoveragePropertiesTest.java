package dev.tally.core.duration;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The duration rule is exact in any window: the windows of any split of a range add up to the range, the order the
 * marks come in never matters, and the covered time equals a second-by-second reading of the rule.
 */
class DurationCoveragePropertiesTest {
    static final Instant DAY = Instant.parse("2026-11-23T00:00:00Z");
    static final int SPAN = 6 * 3600;

    record M(int second, MarkKind kind, String key) {
    }

    @Provide
    Arbitrary<List<M>> marks() {
        return Combinators.combine(Arbitraries.integers().between(0, SPAN), Arbitraries.of(MarkKind.class),
                Arbitraries.of("a", "b", "c")).as(M::new).list().ofMaxSize(60);
    }

    static List<Mark> toMarks(List<M> ms) {
        List<Mark> out = new ArrayList<>();
        for (int i = 0; i < ms.size(); i++) {
            out.add(new Mark(DAY.plusSeconds(ms.get(i).second()), ms.get(i).kind(), "e" + i, ms.get(i).key()));
        }
        return out;
    }

    @Property(tries = 400)
    void theWindowsOfAnySplitAddUpToTheWholeRange(@ForAll("marks") List<M> ms,
            @ForAll @IntRange(min = 1, max = 7200) int timeout, @ForAll @IntRange(min = 0, max = 30_000) int now,
            @ForAll @Size(max = 8) List<@IntRange(min = -600, max = 23_000) Integer> cuts,
            @ForAll @IntRange(min = -600, max = 23_000) int a, @ForAll @IntRange(min = -600, max = 23_000) int b) {
        DurationCoverage c = DurationCoverage.of(toMarks(ms), Duration.ofSeconds(timeout), DAY.plusSeconds(now));
        int from = Math.min(a, b);
        int to = Math.max(a, b);
        List<Integer> points = new ArrayList<>();
        points.add(from);
        cuts.stream().filter(x -> x > from && x < to).sorted().forEach(points::add);
        points.add(to);
        BigDecimal parts = BigDecimal.ZERO;
        long marks = 0;
        for (int i = 1; i < points.size(); i++) {
            parts = parts.add(c.seconds(DAY.plusSeconds(points.get(i - 1)), DAY.plusSeconds(points.get(i))));
            marks += c.marks(DAY.plusSeconds(points.get(i - 1)), DAY.plusSeconds(points.get(i)));
        }
        assertThat(parts).isEqualByComparingTo(c.seconds(DAY.plusSeconds(from), DAY.plusSeconds(to)));
        assertThat(marks).isEqualTo(c.marks(DAY.plusSeconds(from), DAY.plusSeconds(to)));
    }

    @Property(tries = 300)
    void theOrderMarksArriveInNeverMatters(@ForAll("marks") List<M> ms, @ForAll Random random,
            @ForAll @IntRange(min = 1, max = 7200) int timeout) {
        List<Mark> marks = toMarks(ms);
        List<Mark> shuffled = new ArrayList<>(marks);
        Collections.shuffle(shuffled, random);
        DurationCoverage x = DurationCoverage.of(marks, Duration.ofSeconds(timeout), Instant.MAX);
        DurationCoverage y = DurationCoverage.of(shuffled, Duration.ofSeconds(timeout), Instant.MAX);
        assertThat(y.intervals()).usingElementComparator((p, q) -> Arrays.equals(p, q) ? 0 : 1)
                .containsExactlyElementsOf(x.intervals());
    }

    /**
     * An independent reading of the rule, one second at a time: second {@code s} of key {@code k} is covered when
     * the last mark of {@code k} at or before {@code s} (in mark order) is a start or heartbeat less than the
     * timeout before {@code s}, and {@code s} is before now.
     */
    @Property(tries = 300)
    void equalsTheRuleReadSecondBySecond(@ForAll("marks") List<M> ms,
            @ForAll @IntRange(min = 1, max = 3600) int timeout, @ForAll @IntRange(min = 0, max = 30_000) int now) {
        List<Mark> marks = toMarks(ms);
        Collections.sort(marks);
        long expected = 0;
        for (String key : List.of("a", "b", "c")) {
            Map<Integer, Mark> lastAt = new HashMap<>();
            for (Mark m : marks) {
                if (m.key().equals(key)) {
                    lastAt.put((int) (m.time().getEpochSecond() - DAY.getEpochSecond()), m);
                }
            }
            Mark last = null;
            for (int s = 0; s < SPAN + 7200; s++) {
                if (lastAt.containsKey(s)) {
                    last = lastAt.get(s);
                }
                long since = last == null ? -1 : s - (last.time().getEpochSecond() - DAY.getEpochSecond());
                if (last != null && last.kind().opens() && since < timeout && s < now) {
                    expected++;
                }
            }
        }
        DurationCoverage c = DurationCoverage.of(marks, Duration.ofSeconds(timeout), DAY.plusSeconds(now));
        assertThat(c.seconds(DAY, DAY.plusSeconds(SPAN + 7200))).isEqualByComparingTo(BigDecimal.valueOf(expected));
    }
}

package dev.tally.core.duration;

import static dev.tally.core.CoreFixtures.at;
import static dev.tally.core.CoreFixtures.dec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worked examples of docs/METERS.md ("Duration meters"), computed by hand; timeout 15 minutes. */
class DurationCoverageTest {
    static final Duration FIFTEEN_MINUTES = Duration.ofMinutes(15);
    static final Instant NEVER = Instant.MAX;

    private final List<Mark> marks = new ArrayList<>();
    private int ids;

    private DurationCoverageTest mark(String time, MarkKind kind, String key) {
        marks.add(new Mark(at(time), kind, "e" + ids++, key));
        return this;
    }

    private DurationCoverageTest start(String time) {
        return mark(time, MarkKind.START, "s1");
    }

    private DurationCoverageTest beat(String time) {
        return mark(time, MarkKind.HEARTBEAT, "s1");
    }

    private DurationCoverageTest stop(String time) {
        return mark(time, MarkKind.STOP, "s1");
    }

    private BigDecimal minutes(String from, String to) {
        return minutes(from, to, NEVER);
    }

    private BigDecimal minutes(String from, String to, Instant until) {
        BigDecimal seconds = DurationCoverage.of(marks, FIFTEEN_MINUTES, until).seconds(at(from), at(to));
        return seconds.divide(BigDecimal.valueOf(60));
    }

    @Test
    void aStopEndsTheIntervalThatItsStartOpened() {
        start("10:00").stop("10:12");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("12"));
    }

    @Test
    void withoutHeartbeatsASessionLongerThanTheTimeoutCountsOnlyTheTimeout() {
        start("10:00").stop("10:45");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("15"));
    }

    @Test
    void heartbeatsKeepASessionOpenBeyondTheTimeout() {
        start("10:00").beat("10:10").beat("10:20").beat("10:30").stop("10:40");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("40"));
    }

    @Test
    void aMissingStopClosesTheIntervalOneTimeoutAfterTheLastHeartbeat() {
        start("10:00").beat("10:10");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("25"));
    }

    @Test
    void aHeartbeatAfterTheTimeoutOpensANewIntervalAndTheGapIsNotCounted() {
        start("10:00").beat("10:40").stop("10:50");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("25")); // 10:00-10:15 and 10:40-10:50
    }

    @Test
    void aLateStopWithinTheTimeoutShortensTheIntervalAndOneAfterItChangesNothing() {
        start("10:00").beat("10:10");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("25"));
        stop("10:12");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("12"));
        marks.remove(marks.size() - 1);
        stop("10:30");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("25"));
    }

    @Test
    void aCancelledStopIsAsIfItNeverCameSoTheTimeoutClosesTheSession() {
        start("08:00").beat("08:05").stop("08:06");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("6"));
        marks.remove(marks.size() - 1); // the engine rebuilds the hour without the cancelled event
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("20"));
    }

    @Test
    void aStopWithoutAStartCountsNothing() {
        stop("10:30");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(BigDecimal.ZERO);
    }

    @Test
    void aDuplicateStartIsAHeartbeat() {
        start("10:00").start("10:05").stop("10:20");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("20"));
    }

    @Test
    void aHeartbeatAfterAStopOpensANewInterval() {
        start("10:00").stop("10:10").beat("10:20");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("25")); // 10:00-10:10 and 10:20-10:35
    }

    @Test
    void concurrentSessionsAddUp() {
        mark("10:00", MarkKind.START, "a").mark("10:12", MarkKind.STOP, "a");
        mark("10:05", MarkKind.START, "b").mark("10:10", MarkKind.STOP, "b");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("17"));
    }

    @Test
    void aStopOfOneKeyDoesNotEndAnother() {
        mark("10:00", MarkKind.START, "a").mark("10:05", MarkKind.STOP, "b").mark("10:10", MarkKind.STOP, "a");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("10"));
    }

    @Test
    void windowsCutAnIntervalSoThatEachBillsItsOwnPart() {
        start("09:50").beat("10:00").beat("10:14").stop("10:20");
        assertThat(minutes("09:00", "10:00")).isEqualByComparingTo(dec("10"));
        assertThat(minutes("10:00", "11:00")).isEqualByComparingTo(dec("20"));
        assertThat(minutes("10:05", "10:06")).isEqualByComparingTo(dec("1"));
    }

    @Test
    void anOpenIntervalCountsUpToNow() {
        start("10:00").beat("10:10");
        assertThat(minutes("00:00", "23:59", at("10:17"))).isEqualByComparingTo(dec("17"));
        assertThat(minutes("00:00", "23:59", at("11:00"))).isEqualByComparingTo(dec("25"));
    }

    @Test
    void aStopAtTheSameInstantAsAHeartbeatWins() {
        start("10:00").beat("10:10").stop("10:10");
        assertThat(minutes("00:00", "23:59")).isEqualByComparingTo(dec("10"));
    }

    @Test
    void fractionsOfASecondAreExact() {
        marks.add(new Mark(at("10:00:00.25"), MarkKind.START, "x", "s1"));
        marks.add(new Mark(at("10:00:01"), MarkKind.STOP, "y", "s1"));
        assertThat(DurationCoverage.of(marks, FIFTEEN_MINUTES, NEVER).seconds(at("00:00"), at("23:59")))
                .isEqualByComparingTo(dec("0.75"));
    }

    @Test
    void countsTheMarksOfAWindow() {
        start("10:00").beat("10:10").stop("10:20");
        DurationCoverage c = DurationCoverage.of(marks, FIFTEEN_MINUTES, NEVER);
        assertThat(c.marks(at("10:00"), at("10:20"))).isEqualTo(2);
        assertThat(c.marks(at("10:00"), at("10:20:01"))).isEqualTo(3);
        assertThat(c.intervals()).hasSize(2);
    }

    @Test
    void rejectsANonPositiveTimeout() {
        assertThatThrownBy(() -> DurationCoverage.of(marks, Duration.ZERO, NEVER))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

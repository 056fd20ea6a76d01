package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private final AtomicLong nanos = new AtomicLong(1_000);

    private void after(long millis) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void showsNoRateBeforeTheServerHasAnsweredForAWhile() {
        ProgressBar bar = ProgressBar.manual("ingest", 1000, nanos::get);
        after(4_000);

        assertThat(bar.render()).contains("  0%", "0 events acknowledged", "measuring").doesNotContain("events/s");

        bar.add(100, 1);
        after(500);

        assertThat(bar.render()).contains(" 10%", "1 event acknowledged", "measuring");
    }

    @Test
    void theRateLeavesOutTheStartUpBeforeTheFirstAnswer() {
        ProgressBar bar = ProgressBar.manual("ingest", 10_000, nanos::get);
        after(5_000); // JVM start, connection, the server's first request
        bar.add(1_000, 1_000);
        after(1_000);
        bar.add(1_000, 1_000);
        bar.add(1_000, 1_000);

        assertThat(bar.render()).as("2,000 events in the second after the first answer")
                .contains("3,000 events acknowledged", "2,000 events/s", " 30%");
    }

    @Test
    void theRateFollowsTheLastSecondsNotTheWholeRun() {
        ProgressBar bar = ProgressBar.manual("ingest", 0, nanos::get);
        bar.add(0, 1);
        for (int s = 0; s < 10; s++) {
            after(1_000);
            bar.add(0, s < 5 ? 100 : 1_000);
            bar.render();
        }

        assertThat(bar.render()).contains("1,000 events/s");
    }

    @Test
    void failedEventsAreShownApartFromAcknowledgedOnes() {
        ProgressBar bar = ProgressBar.manual("ingest", 100, nanos::get);
        bar.add(50, 50);
        bar.failed(50, 50);

        assertThat(bar.render()).contains("100%", "50 events acknowledged, 50 failed");
    }

    @Test
    void countsAreWrittenWithTheRightNumberOfTheNoun() {
        assertThat(Format.count(0, "event")).isEqualTo("0 events");
        assertThat(Format.count(1, "event")).isEqualTo("1 event");
        assertThat(Format.count(2, "event")).isEqualTo("2 events");
        assertThat(Format.count(1_234_567, "request")).isEqualTo("1,234,567 requests");
        assertThat(Format.count(1, "batch", "batches")).isEqualTo("1 batch");
        assertThat(Format.count(3, "batch", "batches")).isEqualTo("3 batches");
    }
}

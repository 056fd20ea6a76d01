package dev.tally.engine.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each window that may still need a segment holds it back; without a clean reconciliation nothing leaves. */
class RetentionHorizonTest {
    static final Instant NOW = Instant.parse("2026-06-15T12:30:00Z");
    /** Retention 7 days, backdating + tolerance 35 days + 5 minutes, dedup window 36 days. */
    final RetentionHorizon horizon = new RetentionHorizon(Duration.ofDays(7), Duration.ofDays(35).plusMinutes(5),
            Duration.ofDays(36));
    final RetentionHorizon shortWindows = new RetentionHorizon(Duration.ofDays(7), Duration.ofHours(1),
            Duration.ofHours(2));

    @Test
    void nothingLeavesWithoutACleanReconciliation() {
        assertThat(horizon.at(NOW, Optional.empty(), Optional.empty())).isEqualTo(Instant.EPOCH);
        assertThat(horizon.mayLeave(Instant.parse("2000-01-01T00:00:00Z"), NOW, Optional.empty(), Optional.empty()))
                .isFalse();
    }

    @Test
    void theDedupWindowHoldsSegmentsLongerThanTheLocalRetention() {
        Instant h = horizon.at(NOW, Optional.empty(), Optional.of(NOW));
        assertThat(h).isEqualTo(NOW.minus(Duration.ofDays(36)));
        assertThat(horizon.mayLeave(h.minusSeconds(1), NOW, Optional.empty(), Optional.of(NOW))).isTrue();
        assertThat(horizon.mayLeave(h, NOW, Optional.empty(), Optional.of(NOW))).as("strictly older").isFalse();
    }

    @Test
    void theLocalRetentionHoldsWhenTheWindowsAreShorter() {
        assertThat(shortWindows.at(NOW, Optional.empty(), Optional.of(NOW))).isEqualTo(NOW.minus(Duration.ofDays(7)));
    }

    @Test
    void theBackdatingWindowHoldsWhenItIsTheLongest() {
        RetentionHorizon longBackdating = new RetentionHorizon(Duration.ZERO, Duration.ofDays(3), Duration.ofDays(2));
        assertThat(longBackdating.at(NOW, Optional.empty(), Optional.of(NOW))).isEqualTo(NOW.minus(Duration.ofDays(3)));
    }

    @Test
    void anOpenInvoicePeriodHoldsEverythingFromItsStart() {
        Instant periodStart = NOW.minus(Duration.ofDays(60));
        assertThat(shortWindows.at(NOW, Optional.of(periodStart), Optional.of(NOW))).isEqualTo(periodStart);
        assertThat(shortWindows.mayLeave(periodStart.plusSeconds(1), NOW, Optional.of(periodStart), Optional.of(NOW)))
                .isFalse();
    }

    @Test
    void aReconciliationBehindTheWindowsHoldsAtItsMark() {
        Instant mark = NOW.minus(Duration.ofDays(90));
        assertThat(shortWindows.at(NOW, Optional.empty(), Optional.of(mark))).isEqualTo(mark);
    }

    @Test
    void theReconcileTargetIsTheWindowsRoundedDownToAnHour() {
        assertThat(shortWindows.reconcileTarget(NOW, Optional.empty())).isEqualTo(Instant.parse("2026-06-08T12:00:00Z"));
        assertThat(shortWindows.reconcileTarget(NOW, Optional.of(Instant.parse("2026-05-01T07:45:00Z"))))
                .isEqualTo(Instant.parse("2026-05-01T07:00:00Z"));
    }

    @Test
    void negativeWindowsAreRefused() {
        assertThatThrownBy(() -> new RetentionHorizon(Duration.ofDays(-1), Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @TempDir
    Path dir;

    @Test
    void theReconcileWatermarkMovesOnlyForwardAndContiguouslyAndIsDurable() {
        ReconcileWatermark w = ReconcileWatermark.load(dir);
        Instant t1 = Instant.parse("2026-01-01T00:00:00Z");
        Instant t2 = Instant.parse("2026-02-01T00:00:00Z");
        assertThat(w.of("acme")).isEqualTo(Instant.EPOCH);
        assertThat(w.clean("acme", t1, t2)).as("a gap after the epoch is not covered").isFalse();
        assertThat(w.clean("acme", Instant.EPOCH, t1)).isTrue();
        assertThat(w.clean("acme", t1, t2)).isTrue();
        assertThat(w.clean("acme", Instant.EPOCH, t1)).as("never backwards").isFalse();
        assertThat(w.lowest(List.of("acme", "other"))).contains(Instant.EPOCH);
        ReconcileWatermark reloaded = ReconcileWatermark.load(dir);
        assertThat(reloaded.of("acme")).isEqualTo(t2);
        assertThat(reloaded.lowest(List.of("acme"))).contains(t2);
        assertThat(reloaded.lowest(List.of())).isEmpty();
    }
}

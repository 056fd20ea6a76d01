package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The benchmark clock of {@code serve --simulated-clock}: a pure function of the wall clock and its anchors. */
class ScaledClockTest {
    @Test
    void runsRateTimesAsFastFromItsAnchors() {
        ScaledClock clock = new ScaledClock(1_000_000L, 5_000L, 792);

        assertThat(clock.simulatedMillisAt(5_000L)).isEqualTo(1_000_000L);
        assertThat(clock.simulatedMillisAt(6_000L)).isEqualTo(1_000_000L + 792_000L);
    }

    @Test
    void aRestartedProcessGivenTheSameSpecContinuesTheSameTime() {
        ScaledClock first = new ScaledClock(1_700_000_000_000L, System.currentTimeMillis() - 60_000, 100.5);
        ScaledClock again = ScaledClock.parse(first.spec());

        assertThat(again.simulatedMillisAt(1_800_000_000_000L)).isEqualTo(first.simulatedMillisAt(1_800_000_000_000L));
        assertThat(again.millis()).isBetween(first.millis(), first.millis() + 60_000);
    }

    @Test
    void refusesAMalformedSpecOrARateThatIsNotPositive() {
        assertThatThrownBy(() -> ScaledClock.parse("1,2")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScaledClock.parse("a,b,c")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScaledClock(0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}

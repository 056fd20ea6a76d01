package dev.tally.engine.entitlement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a suspension answers: soft never denies, grace from the end of its grace, hard at once; causes combine. */
class SuspensionTest {
    static final Instant T0 = Instant.parse("2026-11-14T00:00:00Z");
    static final Instant GRACE_END = Instant.parse("2026-11-16T00:00:00Z");

    @Test
    void eachModeDeniesFromItsOwnMoment() {
        Suspension soft = new Suspension("c1", List.of(new Suspension.Cause("inv_1", SuspensionMode.SOFT, T0, Optional.empty())));
        Suspension grace = new Suspension("c1", List.of(new Suspension.Cause("inv_1", SuspensionMode.GRACE, T0,
                Optional.of(GRACE_END))));
        Suspension hard = new Suspension("c1", List.of(new Suspension.Cause("inv_1", SuspensionMode.HARD, T0, Optional.empty())));
        assertThat(soft.deniesAt(GRACE_END.plusSeconds(86_400 * 365))).isFalse();
        assertThat(soft.modeAt(T0)).isEqualTo(SuspensionMode.SOFT);
        assertThat(grace.deniesAt(GRACE_END.minusSeconds(1))).isFalse();
        assertThat(grace.modeAt(T0)).isEqualTo(SuspensionMode.GRACE);
        assertThat(grace.graceEndsAt(T0)).contains(GRACE_END);
        assertThat(grace.deniesAt(GRACE_END)).isTrue();
        assertThat(grace.modeAt(GRACE_END)).isEqualTo(SuspensionMode.HARD);
        assertThat(grace.graceEndsAt(GRACE_END)).isEmpty();
        assertThat(hard.deniesAt(T0)).isTrue();
        assertThat(hard.deniesAt(T0.minusSeconds(1))).isFalse();
    }

    @Test
    void theStrictestCauseDecidesAndAGraceNeedsAnEnd() {
        Suspension both = new Suspension("c1", List.of(
                new Suspension.Cause("inv_2", SuspensionMode.HARD, GRACE_END, Optional.empty()),
                new Suspension.Cause("inv_1", SuspensionMode.SOFT, T0, Optional.empty())));
        assertThat(both.causes()).extracting(Suspension.Cause::invoice).containsExactly("inv_1", "inv_2");
        assertThat(both.deniesAt(T0)).isFalse();
        assertThat(both.deniesAt(GRACE_END)).isTrue();
        assertThatThrownBy(() -> new Suspension.Cause("inv_1", SuspensionMode.GRACE, T0, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Suspension("c1", List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}

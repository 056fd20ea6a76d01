package dev.tally.core.billing;

import static dev.tally.core.billing.BillingFixtures.utc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PeriodTest {
    private final Period november = utc("2026-11-01T07:00:00Z", "2026-12-01T08:00:00Z");

    @Test
    void containsItsStartButNotItsEnd() {
        assertThat(november.contains(november.start())).isTrue();
        assertThat(november.contains(november.end().minusNanos(1))).isTrue();
        assertThat(november.contains(november.end())).isFalse();
        assertThat(november.contains(november.start().minusNanos(1))).isFalse();
    }

    @Test
    void mustEndAfterItStarts() {
        Instant t = Instant.parse("2026-11-01T07:00:00Z");

        assertThatThrownBy(() -> new Period(t, t)).isInstanceOf(InvalidBillingException.class)
                .hasMessageContaining("must end after it starts");
    }

    @Test
    void intersectsOverlappingPeriodsOnly() {
        assertThat(november.intersect(utc("2026-11-20T00:00:00Z", "2027-01-01T00:00:00Z")))
                .contains(utc("2026-11-20T00:00:00Z", "2026-12-01T08:00:00Z"));
        assertThat(november.intersect(utc("2026-12-01T08:00:00Z", "2027-01-01T00:00:00Z"))).isEmpty();
        assertThat(november.intersect(november)).contains(november);
    }

    @Test
    void enclosesPeriodsWithinIt() {
        assertThat(november.encloses(utc("2026-11-10T00:00:00Z", "2026-12-01T08:00:00Z"))).isTrue();
        assertThat(november.encloses(utc("2026-11-10T00:00:00Z", "2026-12-01T08:00:01Z"))).isFalse();
    }
}

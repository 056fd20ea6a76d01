package dev.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(2));

    @Test
    void backoffGrowsExponentiallyUpToTheCap() {
        for (int attempt = 1; attempt <= 30; attempt++) {
            long expectedCap = Math.min(100L << Math.min(attempt - 1, 20), 2_000L);
            Duration d = policy.delay(attempt, Optional.empty());
            assertThat(d.toMillis()).isBetween(expectedCap / 2, expectedCap);
        }
    }

    @Test
    void retryAfterInSecondsIsHonoured() {
        assertThat(policy.delay(1, Optional.of("1"))).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delay(1, Optional.of("Wed, 21 Oct 2015 07:28:00 GMT")).toMillis()).isBetween(50L, 100L);
    }

    @Test
    void onlyBusyAndGatewayStatusesAreRetried() {
        assertThat(RetryPolicy.retryableStatus(503)).isTrue();
        assertThat(RetryPolicy.retryableStatus(429)).isTrue();
        assertThat(RetryPolicy.retryableStatus(502)).isTrue();
        assertThat(RetryPolicy.retryableStatus(400)).isFalse();
        assertThat(RetryPolicy.retryableStatus(413)).isFalse();
        assertThat(RetryPolicy.retryableStatus(500)).isFalse();
    }
}

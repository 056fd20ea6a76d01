package dev.tally.engine.credit.live;

import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The burn rate rule: the current period's usage charges so far divided by the time elapsed in the period (at least
 * one hour, so that the first minutes of a period do not extrapolate a few events into a huge rate), per day of
 * 86,400 seconds. The runway is the live balance over that rate: in days (rounded down to a tenth) and as the
 * instant it runs out (rounded down to the second). No usage yet: no rate and no runway. Exact decimals throughout;
 * the displayed rate is rounded once, half up to the currency's minor unit.
 */
final class BurnRate {
    static final long MIN_ELAPSED_SECONDS = 3600;
    private static final BigDecimal DAY = BigDecimal.valueOf(86_400);

    private BurnRate() {
    }

    /** What a wallet burns now. */
    record Figures(Optional<Money> perDay, Optional<BigDecimal> runwayDays, Optional<Instant> runsOutAt) {
    }

    static Figures of(Money usageCharges, Money liveBalance, Instant periodStart, Instant now) {
        if (usageCharges.amount().signum() <= 0) {
            return new Figures(Optional.empty(), Optional.empty(), Optional.empty());
        }
        long elapsed = Math.max(Duration.between(periodStart, now).getSeconds(), MIN_ELAPSED_SECONDS);
        BigDecimal seconds = BigDecimal.valueOf(elapsed);
        Money perDay = new Money(usageCharges.amount().multiply(DAY).divide(seconds, 12, RoundingMode.HALF_UP),
                usageCharges.currency()).rounded();
        // runway: live / (usage / elapsed) seconds, exactly, then rounded down
        BigDecimal runwaySeconds = liveBalance.amount().multiply(seconds).divide(usageCharges.amount(), 0,
                RoundingMode.DOWN);
        BigDecimal days = liveBalance.amount().multiply(seconds).divide(usageCharges.amount().multiply(DAY), 1,
                RoundingMode.DOWN);
        return new Figures(Optional.of(perDay), Optional.of(days), Optional.of(now.plusSeconds(runwaySeconds.longValueExact())));
    }
}

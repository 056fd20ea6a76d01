package dev.tally.engine.credit.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** The pure rules of live balances: crossings fire once each, the burn rate and runway, the balance requirement. */
class LiveRulesPropertiesTest {
    static final Currency USD = Currency.getInstance("USD");
    static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

    static Money cents(long c) {
        return new Money(BigDecimal.valueOf(c, 2), USD);
    }

    @Property
    void aLineFiresExactlyOncePerCrossingFromAtOrAboveToBelowWhateverTheEvaluations(
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 200) Integer> balances,
            @ForAll @IntRange(min = 1, max = 200) int threshold) {
        boolean fired = false;
        int fires = 0;
        int expected = 0;
        boolean wasBelow = false;
        for (int b : balances) {
            boolean below = b < threshold;
            if (below && !wasBelow) {
                expected++;
            }
            wasBelow = below;
            switch (WalletAlerts.next(fired, below)) {
                case FIRE -> {
                    fires++;
                    fired = true;
                }
                case REARM -> fired = false;
                case STAY -> { }
            }
            assertThat(fired).as("fired exactly while below").isEqualTo(below);
        }
        assertThat(fires).isEqualTo(expected);
    }

    @Property
    void theRunwayTimesTheRateIsTheLiveBalanceRoundedDownAndTheRateIsUsageOverElapsedDays(
            @ForAll @LongRange(min = 1, max = 100_000_000) long usageCents,
            @ForAll @LongRange(min = 0, max = 100_000_000) long liveCents,
            @ForAll @LongRange(min = 0, max = 31L * 86_400) long elapsedSeconds) {
        Instant now = START.plusSeconds(elapsedSeconds);
        BurnRate.Figures f = BurnRate.of(cents(usageCents), cents(liveCents), START, now);
        long counted = Math.max(elapsedSeconds, BurnRate.MIN_ELAPSED_SECONDS);
        BigDecimal exactDays = BigDecimal.valueOf(liveCents).multiply(BigDecimal.valueOf(counted))
                .divide(BigDecimal.valueOf(usageCents).multiply(BigDecimal.valueOf(86_400)), 20,
                        java.math.RoundingMode.DOWN);
        BigDecimal days = f.runwayDays().orElseThrow();
        assertThat(days).isLessThanOrEqualTo(exactDays);
        assertThat(exactDays.subtract(days)).isLessThan(new BigDecimal("0.1"));
        assertThat(f.runsOutAt().orElseThrow()).isAfterOrEqualTo(now)
                .isBeforeOrEqualTo(now.plusSeconds(exactDays.multiply(BigDecimal.valueOf(86_400)).longValue() + 1));
        BigDecimal rate = BigDecimal.valueOf(usageCents, 2).multiply(BigDecimal.valueOf(86_400))
                .divide(BigDecimal.valueOf(counted), 12, java.math.RoundingMode.HALF_UP);
        assertThat(f.perDay().orElseThrow().amount().subtract(rate).abs()).isLessThanOrEqualTo(new BigDecimal("0.005"));
        assertThat(f.perDay().orElseThrow().isRounded()).isTrue();
    }

    @Property
    void noUsageMeansNoRateAndNoRunway(@ForAll @LongRange(min = 0, max = 1_000_000) long liveCents) {
        BurnRate.Figures f = BurnRate.of(cents(0), cents(liveCents), START, START.plusSeconds(86_400));
        assertThat(f.perDay()).isEmpty();
        assertThat(f.runwayDays()).isEmpty();
        assertThat(f.runsOutAt()).isEmpty();
    }

    static LiveWallet wallet(long liveCents, long shortfallCents) {
        return new LiveWallet("acme", USD, cents(0), cents(liveCents), cents(liveCents), cents(shortfallCents),
                cents(0), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), START);
    }

    static BalanceRequirement requirement(BalanceRequirement.Mode mode, long graceCents) {
        return new BalanceRequirement("api", Optional.empty(), mode, BigDecimal.valueOf(graceCents, 2), false, START);
    }

    @Property
    void hardCutsOffAtZeroGraceAllowsAtLeastAsMuchUpToItsOverdraftAndSoftNeverCutsOff(
            @ForAll @LongRange(min = 0, max = 10_000) long liveCents,
            @ForAll @LongRange(min = 0, max = 10_000) long shortfallCents,
            @ForAll @LongRange(min = 1, max = 10_000) long graceCents) {
        long shortfall = liveCents > 0 ? 0 : shortfallCents;
        LiveWallet w = wallet(liveCents, shortfall);
        boolean hard = requirement(BalanceRequirement.Mode.HARD, 0).allows(w);
        boolean grace = requirement(BalanceRequirement.Mode.GRACE, graceCents).allows(w);
        assertThat(hard).isEqualTo(liveCents > 0);
        assertThat(grace).isEqualTo(liveCents > 0 || shortfall < graceCents);
        assertThat(!hard || grace).as("grace allows whatever hard allows").isTrue();
        assertThat(requirement(BalanceRequirement.Mode.SOFT, 0).allows(w)).isTrue();
    }
}

package dev.tally.kafka.owned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.aggregate.Aggregation;
import dev.tally.engine.usage.UsageRow;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MergedRowsTest {
    static final Instant H0 = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant H1 = Instant.parse("2026-11-01T01:00:00Z");

    static UsageRow row(String group, String value, long events) {
        return new UsageRow(H0, H1, List.of(Optional.of(group)), new BigDecimal(value), events);
    }

    @Test
    void addsAdditiveAggregationsPerWindowAndGroup() {
        List<UsageRow> merged = MergedRows.merge(List.of(List.of(row("eu", "3", 3), row("us", "1", 1)),
                List.of(row("eu", "4", 4))), Aggregation.SUM);
        assertThat(merged).containsExactly(row("eu", "7", 7), row("us", "1", 1));
    }

    @Test
    void takesTheLargestForMaxIgnoringPartitionsWithoutEvents() {
        assertThat(MergedRows.merge(List.of(List.of(row("eu", "0", 0)), List.of(row("eu", "-2", 1))), Aggregation.MAX))
                .containsExactly(row("eu", "-2", 1));
    }

    @Test
    void weighsAveragesByTheirEventCounts() {
        assertThat(MergedRows.merge(List.of(List.of(row("eu", "2", 1)), List.of(row("eu", "5", 3))), Aggregation.AVG)
                .get(0).value()).isEqualByComparingTo("4.25");
    }

    @Test
    void refusesUniqueCountsAcrossPartitions() {
        assertThatThrownBy(() -> MergedRows.merge(List.of(), Aggregation.UNIQUE_COUNT))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}

package dev.tally.engine.billing;

import dev.tally.core.billing.Period;
import dev.tally.engine.ingest.StoredEvent;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What billing needs from metering: usage for exact ranges, per-event values, and the events behind a figure. */
public interface UsageSource {
    /** Catches up with what other processes stored (shared stores); billing calls it once per run or estimate. */
    void sync();

    List<UsageRow> usage(String tenant, UsageRequest request);

    /**
     * The values of the events of a customer in a period that count for a meter (per-event price models), in
     * event-time order (events at the same instant in arrival order).
     */
    List<BigDecimal> eventValues(String tenant, String customer, String meter, Map<String, Set<String>> filters,
            Period period);

    /** The events behind a usage figure, in order, at most {@code limit} after {@code afterPosition}. */
    List<StoredEvent> eventsBehind(String tenant, String customer, String meter, Map<String, Set<String>> filters,
            Period period, long afterPosition, int limit);

    /** The version of a meter in force at the end of a period, or 0 if none. */
    int meterVersionAt(String tenant, String meter, java.time.Instant at);

    /**
     * The period total of a meter as priced: rounded by the aggregate rounding of the meter version in force at
     * {@code at} (the end of the period), unchanged when that version has none or the meter is unknown.
     */
    default BigDecimal billable(String tenant, String meter, java.time.Instant at, BigDecimal periodTotal) {
        return periodTotal;
    }

    boolean meterExists(String tenant, String meter);

    /**
     * A mark of everything this source answers about a customer: equal marks mean no answer changed between them
     * (events, cancels, backdated events, meter rebuilds all move it). The default is never equal to another
     * mark, so a source without marks makes every billing run re-rate every draft.
     */
    default String changeMark(String tenant, String customer) {
        return java.util.UUID.randomUUID().toString();
    }
}

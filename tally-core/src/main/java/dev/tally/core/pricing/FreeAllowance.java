package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.util.List;

/**
 * The free allowance of a {@link PercentagePrice} over one period's events in event-time order, as Lago computes it
 * from the running totals {@code R(i)} (the sum of the values of events 1..i):
 * <ul>
 *   <li>{@code units}, the value not charged: {@code min(free_amount, R(min(free_events, n)))} when both allowances
 *       are set; {@code R(min(free_events, n))} with free events only; {@code min(free_amount, R(n))} with a free
 *       amount only; 0 without either;</li>
 *   <li>{@code events}, the events that pay nothing (no percentage, no fixed fee, no minimum): the leading events
 *       whose running total stays within {@code units}, at most {@code free_events} of them when that is set; 0
 *       without either allowance.</li>
 * </ul>
 * So with both set the allowance ends at whichever limit is reached first. Guarantees {@code 0 <= units <= R(n)},
 * {@code 0 <= events <= n}, and {@code events <= free_events} whenever {@code free_events > 0}.
 */
record FreeAllowance(BigDecimal units, int events) {

    static FreeAllowance of(PercentagePrice p, List<BigDecimal> values) {
        int freeEvents = p.freeEvents();
        BigDecimal freeAmount = p.freeAmount();
        if (freeEvents == 0 && freeAmount.signum() == 0) {
            return new FreeAllowance(BigDecimal.ZERO, 0);
        }
        int counted = freeEvents > 0 ? Math.min(freeEvents, values.size()) : values.size();
        BigDecimal runningAfterCounted = BigDecimal.ZERO;
        for (int i = 0; i < counted; i++) {
            runningAfterCounted = runningAfterCounted.add(values.get(i));
        }
        BigDecimal units = freeAmount.signum() > 0 ? freeAmount.min(runningAfterCounted) : runningAfterCounted;
        int events = 0;
        BigDecimal running = BigDecimal.ZERO;
        while (events < counted) {
            running = running.add(values.get(events));
            if (running.compareTo(units) > 0) {
                break;
            }
            events++;
        }
        return new FreeAllowance(units, events);
    }
}

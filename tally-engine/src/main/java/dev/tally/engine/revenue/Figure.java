package dev.tally.engine.revenue;

import java.math.BigDecimal;
import java.util.Objects;

/** An exact amount and how many things (periods, invoices) it sums; zero things sum to exactly {@code 0}. */
record Figure(BigDecimal amount, long count) {
    static final Figure NONE = new Figure(BigDecimal.ZERO, 0);

    Figure {
        Objects.requireNonNull(amount, "amount");
        if (count < 0) {
            throw new IllegalArgumentException("a negative count: " + count);
        }
        if (count == 0) {
            amount = BigDecimal.ZERO;
        }
    }

    Figure plus(BigDecimal a) {
        return new Figure(amount.add(a), count + 1);
    }

    Figure plus(Figure o) {
        return new Figure(amount.add(o.amount), count + o.count);
    }

    Figure minus(Figure o) {
        return new Figure(amount.subtract(o.amount), count - o.count);
    }
}

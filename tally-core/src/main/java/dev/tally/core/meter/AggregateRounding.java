package dev.tally.core.meter;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How a meter version rounds the total of a billing period before it is priced (Lago's metric rounding). It
 * applies once, to the period total of each charge (per dimension value for a charge priced by dimension), never
 * to single events and never to the windows of a usage query. Guarantees: a mode and a precision in
 * {@value #MIN_PRECISION}..{@value #MAX_PRECISION}; {@link #apply} is exact ({@code round} is half up, away from
 * zero at .5; {@code ceil} towards +∞; {@code floor} towards −∞), and a negative precision rounds to tens,
 * hundreds, ... ({@code floor} at −1 turns 1234 into 1230).
 */
public record AggregateRounding(Mode mode, int precision) {
    public static final int MIN_PRECISION = -15;
    public static final int MAX_PRECISION = 15;

    /** The rounding direction, named as in JSON ({@code round}, {@code ceil}, {@code floor}). */
    public enum Mode {
        ROUND(RoundingMode.HALF_UP), CEIL(RoundingMode.CEILING), FLOOR(RoundingMode.FLOOR);

        private final RoundingMode rounding;

        Mode(RoundingMode rounding) {
            this.rounding = rounding;
        }

        /** The JSON name. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The mode of a JSON name, if it is one. */
        public static Optional<Mode> fromWireName(String s) {
            return Arrays.stream(values()).filter(m -> m.wireName().equals(s)).findFirst();
        }
    }

    /** Validates the precision range. */
    public AggregateRounding {
        Objects.requireNonNull(mode, "mode");
        if (precision < MIN_PRECISION || precision > MAX_PRECISION) {
            throw new IllegalArgumentException("rounding.precision must be between " + MIN_PRECISION + " and "
                    + MAX_PRECISION);
        }
    }

    /** The total rounded to {@code precision} decimal places in this mode (the scale of the result is kept plain). */
    public BigDecimal apply(BigDecimal total) {
        BigDecimal r = total.setScale(precision, mode.rounding);
        return r.scale() < 0 ? r.setScale(0) : r;
    }
}

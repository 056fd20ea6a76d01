package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Tier bounds: validation shared by all tiered models, and the walk over the tiers a quantity enters. */
final class Tiers {
    private Tiers() {
    }

    /**
     * Checks the bounds: at least one tier; {@code up_to} strictly increasing; only the last tier open,
     * and the last tier open.
     */
    static void validate(List<Optional<BigDecimal>> upTos) {
        if (upTos.isEmpty()) {
            throw new InvalidPriceException("tiers", "must contain at least one tier");
        }
        int last = upTos.size() - 1;
        for (int i = 0; i <= last; i++) {
            Optional<BigDecimal> upTo = upTos.get(i);
            if (i < last && upTo.isEmpty()) {
                throw new InvalidPriceException(field(i), "must be set: only the last tier may be open-ended (null)");
            }
            if (i == last && upTo.isPresent()) {
                throw new InvalidPriceException(field(i), "must be null: the last tier must be open-ended");
            }
            if (i > 0 && upTo.isPresent() && upTo.get().compareTo(upTos.get(i - 1).orElseThrow()) <= 0) {
                throw new InvalidPriceException(field(i), "must be greater than " + field(i - 1));
            }
        }
    }

    /** A block size, if given, must be positive (the field is {@code block_size}). */
    static Optional<BigDecimal> validBlockSize(Optional<BigDecimal> blockSize) {
        if (blockSize == null) {
            throw new InvalidPriceException("block_size", "is required (empty for tiers over units)");
        }
        if (blockSize.isPresent() && blockSize.get().signum() <= 0) {
            throw new InvalidPriceException("block_size", "must be greater than 0");
        }
        return blockSize;
    }

    /** The whole blocks a period quantity takes, {@code ceil(quantity / blockSize)}. */
    static BigDecimal blocks(BigDecimal quantity, BigDecimal blockSize) {
        return quantity.divide(blockSize, 0, java.math.RoundingMode.CEILING);
    }

    private static String field(int i) {
        return "tiers[" + i + "].up_to";
    }

    /** The part of a quantity that falls in one tier. {@code upper} is empty for the open tier. */
    record Segment(int index, BigDecimal lower, Optional<BigDecimal> upper, BigDecimal units) {
        /** "Tier 2 (over 100 up to 200)", counting from 1. */
        String label() {
            String range;
            if (upper.isEmpty()) {
                range = index == 0 ? "all units" : "over " + lower.toPlainString();
            } else if (index == 0) {
                range = "up to " + upper.get().toPlainString();
            } else {
                range = "over " + lower.toPlainString() + " up to " + upper.get().toPlainString();
            }
            return "Tier " + (index + 1) + " (" + range + ")";
        }
    }

    /**
     * The tiers a quantity enters, graduated: the first tier always (so a zero quantity enters it), and
     * tier {@code i > 0} when the quantity is greater than the previous bound. Each segment holds the
     * units of the quantity in that tier; the units add up to the quantity.
     */
    static List<Segment> graduated(List<Optional<BigDecimal>> upTos, BigDecimal quantity) {
        List<Segment> segments = new ArrayList<>();
        BigDecimal lower = BigDecimal.ZERO;
        for (int i = 0; i < upTos.size(); i++) {
            if (i > 0 && quantity.compareTo(lower) <= 0) {
                break;
            }
            Optional<BigDecimal> upper = upTos.get(i);
            BigDecimal top = upper.map(u -> Decimals.min(quantity, u)).orElse(quantity);
            segments.add(new Segment(i, lower, upper, Decimals.max(BigDecimal.ZERO, top.subtract(lower))));
            if (upper.isEmpty() || quantity.compareTo(upper.get()) <= 0) {
                break;
            }
            lower = upper.get();
        }
        return segments;
    }

    /** The one tier the whole quantity falls in (volume): the first whose bound is at or above it. */
    static Segment volume(List<Optional<BigDecimal>> upTos, BigDecimal quantity) {
        BigDecimal lower = BigDecimal.ZERO;
        for (int i = 0; i < upTos.size(); i++) {
            Optional<BigDecimal> upper = upTos.get(i);
            if (upper.isEmpty() || quantity.compareTo(upper.get()) <= 0) {
                return new Segment(i, lower, upper, quantity);
            }
            lower = upper.get();
        }
        throw new IllegalStateException("validated tiers end with an open tier");
    }
}

package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Rates usage with a price model, exactly: amounts are never rounded here (rounding happens once per
 * invoice line, later). Pure and stateless. Quantity models take a {@link Usage.Quantity}, per-event
 * models take {@link Usage.Events}; the other combination is an {@link InvalidUsageException}.
 * Every rating's lines satisfy {@code amount == quantity × unitPrice}; the semantics of each model and
 * the lines it produces are documented on the model and in {@code docs/PRICING.md}.
 */
public final class Rater {
    private static final String FLAT_FEE = " flat fee";

    private Rater() {
    }

    /**
     * Rates a quantity (fractional allowed, not negative) with a quantity model.
     *
     * @throws InvalidUsageException if the quantity is negative or the model is rated per event
     */
    public static Rating rate(PriceModel model, BigDecimal quantity) {
        return rate(model, Usage.quantity(quantity));
    }

    /**
     * Rates per-event values (in event order, none negative) with a per-event model.
     *
     * @throws InvalidUsageException if a value is negative or the model is rated from a quantity
     */
    public static Rating rateEvents(PriceModel model, List<BigDecimal> eventValues) {
        return rate(model, Usage.events(eventValues));
    }

    /**
     * Rates usage with a model: a quantity for quantity models, event values for per-event models.
     *
     * @throws InvalidUsageException if the kind of usage does not fit the model
     */
    public static Rating rate(PriceModel model, Usage usage) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(usage, "usage");
        return switch (usage) {
            case Usage.Quantity q -> rateQuantity(model, q.value());
            case Usage.Events e -> rateEventValues(model, e.values());
        };
    }

    private static Rating rateQuantity(PriceModel model, BigDecimal q) {
        return switch (model) {
            case UnitPrice u -> Rating.of(List.of(RatedLine.of("Usage", q, u.unitPrice())));
            case PackagePrice p -> Rating.of(List.of(packageLine(p, q)));
            case GraduatedPrice g -> graduated(g, q);
            case VolumePrice v -> volume(v, q);
            case PercentagePrice p -> throw needsEvents(p);
            case GraduatedPercentagePrice p -> throw needsEvents(p);
            case DynamicPrice p -> throw needsEvents(p);
        };
    }

    private static Rating rateEventValues(PriceModel model, List<BigDecimal> values) {
        return switch (model) {
            case PercentagePrice p -> percentage(p, values);
            case GraduatedPercentagePrice p -> graduatedPercentage(p, values);
            case DynamicPrice d -> dynamic(values);
            case UnitPrice p -> throw needsQuantity(p);
            case PackagePrice p -> throw needsQuantity(p);
            case GraduatedPrice p -> throw needsQuantity(p);
            case VolumePrice p -> throw needsQuantity(p);
        };
    }

    private static InvalidUsageException needsEvents(PriceModel m) {
        return new InvalidUsageException("quantity",
                "is not accepted by a " + m.modelName() + " price, which is rated per event: give events");
    }

    private static InvalidUsageException needsQuantity(PriceModel m) {
        return new InvalidUsageException("events",
                "are not accepted by a " + m.modelName() + " price, which is rated from one quantity: give a quantity");
    }

    private static RatedLine packageLine(PackagePrice p, BigDecimal q) {
        BigDecimal billable = Decimals.max(BigDecimal.ZERO, q.subtract(p.freeUnits()));
        RoundingMode mode = p.rounding() == PackageRounding.UP ? RoundingMode.CEILING : RoundingMode.FLOOR;
        BigDecimal packages = billable.divide(p.packageSize(), 0, mode);
        String description = "Packages of " + Decimals.plain(p.packageSize()) + " units ("
                + Decimals.plain(q) + " used, " + Decimals.plain(p.freeUnits()) + " free, "
                + Decimals.plain(billable) + " billable, partial package rounded " + p.rounding().jsonName() + ")";
        return RatedLine.of(description, packages, p.packagePrice());
    }

    private static Rating graduated(GraduatedPrice g, BigDecimal units) {
        BigDecimal q = g.blockSize().map(n -> Tiers.blocks(units, n)).orElse(units);
        String per = blockNote(g.blockSize(), units);
        List<RatedLine> lines = new ArrayList<>();
        for (Tiers.Segment s : Tiers.graduated(g.upTos(), q)) {
            Tier tier = g.tiers().get(s.index());
            lines.add(RatedLine.of(s.label() + per, s.units(), tier.unitPrice()));
            addFlatFee(lines, "Tier " + (s.index() + 1) + FLAT_FEE, tier.flatFee());
        }
        return Rating.of(lines);
    }

    private static Rating volume(VolumePrice v, BigDecimal units) {
        BigDecimal q = v.blockSize().map(n -> Tiers.blocks(units, n)).orElse(units);
        Tiers.Segment s = Tiers.volume(v.upTos(), q);
        Tier tier = v.tiers().get(s.index());
        List<RatedLine> lines = new ArrayList<>();
        lines.add(RatedLine.of(s.label() + (v.blockSize().isPresent() ? ", price for all blocks" : ", price for all units")
                + blockNote(v.blockSize(), units), q, tier.unitPrice()));
        addFlatFee(lines, "Tier " + (s.index() + 1) + FLAT_FEE, tier.flatFee());
        return Rating.of(lines);
    }

    /** " (blocks of 1000, 2500 units rounded up to 3 blocks)", or "" for tiers over units. */
    private static String blockNote(java.util.Optional<BigDecimal> blockSize, BigDecimal units) {
        return blockSize.map(n -> " (blocks of " + Decimals.plain(n) + ", " + Decimals.plain(units)
                + " units rounded up to " + Decimals.plain(Tiers.blocks(units, n)) + " blocks)").orElse("");
    }

    private static void addFlatFee(List<RatedLine> lines, String description, BigDecimal flatFee) {
        if (flatFee.signum() != 0) {
            lines.add(RatedLine.of(description, BigDecimal.ONE, flatFee));
        }
    }

    private static Rating percentage(PercentagePrice p, List<BigDecimal> values) {
        FreeAllowance free = FreeAllowance.of(p, values);
        long chargedEvents = 0;
        BigDecimal chargedValue = BigDecimal.ZERO;
        long atMinimum = 0;
        long atMaximum = 0;
        BigDecimal factor = Decimals.percentToFactor(p.rate());
        BigDecimal running = BigDecimal.ZERO;
        for (int i = 0; i < values.size(); i++) {
            BigDecimal before = running;
            running = running.add(values.get(i));
            if (i < free.events()) {
                continue;
            }
            // the part of the running total above the free units (never below zero)
            BigDecimal charged = running.subtract(Decimals.max(free.units(), before)).max(BigDecimal.ZERO);
            BigDecimal fee = charged.multiply(factor).add(p.fixedFee());
            if (p.minPerEvent().isPresent() && fee.compareTo(p.minPerEvent().get()) < 0) {
                atMinimum++;
            } else if (p.maxPerEvent().isPresent() && fee.compareTo(p.maxPerEvent().get()) > 0) {
                atMaximum++;
            } else {
                chargedEvents++;
                chargedValue = chargedValue.add(charged);
            }
        }
        List<RatedLine> lines = new ArrayList<>();
        if (p.freeEvents() > 0 && free.events() > 0) {
            lines.add(RatedLine.of("Free events", BigDecimal.valueOf(free.events()), BigDecimal.ZERO));
        }
        if (p.freeAmount().signum() > 0 && free.units().signum() > 0) {
            lines.add(RatedLine.of("Free amount (value not charged)", free.units(), BigDecimal.ZERO));
        }
        if (chargedEvents > 0) {
            lines.add(RatedLine.of(Decimals.plain(p.rate()) + "% of the value of " + events(chargedEvents),
                    chargedValue, factor));
            if (p.fixedFee().signum() != 0) {
                lines.add(RatedLine.of("Fixed fee per event", BigDecimal.valueOf(chargedEvents), p.fixedFee()));
            }
        }
        if (atMinimum > 0) {
            lines.add(RatedLine.of("Minimum fee per event", BigDecimal.valueOf(atMinimum), p.minPerEvent().orElseThrow()));
        }
        if (atMaximum > 0) {
            lines.add(RatedLine.of("Maximum fee per event", BigDecimal.valueOf(atMaximum), p.maxPerEvent().orElseThrow()));
        }
        return Rating.of(lines);
    }

    private static Rating graduatedPercentage(GraduatedPercentagePrice p, List<BigDecimal> values) {
        BigDecimal total = values.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        List<RatedLine> lines = new ArrayList<>();
        for (Tiers.Segment s : Tiers.graduated(p.upTos(), total)) {
            PercentTier tier = p.tiers().get(s.index());
            lines.add(RatedLine.of(s.label() + ": " + Decimals.plain(tier.rate()) + "% of the value in the tier",
                    s.units(), Decimals.percentToFactor(tier.rate())));
            addFlatFee(lines, "Tier " + (s.index() + 1) + FLAT_FEE, tier.flatFee());
        }
        return Rating.of(lines);
    }

    private static String events(long n) {
        return n == 1 ? "1 event" : n + " events";
    }

    private static Rating dynamic(List<BigDecimal> values) {
        if (values.isEmpty()) {
            return Rating.of(List.of());
        }
        BigDecimal total = values.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        return Rating.of(List.of(RatedLine.of(events(values.size()) + " at their own price", total, BigDecimal.ONE)));
    }
}

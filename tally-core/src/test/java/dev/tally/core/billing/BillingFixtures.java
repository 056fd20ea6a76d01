package dev.tally.core.billing;

import static dev.tally.core.pricing.Fixtures.d;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.money.TaxRate;
import dev.tally.core.pricing.ChargePricing;
import dev.tally.core.pricing.Fixtures;
import dev.tally.core.pricing.PriceModel;
import dev.tally.core.pricing.UnitPrice;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * The one place for billing test fixtures: zones, local-time shorthand, example plans and customers, and the jqwik
 * generators of subscriptions, plans and usage. Money and price fixtures come from the pricing
 * {@link Fixtures}.
 */
public final class BillingFixtures {
    public static final ZoneId LA = ZoneId.of("America/Los_Angeles");
    public static final ZoneId KOLKATA = ZoneId.of("Asia/Kolkata");
    public static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    public static final ZoneId SANTIAGO = ZoneId.of("America/Santiago");
    public static final ZoneId UTC = ZoneId.of("UTC");
    public static final Currency USD = Fixtures.USD;
    public static final Currency JPY = Fixtures.JPY;
    public static final Currency BHD = Fixtures.BHD;
    public static final ObjectMapper MAPPER = new ObjectMapper();

    /** Zones with DST at 02:00, at midnight (no local midnight on the change day), half- and quarter-hour offsets. */
    public static final List<ZoneId> ZONES = List.of(LA, KOLKATA, BERLIN, SANTIAGO, UTC,
            ZoneId.of("America/Havana"), ZoneId.of("Asia/Kathmandu"), ZoneId.of("Australia/Lord_Howe"),
            ZoneId.of("Pacific/Chatham"), ZoneId.of("Pacific/Apia"), ZoneId.of("Africa/Cairo"));

    /** November 2026 in Los Angeles: 30 local days, 30 days and 1 hour long (DST ends on Nov 1). */
    public static final Period NOVEMBER = new Period(Instant.parse("2026-11-01T07:00:00Z"), Instant.parse("2026-12-01T08:00:00Z"));
    /** December 2026 in Los Angeles. */
    public static final Period DECEMBER = new Period(Instant.parse("2026-12-01T08:00:00Z"), Instant.parse("2027-01-01T08:00:00Z"));
    /** A plan change at 14:37 on Nov 10 2026 in Los Angeles: days 1-9 before it, 10-30 after. */
    public static final Instant CHANGE = Instant.parse("2026-11-10T22:37:00Z");
    /** November before the change (9 days). */
    public static final Period BEFORE_CHANGE = new Period(NOVEMBER.start(), CHANGE);
    /** November from the change (21 days). */
    public static final Period AFTER_CHANGE = new Period(CHANGE, NOVEMBER.end());

    private BillingFixtures() {
    }

    /** The instant of a local date-time ({@code "2026-11-10T14:37"}) in a zone (earlier offset in an overlap). */
    public static Instant at(String localDateTime, ZoneId zone) {
        return LocalDateTime.parse(localDateTime).atZone(zone).toInstant();
    }

    /** The period between two local date-times in a zone. */
    public static Period period(String from, String to, ZoneId zone) {
        return new Period(at(from, zone), at(to, zone));
    }

    /** The period between two UTC instants in RFC 3339. */
    public static Period utc(String from, String to) {
        return new Period(Instant.parse(from), Instant.parse(to));
    }

    public static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TaxRate tax(String name, String percent) {
        return new TaxRate(name, d(percent));
    }

    public static FlatCharge flat(String key, String amount, FeeTiming timing) {
        return new FlatCharge(key, "Platform fee", d(amount), timing);
    }

    public static UsageCharge usage(String key, ChargePricing pricing) {
        return new UsageCharge(key, "Tokens", "tokens", Map.of(), pricing);
    }

    public static UsageCharge tokens(String unitPrice) {
        return usage("tokens", ChargePricing.of(new UnitPrice(d(unitPrice))));
    }

    /** A monthly plan in the currency with the given charges and no tax rates. */
    public static Plan plan(String key, Currency currency, Charge... charges) {
        return new Plan(key, 1, key.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + key.substring(1), currency,
                BillingInterval.MONTHLY, List.of(charges), List.of(), 0);
    }

    /** The brief's example plan, as JSON. */
    public static final String PRO_JSON = """
            {"key":"pro","name":"Pro","currency":"USD","interval":"monthly","trial_days":0,
             "tax_rates":[{"name":"VAT","percent":"20"}],
             "charges":[{"key":"base","type":"flat","name":"Platform fee","amount":"49.00","timing":"in_advance"},
                        {"key":"tokens","type":"usage","name":"Tokens","meter":"tokens","filters":{"region":["eu"]},
                         "price":{"model":"graduated","tiers":[{"up_to":"100000","unit_price":"0.001"},
                                                              {"up_to":null,"unit_price":"0.0005","flat_fee":"5"}]},
                         "included_quantity":"1000","minimum_amount":"10","maximum_amount":"500"},
                        {"key":"models","type":"usage","name":"Model calls","meter":"calls","dimension":"model",
                         "price":{"model":"unit","unit_price":"0.01"},
                         "prices_by_dimension":{"big":{"model":"unit","unit_price":"0.02"}}}]}
            """;

    public static final String ACME_JSON = """
            {"external_id":"acme","name":"Acme","timezone":"America/Los_Angeles","currency":"USD",
             "email":"billing@acme.test","billing_address":{"line1":"1 Main St","city":"Springfield","country":"US"},
             "tax_rates":[{"name":"VAT","percent":"20"}]}
            """;

    public static Customer acme() {
        return new Customer("acme", "Acme", LA, USD, Optional.of("billing@acme.test"),
                Map.of("line1", "1 Main St", "city", "Springfield", "country", "US"), List.of(tax("VAT", "20")));
    }

    // ---- jqwik generators -------------------------------------------------------------------------

    public static Arbitrary<ZoneId> zones() {
        return Arbitraries.of(ZONES);
    }

    /** Instants from 2000 to 2040, at any second, sometimes exactly at a UTC midnight. */
    public static Arbitrary<Instant> instants() {
        Arbitrary<Instant> any = Arbitraries.longs().between(946_684_800L, 2_208_988_800L).map(Instant::ofEpochSecond);
        Arbitrary<Instant> midnights = Arbitraries.longs().between(10_957L, 25_567L).map(day -> Instant.ofEpochSecond(day * 86_400L));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, any),
                net.jqwik.api.Tuple.of(1, midnights));
    }

    /** A subscription's schedule: start, zone, interval, anchor; starts sometimes at a local midnight or on the 29th-31st. */
    public record Schedule(Instant start, ZoneId zone, BillingInterval interval, BillingAnchor anchor) {
        public Period periodContaining(Instant t) {
            return BillingCalendar.periodContaining(start, t, zone, interval, anchor);
        }

        public Period next(Period p) {
            return BillingCalendar.next(start, p, zone, interval, anchor);
        }

        public Period nominal(Period p) {
            return BillingCalendar.nominal(start, p, zone, interval, anchor);
        }

        /** The first {@code n} periods. */
        public List<Period> periods(int n) {
            List<Period> out = new ArrayList<>();
            Period p = periodContaining(start);
            for (int i = 0; i < n; i++) {
                out.add(p);
                p = next(p);
            }
            return out;
        }
    }

    public static Arbitrary<Schedule> schedules() {
        Arbitrary<Instant> starts = Combinators.combine(instants(), zones(), Arbitraries.integers().between(0, 2))
                .as((t, zone, shape) -> switch (shape) {
                    case 0 -> t;
                    case 1 -> t.atZone(zone).toLocalDate().atStartOfDay(zone).toInstant();
                    default -> t.atZone(zone).withDayOfMonth(1).toLocalDate()
                            .plusMonths(1).minusDays(1 + (t.getEpochSecond() % 3)).atStartOfDay(zone).toInstant();
                });
        return Combinators.combine(starts, zones(), Arbitraries.of(BillingInterval.class), Arbitraries.of(BillingAnchor.class))
                .as(Schedule::new);
    }

    /** Usage charges of every kind of model, with and without included quantity, minimum and maximum. */
    public static Arbitrary<UsageCharge> usageCharges(String key) {
        Arbitrary<Optional<BigDecimal>> bound = Fixtures.decimals("200", 2).optional(0.4);
        return Combinators.combine(Fixtures.priceModels(), Fixtures.decimals("500", 1), bound, bound)
                .as((PriceModel model, BigDecimal included, Optional<BigDecimal> a, Optional<BigDecimal> b) -> {
                    Optional<BigDecimal> min = a;
                    Optional<BigDecimal> max = b;
                    if (min.isPresent() && max.isPresent() && min.get().compareTo(max.get()) > 0) {
                        min = b;
                        max = a;
                    }
                    BigDecimal inc = model.ratedPerEvent() ? BigDecimal.ZERO : included;
                    return new UsageCharge(key, "Charge " + key, "meter-" + key, Map.of(),
                            new ChargePricing(model, inc, min, max, Optional.empty(), Map.of()));
                });
    }

    /** Plans with one or two flat fees and one or two usage charges, in any currency. */
    public static Arbitrary<Plan> plans() {
        Arbitrary<FlatCharge> fees = Combinators.combine(Fixtures.decimals("1000", 3), Arbitraries.of(FeeTiming.class))
                .as((amount, timing) -> new FlatCharge("fee", "Fee", amount, timing));
        Arbitrary<List<TaxRate>> taxes = Fixtures.decimals("30", 3).map(p -> tax("Tax", p.toPlainString())).list().ofMaxSize(2);
        return Combinators.combine(Fixtures.currencies(), fees, usageCharges("a"), usageCharges("b").optional(0.5),
                Arbitraries.of(BillingInterval.class), taxes, Arbitraries.integers().between(0, 30))
                .as((currency, fee, a, b, interval, rates, trial) -> {
                    List<Charge> charges = new ArrayList<>(List.of(fee, a));
                    b.ifPresent(charges::add);
                    return new Plan("plan", 1, "Plan", currency, interval, charges, rates, trial);
                });
    }

    /** Usage that fits a charge: a quantity, or event values. */
    public static Arbitrary<ChargeUsage> usageFor(UsageCharge charge) {
        Arbitrary<Integer> meterVersions = Arbitraries.integers().between(1, 3);
        if (charge.ratedPerEvent()) {
            return Combinators.combine(Fixtures.eventValues(), meterVersions).as((v, mv) -> ChargeUsage.events(charge, v, mv));
        }
        return Combinators.combine(Fixtures.quantities(), Arbitraries.longs().between(0, 10_000), meterVersions)
                .as((q, n, mv) -> ChargeUsage.quantity(charge, q, n, mv));
    }

    public static Set<FeeTiming> allTimings() {
        return Set.of(FeeTiming.values());
    }
}

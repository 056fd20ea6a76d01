package dev.tally.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.analytics.ExchangeRates;
import dev.tally.core.analytics.MrrMovement;
import dev.tally.core.analytics.MrrNormaliser;
import dev.tally.core.analytics.RevenueReport;
import dev.tally.core.analytics.RevenueRow;
import dev.tally.engine.analytics.Analytics;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code GET /v1/analytics/mrr}, {@code /v1/analytics/revenue} and {@code /v1/analytics/customers/top}: revenue
 * analytics of the caller's tenant over a month range ({@code from}, {@code to} as {@code YYYY-MM}, UTC months; by
 * default the last six months up to the current one), recomputed from its invoices on every request. With
 * {@code currency} and {@code rate[XXX]} (units of {@code currency} per unit of XXX, given by the operator, never
 * fetched) the figures are also converted and summed across currencies. See docs/ANALYTICS.md.
 */
final class AnalyticsApi {
    static final int MAX_MONTHS = 120;

    private final Analytics analytics;
    private final Clock clock;
    private final ObjectMapper mapper;

    AnalyticsApi(Analytics analytics, Clock clock, ObjectMapper mapper) {
        this.analytics = analytics;
        this.clock = clock;
        this.mapper = mapper;
    }

    private record Range(YearMonth from, YearMonth to) {
    }

    private Range range(Request r) {
        YearMonth now = YearMonth.from(clock.instant().atOffset(ZoneOffset.UTC));
        YearMonth to = month(r, "to").orElse(now);
        YearMonth from = month(r, "from").orElse(to.minusMonths(5));
        if (to.isBefore(from)) {
            throw HttpError.badRequest("to", "must not be before 'from'");
        }
        if (from.plusMonths(MAX_MONTHS).isBefore(to)) {
            throw HttpError.badRequest("to", "the range is at most " + MAX_MONTHS + " months");
        }
        return new Range(from, to);
    }

    private static Optional<YearMonth> month(Request r, String name) {
        return r.param(name).map(v -> {
            try {
                return YearMonth.parse(v);
            } catch (DateTimeParseException e) {
                throw HttpError.badRequest(name, "must be a month written YYYY-MM");
            }
        });
    }

    private static <E extends Enum<E>> E groupBy(Request r, Class<E> type, E none) {
        Optional<String> v = r.param("group_by");
        if (v.isEmpty()) {
            return none;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(v.get())) {
                return e;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            allowed.append(allowed.isEmpty() ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw HttpError.badRequest("group_by", "must be one of " + allowed);
    }

    /** The reporting currency and the operator's rates, when {@code currency} is given. */
    private static Optional<ExchangeRates> rates(Request r) {
        Map<Currency, BigDecimal> rates = new LinkedHashMap<>();
        for (var e : r.query.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith("rate[") || !k.endsWith("]") || e.getValue().isEmpty()) {
                continue;
            }
            Currency c = currency(k.substring(5, k.length() - 1), k);
            try {
                BigDecimal rate = new BigDecimal(e.getValue().get(0));
                if (rate.signum() <= 0 || rate.precision() > 30) {
                    throw new NumberFormatException();
                }
                rates.put(c, rate);
            } catch (NumberFormatException ex) {
                throw HttpError.badRequest(k, "must be a positive decimal number");
            }
        }
        Optional<String> reporting = r.param("currency");
        if (reporting.isEmpty()) {
            if (!rates.isEmpty()) {
                throw HttpError.badRequest("currency", "is required with rate[...]");
            }
            return Optional.empty();
        }
        return Optional.of(new ExchangeRates(currency(reporting.get(), "currency"), rates));
    }

    private static Currency currency(String code, String field) {
        if (!code.matches("[A-Z]{3}")) {
            throw HttpError.badRequest(field, "must be an ISO 4217 currency code");
        }
        try {
            return Currency.getInstance(code);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(field, "must be an ISO 4217 currency code");
        }
    }

    private static BigDecimal convert(ExchangeRates rates, BigDecimal amount, Currency from) {
        try {
            return rates.convert(amount, from);
        } catch (ExchangeRates.MissingRateException e) {
            throw HttpError.badRequest("rate[" + e.currency().getCurrencyCode() + "]",
                    "is required: the figures include " + e.currency().getCurrencyCode());
        }
    }

    private static ObjectNode ratesJson(ObjectNode into, ExchangeRates rates) {
        ObjectNode o = into.putObject("reporting");
        o.put("currency", rates.reporting().getCurrencyCode());
        ObjectNode rs = o.putObject("rates");
        rates.rates().forEach((c, v) -> rs.put(c.getCurrencyCode(), v.toPlainString()));
        return o;
    }

    void mrr(Request r) throws IOException {
        Range range = range(r);
        MrrNormaliser.Grouping g = groupBy(r, MrrNormaliser.Grouping.class, MrrNormaliser.Grouping.NONE);
        Optional<ExchangeRates> rates = rates(r);
        List<MrrMovement> mv = analytics.mrr(r.tenant(), range.from(), range.to(), g);
        ObjectNode out = mapper.createObjectNode();
        head(out, range, g.name());
        out.put("rule", "recurring fees of the plan in force at month end plus the usage charges of the last closed "
                + "billing period, per month (docs/ANALYTICS.md)");
        ArrayNode months = out.putArray("months");
        for (MrrMovement m : mv) {
            ObjectNode o = months.addObject();
            o.put("month", m.month().toString());
            o.put("group", m.group());
            o.put("currency", m.currency().getCurrencyCode());
            movement(o, m, Function.identity());
            o.put("customers", m.customers());
            m.netRevenueRetention().ifPresentOrElse(v -> o.put("net_revenue_retention", v.toPlainString()),
                    () -> o.putNull("net_revenue_retention"));
        }
        if (rates.isPresent()) {
            ExchangeRates x = rates.get();
            ArrayNode conv = ratesJson(out, x).putArray("months");
            Map<String, ObjectNode> byKey = new TreeMap<>();
            Map<String, BigDecimal[]> sums = new TreeMap<>();
            for (MrrMovement m : mv) {
                String key = m.month() + "\u0000" + m.group();
                BigDecimal[] s = sums.computeIfAbsent(key, k -> zeros(8));
                BigDecimal[] v = {m.previousMrr(), m.mrr(), m.arr(), m.newMrr(), m.expansion(), m.contraction(),
                        m.churned(), m.reactivated()};
                for (int i = 0; i < v.length; i++) {
                    s[i] = s[i].add(convert(x, v[i], m.currency()));
                }
                byKey.computeIfAbsent(key, k -> {
                    ObjectNode o = mapper.createObjectNode();
                    o.put("month", m.month().toString());
                    o.put("group", m.group());
                    return o;
                });
            }
            String[] names = {"previous_mrr", "mrr", "arr", "new", "expansion", "contraction", "churned",
                "reactivated"};
            for (var e : byKey.entrySet()) {
                ObjectNode o = e.getValue();
                BigDecimal[] s = sums.get(e.getKey());
                for (int i = 0; i < names.length; i++) {
                    o.put(names[i], s[i].toPlainString());
                }
                conv.add(o);
            }
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    private static BigDecimal[] zeros(int n) {
        BigDecimal[] z = new BigDecimal[n];
        java.util.Arrays.fill(z, BigDecimal.ZERO);
        return z;
    }

    private static void movement(ObjectNode o, MrrMovement m, Function<BigDecimal, BigDecimal> f) {
        o.put("previous_mrr", f.apply(m.previousMrr()).toPlainString());
        o.put("mrr", f.apply(m.mrr()).toPlainString());
        o.put("arr", f.apply(m.arr()).toPlainString());
        o.put("new", f.apply(m.newMrr()).toPlainString());
        o.put("expansion", f.apply(m.expansion()).toPlainString());
        o.put("contraction", f.apply(m.contraction()).toPlainString());
        o.put("churned", f.apply(m.churned()).toPlainString());
        o.put("reactivated", f.apply(m.reactivated()).toPlainString());
    }

    private static void head(ObjectNode out, Range range, String groupBy) {
        out.put("from", range.from().toString());
        out.put("to", range.to().toString());
        out.put("group_by", groupBy.toLowerCase(Locale.ROOT));
    }

    void revenue(Request r) throws IOException {
        Range range = range(r);
        RevenueReport.Dimension by = groupBy(r, RevenueReport.Dimension.class, RevenueReport.Dimension.NONE);
        Optional<ExchangeRates> rates = rates(r);
        List<RevenueRow> rows = analytics.revenue(r.tenant(), range.from(), range.to(), by);
        ObjectNode out = mapper.createObjectNode();
        head(out, range, by.name());
        ArrayNode months = out.putArray("months");
        for (RevenueRow row : rows) {
            ObjectNode o = months.addObject();
            o.put("month", row.month().toString());
            o.put("group", row.group());
            o.put("currency", row.currency().getCurrencyCode());
            o.put("invoices", row.invoices());
            revenueFigures(o, row, Function.identity());
        }
        if (rates.isPresent()) {
            ExchangeRates x = rates.get();
            ArrayNode conv = ratesJson(out, x).putArray("months");
            Map<String, BigDecimal[]> sums = new TreeMap<>();
            Map<String, RevenueRow> first = new TreeMap<>();
            for (RevenueRow row : rows) {
                String key = row.month() + "\u0000" + row.group();
                first.putIfAbsent(key, row);
                BigDecimal[] s = sums.computeIfAbsent(key, k -> zeros(8));
                BigDecimal[] v = figures(row);
                for (int i = 0; i < v.length; i++) {
                    s[i] = s[i].add(convert(x, v[i], row.currency()));
                }
            }
            for (var e : sums.entrySet()) {
                RevenueRow row = first.get(e.getKey());
                ObjectNode o = conv.addObject();
                o.put("month", row.month().toString());
                o.put("group", row.group());
                BigDecimal[] s = e.getValue();
                o.put("invoiced", s[0].toPlainString());
                o.put("usage", s[1].toPlainString());
                if (row.settlement().isPresent()) {
                    String[] names = {"tax", "total", "credits_applied", "amount_due", "collected", "outstanding"};
                    for (int i = 0; i < names.length; i++) {
                        o.put(names[i], s[i + 2].toPlainString());
                    }
                }
            }
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    private static BigDecimal[] figures(RevenueRow row) {
        BigDecimal[] v = zeros(8);
        v[0] = row.invoiced();
        v[1] = row.usage();
        row.settlement().ifPresent(s -> {
            v[2] = s.tax();
            v[3] = s.total();
            v[4] = s.creditsApplied();
            v[5] = s.amountDue();
            v[6] = s.collected();
            v[7] = s.outstanding();
        });
        return v;
    }

    private static void revenueFigures(ObjectNode o, RevenueRow row, Function<BigDecimal, BigDecimal> f) {
        o.put("invoiced", f.apply(row.invoiced()).toPlainString());
        o.put("usage", f.apply(row.usage()).toPlainString());
        row.settlement().ifPresent(s -> {
            o.put("tax", f.apply(s.tax()).toPlainString());
            o.put("total", f.apply(s.total()).toPlainString());
            o.put("credits_applied", f.apply(s.creditsApplied()).toPlainString());
            o.put("amount_due", f.apply(s.amountDue()).toPlainString());
            o.put("collected", f.apply(s.collected()).toPlainString());
            o.put("outstanding", f.apply(s.outstanding()).toPlainString());
        });
    }

    void topCustomers(Request r) throws IOException {
        Range range = range(r);
        int limit = r.integer("limit", 1, 100).orElse(10);
        Optional<ExchangeRates> rates = rates(r);
        List<RevenueReport.CustomerRevenue> top = analytics.topCustomers(r.tenant(), range.from(), range.to(),
                rates.isPresent() ? Integer.MAX_VALUE : limit);
        ObjectNode out = mapper.createObjectNode();
        out.put("from", range.from().toString());
        out.put("to", range.to().toString());
        ArrayNode data = out.putArray("customers");
        if (rates.isPresent()) {
            ExchangeRates x = rates.get();
            ratesJson(out, x);
            // one ranking across currencies, by usage revenue in the reporting currency
            top.stream().map(c -> Map.entry(c, convert(x, c.usage(), c.currency())))
                    .sorted(Map.Entry.<RevenueReport.CustomerRevenue, BigDecimal>comparingByValue().reversed()
                            .thenComparing(e -> e.getKey().customer()))
                    .limit(limit).forEach(e -> {
                        ObjectNode o = customer(data, e.getKey());
                        o.put("usage_converted", e.getValue().toPlainString());
                        o.put("invoiced_converted", convert(x, e.getKey().invoiced(), e.getKey().currency())
                                .toPlainString());
                    });
        } else {
            top.forEach(c -> customer(data, c));
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    private static ObjectNode customer(ArrayNode data, RevenueReport.CustomerRevenue c) {
        ObjectNode o = data.addObject();
        o.put("customer", c.customer());
        o.put("currency", c.currency().getCurrencyCode());
        o.put("usage", c.usage().toPlainString());
        o.put("invoiced", c.invoiced().toPlainString());
        return o;
    }
}
